/// The K-edge model of docs/multi-edge.md: each edge evaluated as its users' single-edge problem (docs/model.md
/// §3–6 with that edge's placement), and the cloud's replicas from the sum of every edge's cloud share (§4).
public struct MultiEdgeModel: Sendable {
    public let problem: MultiEdgeProblem
    /// One model per edge, of `problem.edgeProblem(e, includingIngress: false)`: its delay, edge replicas and
    /// network cost are the edge's own; its cloud figures are its users' share only.
    public let edges: [PlacementModel]
    public let serviceCount: Int
    let cloudOnlyCPU: [Double]
    let cloudOnlyMemory: [Double]
    let ingressCloudCost: Double
    /// Per edge: removals allowed besides the action's own (a `hold` edge, or `--allow-removal`).
    let allowRemoval: [Bool]

    /// The current placement of every edge, evaluated jointly.
    public private(set) var current: MultiEdgeEvaluation!

    public init(_ problem: MultiEdgeProblem, allowRemoval: Bool = false) throws(ProblemError) {
        let issues = problem.issues()
        if !issues.isEmpty { throw .invalid(source: problem.metadata.name ?? "problem", issues: issues) }
        self.problem = problem
        edges = problem.areas.indices.map { PlacementModel(validated: problem.edgeProblem($0, includingIngress: false)) }
        serviceCount = problem.services.count
        cloudOnlyCPU = problem.services.map { $0.cloudOnlyCpuUsageCores ?? 0 }
        cloudOnlyMemory = problem.services.map { $0.cloudOnlyMemoryUsageBytes ?? 0 }
        if let ingress = problem.ingress, ingress.countsOneCloudReplica {
            let prices = problem.cloud.prices
            ingressCloudCost =
                prices.cpuCoreHour * ingress.cpuRequestCores.cloud + prices.memoryGBHour * (ingress.memoryRequestBytes.cloud / 1e9)
        } else {
            ingressCloudCost = 0
        }
        self.allowRemoval = problem.areas.map { $0.action == .hold || allowRemoval }
        current = evaluate(edges.map(\.current.atEdge))
    }

    public var edgeCount: Int { edges.count }
    public var edgeNames: [String] { problem.areas.map(\.name) }

    /// Evaluates one placement per edge (`placements[e][b]`: service b has a copy at edge e).
    public func evaluate(_ placements: [[Bool]]) -> MultiEdgeEvaluation {
        precondition(placements.count == edgeCount, "\(placements.count) placements for \(edgeCount) edges")
        return combine(placements.indices.map { edges[$0].evaluate(placements[$0]) })
    }

    /// The joint figures of per-edge evaluations (docs/multi-edge.md §4–5).
    public func combine(_ perEdge: [PlacementEvaluation]) -> MultiEdgeEvaluation {
        let n = serviceCount
        var cpu = cloudOnlyCPU
        var memory = cloudOnlyMemory
        for evaluation in perEdge {
            for b in 0..<n {
                cpu[b] += evaluation.cpuUsageCloud[b]
                memory[b] += evaluation.memoryUsageCloud[b]
            }
        }
        let reference = edges[0]
        var replicas = [Double](repeating: 0, count: n)
        var cloudCost = 0.0
        for b in 0..<n {
            replicas[b] = cloudReplicas(b, usage: cpu[b])
            cloudCost += replicas[b] * reference.replicaPriceCloud[b]
        }
        cloudCost += ingressCloudCost
        var edgeCost = 0.0
        var networkCost = 0.0
        for evaluation in perEdge { edgeCost += evaluation.cost.edge }
        for evaluation in perEdge { networkCost += evaluation.cost.network }
        return MultiEdgeEvaluation(
            perEdge: perEdge, cpuUsageCloud: cpu, memoryUsageCloud: memory, replicasCloud: replicas,
            cost: CostBreakdown(total: edgeCost + cloudCost + networkCost, edge: edgeCost, cloud: cloudCost, network: networkCost))
    }

    /// R_c = max(⌈(U/h)/Q.cloud⌉, 1), in the single-edge model's order of operations (docs/model.md §8).
    func cloudReplicas(_ b: Int, usage: Double) -> Double {
        let model = edges[0]
        return max(((usage / model.hpaThreshold[b]) / model.cpuRequestCloud[b]).rounded(.up), 1)
    }

    /// Whether every edge meets its test (docs/multi-edge.md §6).
    public func meetsTargets(_ evaluation: MultiEdgeEvaluation) -> Bool {
        evaluation.perEdge.indices.allSatisfy { edges[$0].meetsTarget(delaySeconds: evaluation.perEdge[$0].delaySeconds) }
    }

    /// By how much the edges miss their delay limits in total (s); 0 when every edge meets its test.
    func targetShortfall(_ evaluation: MultiEdgeEvaluation) -> Double {
        var total = 0.0
        for e in edges.indices where !edges[e].meetsTarget(delaySeconds: evaluation.perEdge[e].delaySeconds) {
            total += max(evaluation.perEdge[e].delaySeconds - edges[e].delayLimitSeconds, 1e-12)
        }
        return total
    }

    /// Which services may be added at / removed from edge e.
    public func movable(edge e: Int) -> (mayAdd: [Bool], mayRemove: [Bool]) {
        edges[e].movable(allowRemoval: allowRemoval[e])
    }
}

/// The joint figures of one placement per edge.
public struct MultiEdgeEvaluation: Sendable {
    /// Each edge's own evaluation: its delay, edge replicas and usage, traffic and network cost. Its cloud
    /// replicas and cloud cost count that edge's users only; the shared figures are below.
    public var perEdge: [PlacementEvaluation]
    /// The shared cloud's usage: the cloud-only users' plus every edge's cloud share.
    public var cpuUsageCloud: [Double]
    public var memoryUsageCloud: [Double]
    public var replicasCloud: [Double]
    /// `edge` and `network` summed over the edges; `cloud` the shared cloud's (ingress included).
    public var cost: CostBreakdown

    public var placements: [[Bool]] { perEdge.map(\.atEdge) }
    public var delaysSeconds: [Double] { perEdge.map(\.delaySeconds) }
}
