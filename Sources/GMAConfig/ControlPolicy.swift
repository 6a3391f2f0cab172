import Foundation

/// gma's extensions to the reference's control rules (docs/controller.md §8): a fast reaction far above the
/// band, a staged unoffload, and consolidation while in band. `reference` turns them all off.
public struct ControlPolicy: Sendable, Equatable {
    /// Far above the band, act after one confirming check instead of the whole window.
    public var fastReaction = true
    /// "Far above": the mean at or above this multiple of the offload threshold (or the quantile's). 1.1 is the
    /// HPA's tolerance: within 10 % of the threshold the window still applies (docs/controller.md §8.1).
    public var fastFactor = 1.1
    /// The confirming check comes this long after the alarm starts (s).
    public var fastConfirmSeconds = 15.0
    /// A delay above the band that the model explains — its delay for the current placement on the measured
    /// load and network, plus the usual gap between it and the measured delay, is above the threshold too — is
    /// a change of the world, not noise: one confirming check, as far above (docs/controller.md §8.1).
    public var fastWhenExplained = true
    /// A far excess confirmed while the load still rises plans the offload for the rise carried on over the
    /// telemetry window's lag (instead of waiting for a steady load).
    public var projectRamps = true
    /// In band, a load rising steadily enough that the model puts the delay above the band by the time an offload
    /// would serve starts the offload alarm ahead of the window (docs/controller.md §8.1).
    public var leadRises = true
    /// Unoffload scales the cloud up first, waits for its ready replicas, then deletes the edge copies.
    public var stagedUnoffload = true
    /// An unoffload alarm counts its window at a steady load: a load that jumped more than 10 % between two
    /// checks restarts the count, and so does a world still getting better, for at most a dwell
    /// (docs/controller.md §8.2).
    public var steadyUnoffload = true
    /// An unoffload (and a consolidation) plans on the link's traffic this many standard deviations of its sampling
    /// error above the measured one. These moves give back and may send more traffic over the link; near a full
    /// link its delay grows as 1/(1 − ρ), and the traffic the model counts comes from call rates counted over the
    /// window, so a rarely called service's share can be 10–20 % off and double the link's term
    /// (docs/controller.md §8.2). Offloads plan on the measured traffic. 0 turns the bound off.
    public var trafficConfidence = 2.0
    /// How long a staged unoffload waits for the cloud's ready replicas before it deletes anyway (s).
    public var readyWaitSeconds = 90.0
    public var consolidation = ConsolidationPolicy()

    public init() {}

    /// The reference's behaviour: W everywhere, unoffload pair by pair, no consolidation.
    public static let reference: ControlPolicy = {
        var p = ControlPolicy()
        p.fastReaction = false
        p.fastWhenExplained = false
        p.projectRamps = false
        p.leadRises = false
        p.stagedUnoffload = false
        p.steadyUnoffload = false
        p.trafficConfidence = 0
        p.consolidation.enabled = false
        return p
    }()
}

/// Moving to a cheaper placement while the delay is in band (docs/controller.md §8.3).
public struct ConsolidationPolicy: Sendable, Equatable {
    public var enabled = true
    /// In band this long (no action, no band exit) before a consolidation, and at most one per this time (s).
    public var dwellSeconds = 600.0
    /// The predicted delay must stay this far below the band's midpoint (s).
    public var marginSeconds = 0.005
    /// The candidate must cost at least this share less than the current placement.
    public var minimumSaving = 0.10
    /// Before the dwell, once the stabilisation window has passed (at most one consolidation per dwell still):
    /// move to a cheaper placement the model predicts is no slower than the current one, or, when the load has
    /// fallen by `earlyLoadFall` or more below its peak since the last action, to one in band.
    public var early = true
    /// The share of its peak the load must have fallen by for an early consolidation in band.
    public var earlyLoadFall = 0.3

    public init() {}
}
