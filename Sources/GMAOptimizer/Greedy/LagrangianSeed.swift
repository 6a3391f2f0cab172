/// A starting placement from a price on delay: for a multiplier μ (currency per hour per second of delay), every
/// service decides, callees first, whether its edge copy is worth having for a caller already at the edge.
///
/// Per unit of invocations arriving from the edge, a service `g` left in the cloud costs
/// `exclude(g) = μ·(call delay) + (network price of its responses)`, and moved to the edge it costs
/// `include(g) = (edge premium of its CPU) + Σ rate·φ(callee)` with `φ = min(include, exclude)`. Both are linear
/// in the invocations, so one bottom-up pass prices every subtree and one top-down pass from the user collects the
/// services whose `include` wins. μ is then searched (log-scale bisection) for the cheapest placement that meets
/// the target. Rounding of replicas, multiple callers and the load factor make this approximate; the
/// local search that follows works on the exact model.
///
/// This is what lets the greedy start where no single small group reduces the delay: a hub with many callees
/// (the user's entry service typically) only pays once enough of its subtree moves with it.
struct LagrangianSeed {
    private let model: PlacementModel
    private let graph: CallGraph
    private let free: [Bool]
    private let startEdge: [Bool]
    private let premium: [Double]
    private let networkPrice: [Double]
    private var phi: [Double]
    private var include: [Bool]

    init(model: PlacementModel, free: [Bool]) {
        self.model = model
        graph = model.graph
        self.free = free
        startEdge = model.current.atEdge
        let n = model.serviceCount
        premium = (0..<n).map { i in
            let total = model.currentTotalCalls[i]
            guard total > 0 else { return 0 }
            let coresPerInvocation = model.cpuUsageTotal[i] / total / model.hpaThreshold[i]
            return coresPerInvocation
                * (model.replicaPriceEdge[i] / model.cpuRequestEdge[i] - model.replicaPriceCloud[i] / model.cpuRequestCloud[i])
        }
        // The network cost of docs/model.md §9, below saturation: price · λ · 8·X · 3600 / 8 / 1e9 per unit of crossing X.
        let perByte = model.networkPricePerGB * model.lambda * 3600 / 1e9
        networkPrice = model.responseBytes.map { $0 * perByte }
        phi = [Double](repeating: 0, count: n)
        include = [Bool](repeating: false, count: n)
    }

    /// The cheapest placement found by `deadline` (on `GLPKSolver.now()`'s clock) that meets the target, or nil.
    mutating func bestFeasible(deadline: Double) -> [Bool]? {
        var best: PlacementEvaluation?
        var spread = model.loadSpread(traffic: model.current.cloudToEdgeTrafficBitsPerSecond).spread
        // Find a μ that is enough, then bisect on a log scale between it and the last one that was not.
        var low = 1e-3
        var high = 1.0
        while true {
            if GLPKSolver.now() >= deadline { return nil }
            if consider(mu: high, spread: &spread, best: &best) { break }
            low = high
            high *= 8
            if high > 1e12 { return nil }
        }
        for _ in 0..<24 where high / low > 1.001 {
            if GLPKSolver.now() >= deadline { break }
            let mid = (low * high).squareRoot()
            if consider(mu: mid, spread: &spread, best: &best) { high = mid } else { low = mid }
        }
        return best?.atEdge
    }

    /// Evaluates the placement at `mu`; keeps it in `best` if it meets the target and is cheaper.
    private mutating func consider(mu: Double, spread: inout Double, best: inout PlacementEvaluation?) -> Bool {
        // Two passes: the second prices calls with the load factor the first placement produces.
        let first = model.evaluate(placement(mu: mu, spread: spread))
        let nextSpread = model.loadSpread(traffic: first.cloudToEdgeTrafficBitsPerSecond).spread
        let evaluation = model.evaluate(placement(mu: mu, spread: nextSpread))
        guard model.meetsTarget(delaySeconds: evaluation.delaySeconds) else { return false }
        spread = nextSpread
        if best == nil || evaluation.cost.total < best!.cost.total { best = evaluation }
        return true
    }

    /// The placement chosen at multiplier `mu` with call delays at load factor `spread`.
    mutating func placement(mu: Double, spread: Double) -> [Bool] {
        let n = model.serviceCount
        // Callees first: components come callers-first. Calls inside a cycle read the previous estimate.
        for component in graph.components.reversed() {
            let rounds = component.isCyclic ? 3 : 1
            if component.isCyclic { for g in component.members { phi[g] = exclude(g, mu: mu, spread: spread) } }
            for _ in 0..<rounds {
                for g in component.members {
                    var inside = premium[g]
                    for k in graph.outgoingStart[g]..<graph.outgoingStart[g + 1] {
                        let call = graph.calls[graph.outgoing[k]]
                        inside += call.rate * phi[call.to]
                    }
                    let outside = exclude(g, mu: mu, spread: spread)
                    if startEdge[g] && !free[g] {
                        include[g] = true
                        phi[g] = inside
                    } else if free[g] && inside < outside {
                        include[g] = true
                        phi[g] = inside
                    } else {
                        include[g] = false
                        phi[g] = outside
                    }
                }
            }
        }
        // Keep what an invoked edge copy reaches; the rest of the fixed edge set stays as it is.
        var set = [Bool](repeating: false, count: n)
        for i in 0..<n where startEdge[i] && !free[i] { set[i] = true }
        var reached = [Bool](repeating: false, count: n)
        var stack = [n]
        while let a = stack.popLast() {
            for k in graph.outgoingStart[a]..<graph.outgoingStart[a + 1] {
                let g = graph.calls[graph.outgoing[k]].to
                guard !reached[g], include[g] else { continue }
                reached[g] = true
                set[g] = true
                stack.append(g)
            }
        }
        return set
    }

    private func exclude(_ g: Int, mu: Double, spread: Double) -> Double {
        let transfer = min(model.responseBytes[g] * 8 / model.bandwidth * spread, 1e5)
        return mu * (transfer + model.rtt) + networkPrice[g]
    }
}
