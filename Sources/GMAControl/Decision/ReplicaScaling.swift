import Foundation

/// The replica counts gma sets when it moves a service (docs/controller.md §5), as pure functions.
///
/// `resourceScaling` is `me` of the spec: the edge's share of the user load relative to the cloud's.
/// A scaling of zero, below zero, NaN or infinite is treated as 1 (the reference divided by it; docs/differences.md D16,
/// D27), and a negative current count as zero.
public enum ReplicaScaling {
    /// Unoffload: the cloud absorbs the edge's replicas, `clamp(rc + ⌈re / me⌉, min, max)` (cloud HPA bounds).
    public static func cloudReplicasAfterUnoffload(
        cloudCurrent: Int, edgeCurrent: Int, resourceScaling: Double, cloudMin: Int, cloudMax: Int
    ) -> Int {
        let me = guarded(resourceScaling)
        let wanted = Double(max(cloudCurrent, 0)) + (Double(max(edgeCurrent, 0)) / me).rounded(.up)
        return clamp(wanted, min: cloudMin, max: cloudMax)
    }

    /// Offload: the new edge copy starts at `clamp(⌈me · rc⌉, min, max)` (edge HPA bounds).
    public static func edgeReplicasAfterOffload(
        cloudCurrent: Int, resourceScaling: Double, edgeMin: Int, edgeMax: Int
    ) -> Int {
        let me = guarded(resourceScaling)
        return clamp((me * Double(max(cloudCurrent, 0))).rounded(.up), min: edgeMin, max: edgeMax)
    }

    /// The size a Deployment is heading for: the larger of the HPA's current and desired counts. During a surge the
    /// HPA has already asked for more replicas than are running; an edge copy sized on the running ones took the
    /// edge HPA another scale-up and pod start to serve the crowd (docs/controller.md §5). nil when neither is known.
    public static func deploymentSize(_ status: HPAStatus?) -> Int? {
        switch (status?.currentReplicas, status?.desiredReplicas) {
        case (let current?, let desired?): max(current, desired)
        case (let current, let desired): current ?? desired
        }
    }

    /// Offload, from usage: the fewest replicas that serve the edge's share `me` of the CPU the service uses at their
    /// full request, `⌈me · usage / request⌉`, clamped to the edge HPA's bounds; nil when the usage or the request is
    /// unknown or not positive. The edge HPA takes the copy from there to its own target. For a plan ahead of a rise
    /// the usage is the planned one (docs/controller.md §5).
    public static func edgeReplicasForUsage(
        cpuCores: Double?, resourceScaling: Double, cpuRequestCores: Double, edgeMin: Int, edgeMax: Int
    ) -> Int? {
        guard let cpuCores, cpuCores > 0, cpuRequestCores > 0 else { return nil }
        return clamp((guarded(resourceScaling) * cpuCores / cpuRequestCores).rounded(.up), min: edgeMin, max: edgeMax)
    }

    /// Unoffload, from usage: the replicas the cloud HPA settles on once the service's whole CPU (cloud and edge)
    /// runs there, `⌈usage / (request · target)⌉`, clamped to the cloud HPA's bounds; nil when the usage, the request
    /// or the target is unknown or not positive. After a load fell, the edge's count still holds the peak's replicas
    /// until its HPA scales down; the unoffload's count is capped by this one, never below the cloud's current count
    /// (docs/controller.md §5).
    public static func cloudReplicasForUsage(
        cpuCores: Double?, cpuRequestCores: Double, hpaTarget: Double, cloudMin: Int, cloudMax: Int
    ) -> Int? {
        guard let cpuCores, cpuCores > 0, cpuRequestCores > 0, hpaTarget > 0, hpaTarget.isFinite else { return nil }
        return clamp((cpuCores / (cpuRequestCores * hpaTarget)).rounded(.up), min: cloudMin, max: cloudMax)
    }

    static func guarded(_ scaling: Double) -> Double {
        scaling.isFinite && scaling > 0 ? scaling : 1
    }

    /// Clamps to [min, max] and to ≥ 0; if the bounds are inverted, min wins (as `max(min, …)` last would).
    static func clamp(_ value: Double, min lower: Int, max upper: Int) -> Int {
        let lowerBound = Swift.max(lower, 0)
        let upperBound = Swift.max(upper, lowerBound)
        if !(value >= Double(lowerBound)) { return lowerBound }  // also catches NaN
        if value >= Double(upperBound) { return upperBound }
        return Int(value)
    }
}
