import Foundation
import GMAConfig
import GMAOptimizer

/// The states of docs/controller.md §2.
public enum ControllerState: String, Sendable, Equatable, CaseIterable {
    case camping
    case hpaRunning = "hpa-running"
    case offloadAlarm = "offload-alarm"
    case unoffloadAlarm = "unoffload-alarm"
    case offloading
    case unoffloading
}

public enum PlacementActionKind: String, Sendable, Equatable {
    case offload
    case unoffload
    /// A cheaper placement while the delay is in band (docs/controller.md §8.3).
    case consolidate
    case none
}

/// What the loop decided in one cycle: the action, why, on what telemetry, and the commands it implies.
public struct ControllerDecision: Sendable {
    public var time: Date
    public var action: PlacementActionKind
    public var reason: String
    public var meanDelaySeconds: Double?
    public var quantileDelaySeconds: Double?
    public var userRequestsPerSecond: Double?
    /// The problem that was solved (nil when no placement was computed).
    public var problem: PlacementProblem?
    public var placement: PlacementSolution?
    /// Cluster operations, in the order they run.
    public var operations: [ClusterOperation]
    /// What could not be read for this decision, one line per source (the cluster, or a Prometheus query
    /// family by name); empty when everything answered. `gma decide` exits 3 when it is not empty.
    public var readFailures: [String] = []

    public init(
        time: Date, action: PlacementActionKind, reason: String, meanDelaySeconds: Double? = nil,
        quantileDelaySeconds: Double? = nil, userRequestsPerSecond: Double? = nil, problem: PlacementProblem? = nil,
        placement: PlacementSolution? = nil, operations: [ClusterOperation] = []
    ) {
        self.time = time
        self.action = action
        self.reason = reason
        self.meanDelaySeconds = meanDelaySeconds
        self.quantileDelaySeconds = quantileDelaySeconds
        self.userRequestsPerSecond = userRequestsPerSecond
        self.problem = problem
        self.placement = placement
        self.operations = operations
    }
}

/// One change to the clusters (docs/controller.md §5), independent of how it is carried out.
public enum ClusterOperation: Sendable, Equatable, CustomStringConvertible {
    case scale(service: String, area: ClusterArea, replicas: Int)
    case apply(service: String)
    case delete(service: String)

    public var description: String {
        switch self {
        case .scale(let s, let area, let n): "scale \(s) in \(area.rawValue) to \(n)"
        case .apply(let s): "apply edge manifests of \(s)"
        case .delete(let s): "delete edge manifests of \(s)"
        }
    }
}

/// What observers (CLI output, journal, metrics, the twin's timeline) are told.
public enum ControllerEvent: Sendable {
    case transition(time: Date, from: ControllerState, to: ControllerState, reason: String)
    /// One observation of the delay (nil values are unknown).
    case observed(time: Date, state: ControllerState, meanDelaySeconds: Double?, quantileDelaySeconds: Double?)
    case decided(ControllerDecision)
    /// A cluster operation failed; the next cycle re-reads the cluster and converges.
    case operationFailed(time: Date, operation: ClusterOperation, error: String)
    /// Data was unknown or a source failed, so nothing was decided this cycle.
    case skipped(time: Date, state: ControllerState, reason: String)
}
