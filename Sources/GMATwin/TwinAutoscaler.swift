import Foundation
import GMAControl

/// One HPA and the replica count it drives, for one service in one area.
///
/// Replicas are either ready (`current`: they serve and count as capacity) or starting (`starting`: created,
/// ready at their own instant). Each scale-up adds a batch, so a load that keeps rising does not push back the
/// replicas already on their way (a Deployment's pods start independently of later changes to its size).
struct TwinAutoscaler: Sendable {
    /// Ready replicas.
    var current: Int
    /// Batches of replicas created and not ready yet, in creation order.
    var starting: [(readyAt: Double, replicas: Int)] = []
    /// (time, recommendation) within the scale-down window.
    var recommendations: [(time: Double, replicas: Int)] = []
    var bounds: ReplicaBounds

    init(replicas: Int, bounds: ReplicaBounds) {
        current = replicas
        self.bounds = bounds
    }

    /// The Deployment's size: ready plus starting replicas (the HPA status' desired count).
    var desired: Int { current + starting.reduce(0) { $0 + $1.replicas } }

    /// A replica count set from outside (kubectl scale). Added replicas start like any other (ready after
    /// `startup`); removed ones go at once, the starting ones first. It counts as a recommendation at `t`, so
    /// that the scale-down window keeps it for a while, as Kubernetes does with the scale it last saw.
    mutating func set(_ replicas: Int, at t: Double, startup: Double = 0) {
        let target = max(replicas, 0)
        if target > desired {
            let added = target - desired
            if startup > 0 { starting.append((t + startup, added)) } else { current += added }
        } else {
            shrink(to: target)
        }
        recommendations = [(t, target)]
    }

    mutating func finishScaling(at t: Double) {
        let ready = starting.filter { $0.readyAt <= t + 1e-9 }
        guard !ready.isEmpty else { return }
        current += ready.reduce(0) { $0 + $1.replicas }
        starting.removeAll { $0.readyAt <= t + 1e-9 }
    }

    /// One HPA evaluation (Kubernetes' algorithm: ratio of utilisation to target, tolerance, stabilised
    /// down-scaling; bounds apply at once in both directions).
    mutating func evaluate(at t: Double, usageCores: Double, requestCores: Double, target: Double, settings: TwinHPASettings) {
        let capacity = Double(current) * requestCores
        var recommendation = Int((usageCores / (target * requestCores)).rounded(.up))
        if current > 0, capacity > 0, abs(usageCores / capacity / target - 1) <= settings.tolerance {
            recommendation = desired
        }
        recommendation = min(max(recommendation, bounds.min), bounds.max)
        recommendations.append((t, recommendation))
        recommendations.removeAll { $0.time < t - settings.scaleDownStabilizationSeconds }
        // Scale down to the highest recommendation of the window, never above the maximum.
        let stabilised = min(recommendations.map(\.replicas).max() ?? recommendation, bounds.max)

        if recommendation > desired {
            starting.append((t + settings.podStartupSeconds, recommendation - desired))
        } else if stabilised < desired {
            shrink(to: stabilised)
        }
    }

    /// Removes replicas down to `target`: the ones still starting first, the newest of them first.
    private mutating func shrink(to target: Int) {
        var excess = desired - max(target, 0)
        while excess > 0, let last = starting.last {
            let removed = min(excess, last.replicas)
            excess -= removed
            if removed == last.replicas { starting.removeLast() } else { starting[starting.count - 1].replicas -= removed }
        }
        current -= min(excess, current)
    }
}
