import Foundation

/// How the twin behaves, apart from the app, the load and the network.
public struct TwinSettings: Sendable, Equatable {
    /// The world is advanced in steps of this size (s); telemetry and the timeline see these steps.
    public var tickSeconds: Double = 5
    /// apply → the edge pods serve traffic (image pull, start, readiness, Istio picking them up).
    public var rolloutSeconds: Double = 30
    /// delete → the edge pods stop serving (graceful termination).
    public var removalSeconds: Double = 10
    public var hpa = TwinHPASettings()
    /// Prometheus' rate window: measured values average the last this many seconds.
    public var telemetryWindowSeconds: Double = 60
    /// Relative standard deviation of the measured delay on top of the sampling noise of the window.
    public var delayNoise: Double = 0.02
    /// Relative standard deviation of measured CPU and memory usage.
    public var usageNoise: Double = 0.02
    /// A pod may use this many times its CPU request (its limit, Burstable QoS); the HPA's utilisation is
    /// over the request, so it reads up to this factor × 100 % before the replica saturates.
    public var cpuLimitFactor: Double = 2
    /// How far the twin's parameters are from the controller's figures (docs/twin.md §2).
    public var mismatch = TwinMismatch()
    /// Coefficient of variation of a service's latency, for the quantile and the sampling noise.
    public var processingVariation: Double = 0.5
    /// p of the reported delay quantile.
    public var delayQuantile: Double = 0.9
    /// Requests slower than this time out: the measured delay cannot exceed it (a saturated link).
    public var timeoutSeconds: Double = 10
    public var seed: UInt64 = 1

    public init() {}
}

/// The Kubernetes HorizontalPodAutoscaler as the twin plays it (autoscaling/v2 defaults, shortened).
public struct TwinHPASettings: Sendable, Equatable {
    /// How often the autoscalers re-evaluate (kube-controller-manager's sync period).
    public var syncSeconds: Double = 15
    /// New replicas count (and serve) after this long.
    public var podStartupSeconds: Double = 20
    /// No change while |utilisation/target − 1| is within this.
    public var tolerance: Double = 0.1
    /// Scale-down uses the highest recommendation of this window (Kubernetes' default is 300 s).
    public var scaleDownStabilizationSeconds: Double = 60

    public init() {}
}
