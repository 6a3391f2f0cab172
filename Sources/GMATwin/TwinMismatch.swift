import Foundation
import GMAControl

/// How far the twin's world is from what the controller is told (docs/twin.md §2): a real cluster never
/// matches the figures in the config, the netinfo file or the app's profile, so neither does the twin.
public struct TwinMismatch: Sendable, Equatable {
    /// True RTT over the netinfo/config figure (1.2: the real RTT is 20 % higher).
    public var rttFactor: Double = 1.1
    /// True link bandwidth over the configured figure.
    public var bandwidthFactor: Double = 1
    /// Each service's true service time (its latency and its CPU time per call) is the profile's times a
    /// factor drawn once per run, uniformly in [1 − x, 1 + x].
    public var serviceTimeSpread: Double = 0.1

    public init() {}

    public init(rttFactor: Double, bandwidthFactor: Double, serviceTimeSpread: Double) {
        self.rttFactor = rttFactor
        self.bandwidthFactor = bandwidthFactor
        self.serviceTimeSpread = serviceTimeSpread
    }

    /// The link as it truly is, for what the controller is told of it: the RTT times `rttFactor`, the cloud-to-edge
    /// bandwidth times `bandwidthFactor` (at least 1e-9 bit/s, so a link cut to nothing divides to a saturated link,
    /// never to a NaN). Every part of the twin that prices, times or samples the link reads it here, so the oracle's
    /// delay floor and the delay it bounds cannot drift apart (docs/twin.md §2).
    func trueLink(_ told: NetworkConditions) -> (rttSeconds: Double, bitsPerSecond: Double) {
        (told.rttSeconds * rttFactor, max(told.cloudToEdgeBitsPerSecond * bandwidthFactor, 1e-9))
    }

    /// No mismatch: the twin's parameters are the controller's.
    public static let none = TwinMismatch(rttFactor: 1, bandwidthFactor: 1, serviceTimeSpread: 0)

    /// The per-service factors of one run, from the seed's own stream (so that noise elsewhere does not
    /// change them).
    func serviceTimeFactors(count: Int, seed: UInt64) -> [Double] {
        var random = TwinRandom.stream(seed: seed, label: 2)
        return (0..<count).map { _ in 1 + serviceTimeSpread * (2 * random.uniform() - 1) }
    }
}
