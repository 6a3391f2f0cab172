/// Cost and delay of "the committed placement with a few services flipped", without rebuilding the model.
///
/// A flip changes the invocations only of the flipped services and of the edge copies reachable from them
/// through edge copies: a service that stays in the cloud receives, in total, the invocations of its callers'
/// two copies, which do not depend on the placement (docs/model.md §3). So a trial recomputes N over
/// that region only, callers first, and turns the changed calls into deltas of the two sums the delay and the
/// traffic are made of (crossing bytes X and crossing calls Y, docs/model.md §4–6). Replica costs are per service
/// (docs/model.md §7–9), so their delta is local too.
///
/// Committing a move re-evaluates the whole placement with `PlacementModel.evaluate`, so the committed figures
/// are the model's own, bit for bit, and rounding never accumulates across moves.
struct IncrementalEvaluator {
    /// What a trial says about a flipped placement (approximate in the last bits; commits are exact).
    struct Outcome {
        var cost: Double
        var delay: Double
    }

    /// A move's effect on the sums the figures are made of. Effects of moves far apart add up, which is how
    /// swaps are screened without a trial per pair.
    struct Delta {
        /// Replica cost (edge + cloud), currency per hour.
        var compute = 0.0
        /// Crossing bytes X (per request) and crossing calls Y (per request).
        var bytes = 0.0
        var calls = 0.0
        /// False when a cyclic component had no finite solution (never for validated problems).
        var solvable = true
        /// Network delay of the flipped placement when the link saturates so far that some transfer times hit
        /// the model's cap (docs/model.md §6): the sums above no longer give it, so the trial adds it up per call
        /// while its arrays hold the flipped placement. Valid only on the commit `cappedAt` it was made on.
        var cappedNetwork: Double?
        var cappedAt = -1

        static func + (a: Delta, b: Delta) -> Delta {
            // A combined move has no per-call sum: its outcome falls back to the uncapped bound.
            Delta(
                compute: a.compute + b.compute, bytes: a.bytes + b.bytes, calls: a.calls + b.calls,
                solvable: a.solvable && b.solvable)
        }
    }

    let model: PlacementModel
    let serviceCount: Int
    private let graph: CallGraph
    /// Component (callers-first index) of each service; the user has none.
    let componentOf: [Int]
    private let maxResponseBytes: Double

    // The committed placement; arrays have one more slot, for the user (always at the edge).
    private(set) var atEdge: [Bool]
    private(set) var cloudN: [Double]
    private(set) var edgeN: [Double]
    private(set) var evaluation: PlacementEvaluation
    private var serviceCost: [Double]
    private var computeCost: Double
    private var crossingBytes: Double
    private var crossingCalls: Double

    // Trial scratch space: equal to the committed arrays outside a trial.
    private var trialEdge: [Bool]
    private var trialCloudN: [Double]
    private var trialEdgeN: [Double]
    private var affectedMark: [UInt32]
    private var queuedMark: [UInt32]
    private var epoch: UInt32 = 0
    private var affected: [Int] = []
    private var queue = MinHeap()

    /// Number of trials so far (the solution's `nodes`).
    private(set) var trials = 0
    /// The services whose figures the last trial changed (the flipped ones included).
    var lastAffected: [Int] { affected }
    /// Commits so far; `dirtyAt[v]` is the commit that last changed something a trial touching `v` reads
    /// (`v`, a caller or a callee of `v`, or a member of its cycle).
    private(set) var version = 0
    private(set) var dirtyAt: [Int]

    init(model: PlacementModel, atEdge initial: [Bool]) {
        self.model = model
        let n = model.serviceCount
        serviceCount = n
        graph = model.graph
        var componentOf = [Int](repeating: -1, count: n + 1)
        for (c, component) in graph.components.enumerated() {
            for m in component.members { componentOf[m] = c }
        }
        self.componentOf = componentOf
        maxResponseBytes = model.responseBytes.max() ?? 0
        atEdge = initial + [true]
        cloudN = []
        edgeN = []
        evaluation = model.current
        serviceCost = []
        computeCost = 0
        crossingBytes = 0
        crossingCalls = 0
        trialEdge = []
        trialCloudN = []
        trialEdgeN = []
        affectedMark = [UInt32](repeating: 0, count: n + 1)
        queuedMark = [UInt32](repeating: 0, count: graph.components.count)
        dirtyAt = [Int](repeating: 0, count: n + 1)
        resynchronise()
    }

    // MARK: - Committed placement

    var cost: Double { evaluation.cost.total }
    var delay: Double { evaluation.delaySeconds }
    var edgeSet: [Bool] { Array(atEdge[0..<serviceCount]) }
    var meetsTarget: Bool { model.meetsTarget(delaySeconds: evaluation.delaySeconds) }

    /// Applies the flips and re-evaluates the placement exactly.
    mutating func commit(flipping group: some Sequence<Int>) {
        for v in group { atEdge[v].toggle() }
        resynchronise()
    }

    /// Replaces the committed placement.
    mutating func reset(to set: [Bool]) {
        atEdge = set + [true]
        resynchronise()
    }

    private mutating func resynchronise() {
        let n = serviceCount
        let before = (edge: trialEdge, cloud: cloudN, edgeN: edgeN)
        evaluation = model.evaluate(Array(atEdge[0..<n]))
        cloudN = evaluation.cloudCalls + [0]
        edgeN = evaluation.edgeCalls + [1]
        if before.edge.count == n + 1 {
            version += 1
            for v in 0..<n where before.edge[v] != atEdge[v] || before.cloud[v] != cloudN[v] || before.edgeN[v] != edgeN[v] {
                markDirty(v)
            }
        }
        serviceCost = (0..<n).map { replicaCost(of: $0, cloud: cloudN[$0], edge: edgeN[$0]) }
        computeCost = evaluation.cost.edge + evaluation.cost.cloud
        // Same loop as the model's, so X and Y agree with its traffic to the bit.
        var bytes = 0.0
        var calls = 0.0
        for call in graph.calls where atEdge[call.from] && !atEdge[call.to] {
            bytes += edgeN[call.from] * call.rate * model.responseBytes[call.to]
            calls += edgeN[call.from] * call.rate
        }
        crossingBytes = bytes
        crossingCalls = calls
        trialEdge = atEdge
        trialCloudN = cloudN
        trialEdgeN = edgeN
    }

    private mutating func markDirty(_ v: Int) {
        let component = graph.components[componentOf[v]]
        for m in component.isCyclic ? component.members : [v] {
            dirtyAt[m] = version
            for k in graph.outgoingStart[m]..<graph.outgoingStart[m + 1] { dirtyAt[graph.calls[graph.outgoing[k]].to] = version }
            for k in graph.incomingStart[m]..<graph.incomingStart[m + 1] { dirtyAt[graph.calls[graph.incoming[k]].from] = version }
        }
    }

    /// Hourly replica cost of one service with these invocations (docs/model.md §7–8, the model's order of operations).
    private func replicaCost(of i: Int, cloud: Double, edge: Double) -> Double {
        let total = model.currentTotalCalls[i]
        let usage = model.cpuUsageTotal[i]
        var cpuCloud = usage
        var cpuEdge = 0.0
        if total > 0 {
            cpuCloud = usage * (cloud / total)
            cpuEdge = usage * (edge / total)
        }
        let h = model.hpaThreshold[i]
        let replicasCloud = max(((cpuCloud / h) / model.cpuRequestCloud[i]).rounded(.up), 1)
        let replicasEdge = ((cpuEdge / h) / model.cpuRequestEdge[i]).rounded(.up)
        return replicasEdge * model.replicaPriceEdge[i] + replicasCloud * model.replicaPriceCloud[i]
    }

    // MARK: - Trials

    /// Cost and delay of the committed placement with the services of `group` flipped (distinct indices).
    mutating func trial(flipping group: ArraySlice<Int>) -> Outcome {
        outcome(of: delta(flipping: group))
    }

    /// The figures of the committed placement changed by `delta`.
    func outcome(of delta: Delta) -> Outcome {
        guard delta.solvable else { return Outcome(cost: .infinity, delay: .infinity) }
        return figures(
            bytes: crossingBytes + delta.bytes, calls: crossingCalls + delta.calls, compute: computeCost + delta.compute,
            cappedNetwork: delta.cappedAt == version ? delta.cappedNetwork : nil)
    }

    /// The effect of flipping the services of `group` (distinct indices) on the committed placement.
    mutating func delta(flipping group: ArraySlice<Int>) -> Delta {
        trials += 1
        epoch &+= 1
        if epoch == 0 {
            // The marks wrapped around: clear them so no stale mark equals a live epoch.
            for i in affectedMark.indices { affectedMark[i] = 0 }
            for i in queuedMark.indices { queuedMark[i] = 0 }
            epoch = 1
        }
        affected.removeAll(keepingCapacity: true)
        for v in group {
            trialEdge[v].toggle()
            markAffected(v)
            enqueue(componentOf[v])
        }
        var solvable = true
        while let c = queue.popMin() {
            solvable = propagate(component: c) && solvable
        }

        var deltaCompute = 0.0
        var deltaBytes = 0.0
        var deltaCalls = 0.0
        let responseBytes = model.responseBytes
        for v in affected {
            deltaCompute += replicaCost(of: v, cloud: trialCloudN[v], edge: trialEdgeN[v]) - serviceCost[v]
            for k in graph.outgoingStart[v]..<graph.outgoingStart[v + 1] {
                let call = graph.calls[graph.outgoing[k]]
                let before = atEdge[call.to] ? 0 : edgeN[v] * call.rate
                let after = trialEdge[call.to] ? 0 : trialEdgeN[v] * call.rate
                if before != after {
                    deltaBytes += (after - before) * responseBytes[call.to]
                    deltaCalls += after - before
                }
            }
            guard trialEdge[v] != atEdge[v] else { continue }
            // Calls into a flipped service from callers the trial did not change (the others were counted above).
            for k in graph.incomingStart[v]..<graph.incomingStart[v + 1] {
                let call = graph.calls[graph.incoming[k]]
                guard affectedMark[call.from] != epoch, edgeN[call.from] != 0 else { continue }
                let flow = edgeN[call.from] * call.rate
                let change = trialEdge[v] ? -flow : flow
                deltaBytes += change * responseBytes[v]
                deltaCalls += change
            }
        }
        var result = Delta(compute: deltaCompute, bytes: deltaBytes, calls: deltaCalls, solvable: solvable)
        let spread = model.loadSpread(traffic: model.lambda * 8 * max(crossingBytes + deltaBytes, 0)).spread
        if solvable && isCapped(spread: spread) {
            result.cappedNetwork = cappedNetworkDelay(spread: spread)
            result.cappedAt = version
        }

        for v in affected {
            trialEdge[v] = atEdge[v]
            trialCloudN[v] = cloudN[v]
            trialEdgeN[v] = edgeN[v]
        }
        return result
    }

    private mutating func markAffected(_ v: Int) {
        if affectedMark[v] != epoch {
            affectedMark[v] = epoch
            affected.append(v)
        }
    }

    private mutating func enqueue(_ component: Int) {
        if queuedMark[component] != epoch {
            queuedMark[component] = epoch
            queue.push(component)
        }
    }

    /// Recomputes one component's invocations from its callers' trial values; queues the components downstream
    /// whose edge copies may change in turn.
    private mutating func propagate(component c: Int) -> Bool {
        let component = graph.components[c]
        var changed = false
        if !component.isCyclic {
            let b = component.members[0]
            var fromEdge = 0.0
            var fromCloud = 0.0
            for k in graph.incomingStart[b]..<graph.incomingStart[b + 1] {
                let call = graph.calls[graph.incoming[k]]
                fromEdge += call.rate * trialEdgeN[call.from]
                fromCloud += call.rate * trialCloudN[call.from]
            }
            let (newEdge, newCloud) = trialEdge[b] ? (fromEdge, fromCloud) : (0, fromCloud + fromEdge)
            if newEdge != trialEdgeN[b] || newCloud != trialCloudN[b] {
                trialEdgeN[b] = newEdge
                trialCloudN[b] = newCloud
                markAffected(b)
                changed = true
            }
        } else {
            guard let (edge, cloud) = solveCyclic(c) else { return false }
            for (i, b) in component.members.enumerated() where edge[i] != trialEdgeN[b] || cloud[i] != trialCloudN[b] {
                trialEdgeN[b] = edge[i]
                trialCloudN[b] = cloud[i]
                markAffected(b)
                changed = true
            }
        }
        // Unchanged invocations leave every callee as it was, whatever was flipped here.
        guard changed else { return true }
        for b in component.members {
            for k in graph.outgoingStart[b]..<graph.outgoingStart[b + 1] {
                let w = graph.calls[graph.outgoing[k]].to
                let target = componentOf[w]
                // A callee that stays in the cloud keeps its invocations (see the type's comment).
                if target != c && (trialEdge[w] || graph.components[target].isCyclic) { enqueue(target) }
            }
        }
        return true
    }

    /// Invocations of a cyclic component's copies from the trial values of its callers (docs/model.md §3, solved
    /// densely: the components of real call graphs are small).
    private func solveCyclic(_ c: Int) -> (edge: [Double], cloud: [Double])? {
        let component = graph.components[c]
        let members = component.members
        let k = members.count
        var matrix = [Double](repeating: 0, count: k * k)
        var rhs = [Double](repeating: 0, count: k)
        for (i, b) in members.enumerated() {
            matrix[i * k + i] = 1
            guard trialEdge[b] else { continue }
            for e in graph.incomingStart[b]..<graph.incomingStart[b + 1] {
                let call = graph.calls[graph.incoming[e]]
                if componentOf[call.from] != c { rhs[i] += call.rate * trialEdgeN[call.from] }
            }
        }
        for call in component.internalCalls where trialEdge[members[call.from]] && trialEdge[members[call.to]] {
            matrix[call.to * k + call.from] -= call.rate
        }
        guard var edge = DenseSystem.solveMMatrix(matrix, rhs, size: k) else { return nil }
        for (i, b) in members.enumerated() where !trialEdge[b] { edge[i] = 0 }

        matrix = [Double](repeating: 0, count: k * k)
        rhs = [Double](repeating: 0, count: k)
        var local: [Int: Int] = [:]
        for (i, b) in members.enumerated() { local[b] = i }
        for (i, b) in members.enumerated() {
            matrix[i * k + i] = 1
            for e in graph.incomingStart[b]..<graph.incomingStart[b + 1] {
                let call = graph.calls[graph.incoming[e]]
                let inside = local[call.from]
                if inside == nil { rhs[i] += call.rate * trialCloudN[call.from] }
                if !trialEdge[b] { rhs[i] += call.rate * (inside.map { edge[$0] } ?? trialEdgeN[call.from]) }
            }
        }
        for call in component.internalCalls {
            matrix[call.to * k + call.from] -= call.rate
        }
        guard let cloud = DenseSystem.solveMMatrix(matrix, rhs, size: k) else { return nil }
        return (edge, cloud)
    }

    /// Whether some transfer time reaches the model's 1e5 s cap at this load factor (docs/model.md §6).
    private func isCapped(spread: Double) -> Bool {
        model.lambda != 0 && maxResponseBytes * 8 / model.bandwidth * spread > 1e5
    }

    /// Delay and total cost from the crossing sums (docs/model.md §4–6, §9 network price). Past the cap the
    /// uncapped sum is an upper bound of the delay: moves without their exact per-call sum look no better
    /// than they are, and commits re-check exactly.
    private func figures(bytes rawBytes: Double, calls rawCalls: Double, compute: Double, cappedNetwork: Double?)
        -> Outcome
    {
        let bytes = max(rawBytes, 0)
        let calls = max(rawCalls, 0)
        let lambda = model.lambda
        let bandwidth = model.bandwidth
        let traffic = lambda * 8 * bytes
        let (rho, spread) = model.loadSpread(traffic: traffic)
        var network = 0.0
        if lambda != 0 {
            network = 8 / bandwidth * spread * bytes + model.rtt * calls
            if let cappedNetwork, isCapped(spread: spread) { network = cappedNetwork }
        }
        let delay = min(network + evaluation.internalDelaySeconds, 1e5)
        let networkCost = model.networkPricePerGB * (rho * bandwidth) * 3600 / 8 / 1e9
        return Outcome(cost: compute + networkCost, delay: delay)
    }

    /// The per-call sum over the trial arrays, for the saturated regime where some transfer times hit the
    /// model's 1e5 s cap.
    private func cappedNetworkDelay(spread: Double) -> Double {
        var total = 0.0
        for call in graph.calls where trialEdge[call.from] && !trialEdge[call.to] {
            let transfer = min(model.responseBytes[call.to] * 8 / model.bandwidth * spread, 1e5)
            total += trialEdgeN[call.from] * call.rate * (transfer + model.rtt)
        }
        return total
    }
}
