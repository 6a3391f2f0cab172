import GMAOptimizer

/// One edge as the joint controller sees it (docs/multi-edge.md §9): its name, its single-edge settings (its
/// prices and link in the template, its users' share of the cloud usage as `resourceScaling`) and the three
/// sources that read and change its part of the world.
public struct EdgeLane: Sendable {
    public var name: String
    public var settings: ControllerSettings
    public var telemetry: any TelemetrySource
    /// This edge's workloads and HPAs, and the shared cloud's (scaling a cloud workload scales the shared one).
    public var cluster: any ClusterAccess
    public var network: any NetworkConditionsSource

    public init(
        name: String, settings: ControllerSettings, telemetry: any TelemetrySource, cluster: any ClusterAccess,
        network: any NetworkConditionsSource
    ) {
        self.name = name
        self.settings = settings
        self.telemetry = telemetry
        self.cluster = cluster
        self.network = network
    }
}

/// Solves the joint decider's K-edge models; the joint counterpart of `PlacementSolving`.
public protocol JointPlacementSolving: Sendable {
    func solve(_ model: MultiEdgeModel, options: SolveOptions) async -> MultiEdgeSolution
}

/// The built-in K-edge solvers, on the same serial queue as every other solve of the process (GLPK has one
/// owner at a time, and a blocking solve stays off the cooperative pool).
public struct BuiltInJointSolver: JointPlacementSolving {
    public let kind: SolverKind

    public init(_ kind: SolverKind) {
        self.kind = kind
    }

    public func solve(_ model: MultiEdgeModel, options: SolveOptions) async -> MultiEdgeSolution {
        let kind = kind
        return await SolverQueue.shared.run { MultiEdgeSolver.solve(model, using: kind, options: options) }
    }
}
