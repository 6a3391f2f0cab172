/// Groups of services to flip together, stored flat so a round of candidates costs no allocation per group.
struct CandidateGroups {
    private(set) var members: [Int] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    subscript(index: Int) -> ArraySlice<Int> {
        members[(index == 0 ? 0 : ends[index - 1])..<ends[index]]
    }

    mutating func removeAll() {
        members.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    mutating func append(_ group: some Collection<Int>) {
        guard !group.isEmpty else { return }
        members.append(contentsOf: group)
        ends.append(members.count)
    }
}

/// Builds the candidate moves of the greedy from the committed placement.
///
/// Additions are the connected groups that hang off the edge frontier: every downward path of at most `depth`
/// services that starts at a service an invoked edge copy calls in the cloud (SBMP's expanding subgraphs, without
/// sampling), plus "fans": a frontier service with its best few, many or all children worth their own round
/// trip. Fans are what let a hub with many callees move at all: alone it would turn one crossing call into many.
/// Removals mirror them at the bottom of the edge set, plus group moves: whole edge subtrees of bounded size,
/// and the edge callers of a shared edge service taken back together.
struct GroupBuilder {
    /// Largest edge subtree taken back in one move, and most callers of a shared service moved together: they
    /// bound the trials per round, so a round stays linear in the edge set.
    static let maxSubtree = 24
    static let maxSharedCallers = 3

    let graph: CallGraph
    let model: PlacementModel
    /// Services the solver may flip (`PlacementModel.movable`).
    let free: [Bool]
    let depth: Int

    private var seen: [Bool]
    private var path: [Int] = []
    private var fan: [(service: Int, saved: Double)] = []
    private var region: [Int] = []
    private var callers: [Int] = []

    init(model: PlacementModel, free: [Bool], depth: Int) {
        self.model = model
        graph = model.graph
        self.free = free
        self.depth = max(depth, 1)
        seen = [Bool](repeating: false, count: model.serviceCount)
    }

    /// Groups that would move onto the edge next to invoked edge copies.
    mutating func additions(from state: IncrementalEvaluator, into groups: inout CandidateGroups) {
        groups.removeAll()
        let n = model.serviceCount
        for a in 0...n where state.atEdge[a] && state.edgeN[a] > 0 {
            for k in graph.outgoingStart[a]..<graph.outgoingStart[a + 1] {
                let b = graph.calls[graph.outgoing[k]].to
                if free[b] && !state.atEdge[b] { seen[b] = true }
            }
        }
        let spread = model.loadSpread(traffic: state.evaluation.cloudToEdgeTrafficBitsPerSecond).spread
        for s in 0..<n where seen[s] {
            seen[s] = false
            path.removeAll(keepingCapacity: true)
            walk(from: s, atEdge: false, state: state, into: &groups)
            if depth >= 2 { appendFans(of: s, spread: spread, state: state, into: &groups) }
        }
    }

    /// Invoked edge services, each alone: removing one also leaves the edge services it alone invoked uninvoked,
    /// so the group it takes back is its whole edge subtree. Those near the bottom of the edge set (fewer than
    /// `depth` levels below) always qualify; deeper ones when their edge subtree is small, since one crossing
    /// call for a whole subtree can pay where no leaf alone does. Then the shared-callee groups.
    mutating func removals(from state: IncrementalEvaluator, into groups: inout CandidateGroups) {
        groups.removeAll()
        for s in 0..<model.serviceCount where free[s] && state.atEdge[s] && state.edgeN[s] > 0 {
            if edgeHeight(below: s, limit: depth, state: state) < depth || edgeSubtreeFits(s, state: state) {
                groups.append(CollectionOfOne(s))
            }
        }
        appendSharedCallers(state: state, into: &groups)
    }

    /// Whether the invoked edge services reachable from `s` through edge copies number at most `maxSubtree`.
    private mutating func edgeSubtreeFits(_ s: Int, state: IncrementalEvaluator) -> Bool {
        region.removeAll(keepingCapacity: true)
        region.append(s)
        seen[s] = true
        var next = 0
        var fits = true
        while next < region.count {
            let v = region[next]
            next += 1
            for k in graph.outgoingStart[v]..<graph.outgoingStart[v + 1] {
                let w = graph.calls[graph.outgoing[k]].to
                guard !seen[w], state.atEdge[w], state.edgeN[w] > 0 else { continue }
                guard region.count < Self.maxSubtree else {
                    fits = false
                    break
                }
                seen[w] = true
                region.append(w)
            }
            if !fits { break }
        }
        for v in region { seen[v] = false }
        return fits
    }

    /// An edge service invoked by a few edge callers keeps its edge replicas until all of them go: removing the
    /// callers one at a time pays the crossing calls without the replica saving, so they also go together.
    private mutating func appendSharedCallers(state: IncrementalEvaluator, into groups: inout CandidateGroups) {
        for x in 0..<model.serviceCount where state.atEdge[x] && state.edgeN[x] > 0 {
            callers.removeAll(keepingCapacity: true)
            var movable = true
            for k in graph.incomingStart[x]..<graph.incomingStart[x + 1] {
                let a = graph.calls[graph.incoming[k]].from
                guard a != x, a < model.serviceCount, state.atEdge[a], state.edgeN[a] > 0 else {
                    // The user's calls keep the service invoked whatever else moves.
                    if a == model.serviceCount { movable = false }
                    continue
                }
                if !free[a] || callers.count == Self.maxSharedCallers {
                    movable = false
                    break
                }
                if !callers.contains(a) { callers.append(a) }
            }
            guard movable, callers.count >= 2 else { continue }
            callers.sort()
            groups.append(callers)
        }
    }

    /// Levels of invoked edge services under `v`, counted up to `limit`; calls inside `v`'s own cycle do not
    /// count as a level, so a cycle at the bottom of the edge set can still go back.
    private func edgeHeight(below v: Int, limit: Int, state: IncrementalEvaluator) -> Int {
        guard limit > 0 else { return 0 }
        var height = 0
        for k in graph.outgoingStart[v]..<graph.outgoingStart[v + 1] {
            let w = graph.calls[graph.outgoing[k]].to
            guard state.atEdge[w], state.edgeN[w] > 0, state.componentOf[w] != state.componentOf[v] else { continue }
            height = max(height, 1 + edgeHeight(below: w, limit: limit - 1, state: state))
            if height >= limit { break }
        }
        return height
    }

    /// Emits every simple downward path from `v` through free services on the same side (`atEdge`).
    private mutating func walk(from v: Int, atEdge: Bool, state: IncrementalEvaluator, into groups: inout CandidateGroups) {
        path.append(v)
        groups.append(path)
        if path.count < depth {
            for k in graph.outgoingStart[v]..<graph.outgoingStart[v + 1] {
                let w = graph.calls[graph.outgoing[k]].to
                guard free[w], state.atEdge[w] == atEdge, !path.contains(w) else { continue }
                if atEdge && state.edgeN[w] == 0 { continue }
                walk(from: w, atEdge: atEdge, state: state, into: &groups)
            }
        }
        path.removeLast()
    }

    /// `s` with its free cloud children worth their own round trip, best first: every prefix of two or more.
    private mutating func appendFans(
        of s: Int, spread: Double, state: IncrementalEvaluator, into groups: inout CandidateGroups
    ) {
        fan.removeAll(keepingCapacity: true)
        for k in graph.outgoingStart[s]..<graph.outgoingStart[s + 1] {
            let call = graph.calls[graph.outgoing[k]]
            let c = call.to
            guard c != s, free[c], !state.atEdge[c] else { continue }
            var onward = 0.0
            for j in graph.outgoingStart[c]..<graph.outgoingStart[c + 1] {
                let next = graph.calls[graph.outgoing[j]]
                if next.to != s && !state.atEdge[next.to] { onward += next.rate * callDelay(to: next.to, spread: spread) }
            }
            let saved = call.rate * (callDelay(to: c, spread: spread) - onward)
            if saved > 0 && !fan.contains(where: { $0.service == c }) { fan.append((c, saved)) }
        }
        guard fan.count >= 2 else { return }
        fan.sort { $0.saved != $1.saved ? $0.saved > $1.saved : $0.service < $1.service }
        path.removeAll(keepingCapacity: true)
        path.append(s)
        for (i, child) in fan.enumerated() {
            path.append(child.service)
            if i >= 1 { groups.append(path) }
        }
    }

    /// Delay of one edge→cloud call to `b` at this load (docs/model.md §6).
    private func callDelay(to b: Int, spread: Double) -> Double {
        min(model.responseBytes[b] * 8 / model.bandwidth * spread, 1e5) + model.rtt
    }
}
