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
/// sampling), plus one "fan" per frontier service: it with every child worth its own round trip. The fan is what
/// lets a hub with many callees move at all: alone it would turn one crossing call into many.
/// Removals mirror them: downward paths of edge services, starting anywhere in the edge set.
struct GroupBuilder {
    let graph: CallGraph
    let model: PlacementModel
    /// Services the solver may flip (`PlacementModel.movable`).
    let free: [Bool]
    let depth: Int

    private var seen: [Bool]
    private var path: [Int] = []

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
            if depth >= 2 { appendFan(of: s, spread: spread, state: state, into: &groups) }
        }
    }

    /// Groups of invoked edge services that could go back to the cloud.
    mutating func removals(from state: IncrementalEvaluator, into groups: inout CandidateGroups) {
        groups.removeAll()
        for s in 0..<model.serviceCount where free[s] && state.atEdge[s] && state.edgeN[s] > 0 {
            path.removeAll(keepingCapacity: true)
            walk(from: s, atEdge: true, state: state, into: &groups)
        }
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

    /// `s` with each free cloud child whose call costs more than the calls it would make from the edge.
    private mutating func appendFan(
        of s: Int, spread: Double, state: IncrementalEvaluator, into groups: inout CandidateGroups
    ) {
        path.removeAll(keepingCapacity: true)
        path.append(s)
        for k in graph.outgoingStart[s]..<graph.outgoingStart[s + 1] {
            let c = graph.calls[graph.outgoing[k]].to
            guard c != s, free[c], !state.atEdge[c], !path.contains(c) else { continue }
            var onward = 0.0
            for j in graph.outgoingStart[c]..<graph.outgoingStart[c + 1] {
                let call = graph.calls[graph.outgoing[j]]
                if call.to != s && !state.atEdge[call.to] { onward += call.rate * callDelay(to: call.to, spread: spread) }
            }
            if callDelay(to: c, spread: spread) > onward { path.append(c) }
        }
        if path.count >= 3 { groups.append(path) }
    }

    /// Delay of one edge→cloud call to `b` at this load (§1.5 step 5).
    private func callDelay(to b: Int, spread: Double) -> Double {
        min(model.responseBytes[b] * 8 / model.bandwidth * spread, 1e5) + model.rtt
    }
}
