/// Hourly cost of a placement (docs/model.md §9).
public struct CostBreakdown: Sendable, Equatable {
    public var total: Double
    public var edge: Double
    public var cloud: Double
    public var network: Double

    public init(total: Double, edge: Double, cloud: Double, network: Double) {
        self.total = total
        self.edge = edge
        self.cloud = cloud
        self.network = network
    }
}

/// Everything the model says about one candidate placement. Arrays are indexed by service.
public struct PlacementEvaluation: Sendable {
    /// `atEdge[i]`: service `i` has an edge copy in this placement.
    public var atEdge: [Bool]
    /// N: invocations per user request of each cloud / edge copy (docs/model.md §3).
    public var cloudCalls: [Double]
    public var edgeCalls: [Double]
    /// T: cloud→edge response traffic, unclipped (bit/s).
    public var cloudToEdgeTrafficBitsPerSecond: Double
    /// ρ = min(T/B, 1).
    public var rho: Double
    public var networkDelaySeconds: Double
    public var internalDelaySeconds: Double
    /// min(network + internal, 1e5): the edge users' mean delay (s).
    public var delaySeconds: Double
    public var cpuUsageCloud: [Double]
    public var cpuUsageEdge: [Double]
    public var memoryUsageCloud: [Double]
    public var memoryUsageEdge: [Double]
    /// Replica counts (integral values; kept as Double because absurd inputs may exceed `Int`).
    public var replicasCloud: [Double]
    public var replicasEdge: [Double]
    public var ingressCloudReplicas: Int
    public var cost: CostBreakdown

    /// Stands in while a model computes its own reference placements.
    static let empty = PlacementEvaluation(
        atEdge: [], cloudCalls: [], edgeCalls: [], cloudToEdgeTrafficBitsPerSecond: 0, rho: 0, networkDelaySeconds: 0,
        internalDelaySeconds: 0, delaySeconds: 0, cpuUsageCloud: [], cpuUsageEdge: [], memoryUsageCloud: [],
        memoryUsageEdge: [], replicasCloud: [], replicasEdge: [], ingressCloudReplicas: 0,
        cost: CostBreakdown(total: 0, edge: 0, cloud: 0, network: 0))

    /// Indices of the services at the edge whose edge copy is actually invoked (N_edge > 0).
    public var reachedEdgeServices: [Int] {
        atEdge.indices.filter { atEdge[$0] && edgeCalls[$0] > 0 }
    }
}
