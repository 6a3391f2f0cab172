import GMAConfig
import GMAOptimizer

/// The delay band and timing of the control loop (docs/controller.md §2), in seconds.
public struct DelayBand: Sendable, Equatable {
    public var offloadSeconds: Double
    public var unoffloadSeconds: Double
    /// Quantile thresholds; nil disables the quantile conditions.
    public var offloadQuantileSeconds: Double?
    public var unoffloadQuantileSeconds: Double?
    /// Largest delay reduction (offload) / increase (unoffload) one action may ask for; nil: unbounded.
    public var maxReductionSeconds: Double?
    public var maxIncreaseSeconds: Double?

    public init(
        offloadSeconds: Double, unoffloadSeconds: Double, offloadQuantileSeconds: Double? = nil,
        unoffloadQuantileSeconds: Double? = nil, maxReductionSeconds: Double? = nil, maxIncreaseSeconds: Double? = nil
    ) {
        self.offloadSeconds = offloadSeconds
        self.unoffloadSeconds = unoffloadSeconds
        self.offloadQuantileSeconds = offloadQuantileSeconds
        self.unoffloadQuantileSeconds = unoffloadQuantileSeconds
        self.maxReductionSeconds = maxReductionSeconds
        self.maxIncreaseSeconds = maxIncreaseSeconds
    }
}

public struct LoopTiming: Sendable, Equatable {
    /// Camping re-checks the delay this often.
    public var syncPeriodSeconds: Double
    /// W: how long an alarm must persist, and the pause after an action or while HPAs move.
    public var stabilizationWindowSeconds: Double
    /// One alarm re-check; the reference hard-codes 30 s.
    public var alarmCycleSeconds: Double
    /// The window of the telemetry's rates and averages (Prometheus' query period): how far they lag a change.
    public var telemetryWindowSeconds: Double

    public init(
        syncPeriodSeconds: Double, stabilizationWindowSeconds: Double, alarmCycleSeconds: Double = 30,
        telemetryWindowSeconds: Double = 60
    ) {
        self.telemetryWindowSeconds = telemetryWindowSeconds
        self.syncPeriodSeconds = syncPeriodSeconds
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.alarmCycleSeconds = alarmCycleSeconds
    }

    /// n = ⌈W / cycle⌉ alarm checks (at least one).
    public var alarmCycles: Int {
        guard alarmCycleSeconds > 0 else { return 1 }
        return max(Int((stabilizationWindowSeconds / alarmCycleSeconds).rounded(.up)), 1)
    }
}

/// Everything the control loop needs that does not come from telemetry or the cluster.
public struct ControllerSettings: Sendable {
    public var band: DelayBand
    public var timing: LoopTiming
    /// The app as a problem whose measured fields (usage, calls, λ, response sizes, `atEdge`, target) are
    /// filled each cycle: services with their requests, HPA thresholds and locks; prices; the network.
    public var template: PlacementProblem
    /// me: the share of cloud usage attributable to this edge's users, per service (default 1).
    public var resourceScaling: [String: Double]
    public var solver: SolverKind
    public var solveOptions: SolveOptions
    /// A placement plug-in (`exec:PATH`) asked first; the built-in solver is its fallback.
    public var externalSolver: String?
    /// HPA replica bounds per service and area, from the manifests (used before an edge HPA exists).
    public var replicaBounds: [String: PerArea<ReplicaBounds>]
    /// Fast reaction, staged unoffload and consolidation (docs/controller.md §8); `.reference` turns them off.
    public var policy = ControlPolicy()

    public init(
        band: DelayBand, timing: LoopTiming, template: PlacementProblem, resourceScaling: [String: Double] = [:],
        solver: SolverKind = .auto, solveOptions: SolveOptions = SolveOptions(),
        replicaBounds: [String: PerArea<ReplicaBounds>] = [:]
    ) {
        self.replicaBounds = replicaBounds
        self.band = band
        self.timing = timing
        self.template = template
        self.resourceScaling = resourceScaling
        self.solver = solver
        self.solveOptions = solveOptions
    }

    public func scaling(of service: String) -> Double { resourceScaling[service] ?? 1 }

    /// The template's entry for a service: its requests and HPA target.
    public func service(named name: String) -> Service? { template.services.first { $0.name == name } }

    public func bounds(of service: String) -> PerArea<ReplicaBounds> {
        replicaBounds[service] ?? PerArea(cloud: ReplicaBounds(), edge: ReplicaBounds())
    }
}

public struct ReplicaBounds: Sendable, Equatable, Codable {
    public var min: Int
    public var max: Int

    public init(min: Int = 1, max: Int = 1_000_000) {
        self.min = min
        self.max = max
    }
}
