import Foundation
import GMAControl

/// The cloud–edge network over simulated time: a starting point and timed changes, each a step or a linear
/// move over `overSeconds`.
public struct NetworkProfile: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var atSeconds: Double
        public var overSeconds: Double
        public var rttSeconds: Double?
        public var bandwidthBitsPerSecond: Double?

        public init(atSeconds: Double, overSeconds: Double = 0, rttSeconds: Double? = nil, bandwidthBitsPerSecond: Double? = nil) {
            self.atSeconds = atSeconds
            self.overSeconds = overSeconds
            self.rttSeconds = rttSeconds
            self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
        }
    }

    public var rttSeconds: Double
    public var bandwidthBitsPerSecond: Double
    public var changes: [Change]

    public init(rttSeconds: Double, bandwidthBitsPerSecond: Double, changes: [Change] = []) {
        self.rttSeconds = rttSeconds
        self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
        self.changes = changes.sorted { $0.atSeconds < $1.atSeconds }
    }

    public func conditions(at t: Double) -> NetworkConditions {
        let rtt = value(at: t, initial: rttSeconds, \.rttSeconds)
        let bandwidth = value(at: t, initial: bandwidthBitsPerSecond, \.bandwidthBitsPerSecond)
        return NetworkConditions(rttSeconds: rtt, cloudToEdgeBitsPerSecond: bandwidth, edgeToCloudBitsPerSecond: bandwidth)
    }

    private func value(at t: Double, initial: Double, _ key: KeyPath<Change, Double?>) -> Double {
        var current = initial
        for change in changes {
            guard let target = change[keyPath: key], t >= change.atSeconds else { continue }
            if change.overSeconds > 0, t < change.atSeconds + change.overSeconds {
                return current + (target - current) * (t - change.atSeconds) / change.overSeconds
            }
            current = target
        }
        return current
    }
}
