import Foundation

/// One HPA and the replica count it drives, for one service in one area.
struct TwinAutoscaler: Sendable {
    var current: Int
    var desired: Int
    /// A scale-up under way: `desired` replicas count from this instant.
    var readyAt: Double?
    /// (time, recommendation) within the scale-down window.
    var recommendations: [(time: Double, replicas: Int)] = []
    var bounds: ReplicaBounds

    init(replicas: Int, bounds: ReplicaBounds) {
        current = replicas
        desired = replicas
        self.bounds = bounds
    }

    /// A replica count set from outside (kubectl scale). It counts as a recommendation at `t`, so that the
    /// scale-down window keeps it for a while, as Kubernetes does with the scale it last saw.
    mutating func set(_ replicas: Int, at t: Double) {
        current = max(replicas, 0)
        desired = current
        readyAt = nil
        recommendations = [(t, current)]
    }

    mutating func finishScaling(at t: Double) {
        if let readyAt, t >= readyAt {
            current = desired
            self.readyAt = nil
        }
    }

    /// One HPA evaluation (Kubernetes' algorithm: ratio of utilisation to target, tolerance, stabilised down-scaling).
    mutating func evaluate(at t: Double, usageCores: Double, requestCores: Double, target: Double, settings: TwinHPASettings) {
        let capacity = Double(current) * requestCores
        let needed = Int((usageCores / (target * requestCores)).rounded(.up))
        var recommendation = needed
        if current > 0, capacity > 0, abs(usageCores / capacity / target - 1) <= settings.tolerance {
            recommendation = current
        }
        recommendation = min(max(recommendation, bounds.min), bounds.max)
        recommendations.append((t, recommendation))
        recommendations.removeAll { $0.time < t - settings.scaleDownStabilizationSeconds }
        let stabilised = recommendations.map(\.replicas).max() ?? recommendation

        if recommendation > current {
            if readyAt == nil || desired != recommendation {
                desired = recommendation
                readyAt = t + settings.podStartupSeconds
            }
        } else if stabilised < current {
            desired = stabilised
            current = stabilised
            readyAt = nil
        } else if readyAt == nil {
            desired = current
        }
    }
}
