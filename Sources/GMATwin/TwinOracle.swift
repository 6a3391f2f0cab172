import Foundation
import GMAControl
import GMAOptimizer
import Synchronization

/// The yardstick of a run (docs/twin.md §3): per load and network, the cheapest edge set whose twin
/// steady-state delay (autoscalers settled, no backlog, the twin's physics) is at or below the offload
/// threshold. Below the band is allowed: a cheaper set does not exist then, so being below costs nothing.
///
/// Exhaustive up to `exhaustiveLimit` movable services: every set's steady-state cost is cheap (routing and
/// the HPAs' counts), so the sets are sorted by cost and the delay, the expensive part, is computed in that
/// order until the first one meets the threshold — the same answer as trying them all. Larger apps get a
/// bounded local search (single moves, at most 8 passes over the services), whose cost bounds the
/// optimum from above. Answers are cached per (λ, RTT, bandwidth).
final class TwinOracle: Sendable {
    struct Answer: Sendable, Equatable {
        var edgeSet: [Bool]
        var costPerHour: Double
        var delaySeconds: Double
        var cloudOnlyCostPerHour: Double
        /// False when the search was bounded, not exhaustive.
        var exact: Bool

        var cost: Double { costPerHour }
        var cloudOnlyCost: Double { cloudOnlyCostPerHour }
        var edgeCount: Int { edgeSet.filter { $0 }.count }
    }

    static let exhaustiveLimit = 16
    let physics: TwinPhysics
    let thresholdSeconds: Double
    /// Services that may be at the edge (locked ones stay where the twin starts them: in the cloud).
    let movable: [Int]
    private let cache = Mutex<[Key: Answer]>([:])

    private struct Key: Hashable {
        var lambda: Double
        var rtt: Double
        var bandwidth: Double
    }

    init(physics: TwinPhysics, thresholdSeconds: Double, locked: [Bool]) {
        self.physics = physics
        self.thresholdSeconds = thresholdSeconds
        movable = locked.indices.filter { !locked[$0] }
    }

    func placement(lambda: Double, network net: NetworkConditions) -> Answer {
        let key = Key(lambda: lambda, rtt: net.rttSeconds, bandwidth: net.cloudToEdgeBitsPerSecond)
        if let known = cache.withLock({ $0[key] }) { return known }
        let answer = movable.count <= Self.exhaustiveLimit ? exhaustive(lambda: lambda, net: net) : bounded(lambda: lambda, net: net)
        cache.withLock { cache in
            // Bounded memory for loads that never repeat (a sine, a trace).
            if cache.count >= 4096 { cache.removeAll() }
            cache[key] = answer
        }
        return answer
    }

    /// The set's steady-state cost without its delay (routing and the settled HPAs only); `route` is the set's
    /// `physics.route(serving:)` when the caller has it.
    func steadyCost(
        lambda: Double, net: NetworkConditions, serving: [Bool], route: (cloud: [Double], edge: [Double])? = nil
    ) -> Double {
        let n = physics.serviceCount
        let (cloudCalls, edgeCalls) = route ?? physics.route(serving: serving)
        let cloud = (0..<n).map { physics.steadyReplicas($0, .cloud, callsPerSecond: lambda * cloudCalls[$0]) }
        let edge = (0..<n).map { serving[$0] ? physics.steadyReplicas($0, .edge, callsPerSecond: lambda * edgeCalls[$0]) : 0 }
        // The link's traffic as the physics counts it (the RTT plays no part in it).
        let (rtt, bandwidth) = physics.mismatch.trueLink(net)
        let link = physics.link(lambda: lambda, serving: serving, edgeCalls: edgeCalls, rtt: rtt, bandwidth: bandwidth)
        return physics.costPerHour(
            cloudReplicas: cloud, edgeReplicas: edge, trafficBitsPerSecond: link.traffic, bandwidth: bandwidth)
    }

    func steadyDelay(lambda: Double, net: NetworkConditions, serving: [Bool]) -> Double {
        physics.steadyState(lambda: lambda, network: net, serving: serving).state.meanSeconds
    }

    private func set(_ mask: Int) -> [Bool] {
        var serving = [Bool](repeating: false, count: physics.serviceCount)
        for (bit, i) in movable.enumerated() where mask & (1 << bit) != 0 { serving[i] = true }
        return serving
    }

    /// Every set in cost order; the first whose delay meets the threshold is the answer. A set's delay floor (its
    /// link and latency, no queue: `TwinPhysics.delayFloor`) is cheap, and a set whose floor is already over the
    /// threshold cannot meet it, so its queues are never computed: on a user's 14-service app near a full link
    /// that skipped most of the 16,384 sets per tick of a ramp (docs/twin.md §3).
    private func exhaustive(lambda: Double, net: NetworkConditions) -> Answer {
        let count = 1 << movable.count
        let sets = (0..<count).map(set)
        let routes = sets.map { physics.route(serving: $0) }
        let costs = (0..<count).map { steadyCost(lambda: lambda, net: net, serving: sets[$0], route: routes[$0]) }
        let floors = (0..<count).map { physics.delayFloor(lambda: lambda, network: net, serving: sets[$0], route: routes[$0]) }
        // Cheapest first; among equal costs the smaller edge set, then the lower mask (a stable answer).
        let order = (0..<count).sorted {
            costs[$0] != costs[$1] ? costs[$0] < costs[$1] : ($0.nonzeroBitCount, $0) < ($1.nonzeroBitCount, $1)
        }
        var delays = [Double](repeating: .nan, count: count)
        for mask in order where floors[mask] <= thresholdSeconds {
            delays[mask] = steadyDelay(lambda: lambda, net: net, serving: sets[mask])
            if delays[mask] <= thresholdSeconds {
                return Answer(edgeSet: sets[mask], costPerHour: costs[mask], delaySeconds: delays[mask], cloudOnlyCostPerHour: costs[0], exact: true)
            }
        }
        // Nothing meets the threshold: the fastest set is the best anyone can do (the cheapest of the fastest). A set
        // whose floor is not below the fastest delay so far cannot beat it.
        var fastest = (mask: 0, delay: Double.infinity)
        for mask in order where floors[mask] < fastest.delay {
            if delays[mask].isNaN { delays[mask] = steadyDelay(lambda: lambda, net: net, serving: sets[mask]) }
            if delays[mask] < fastest.delay { fastest = (mask, delays[mask]) }
        }
        return Answer(
            edgeSet: sets[fastest.mask], costPerHour: costs[fastest.mask], delaySeconds: fastest.delay,
            cloudOnlyCostPerHour: costs[0], exact: true)
    }

    /// Single moves from cloud-only: towards the threshold while above it (the move that lowers the delay
    /// most), then towards lower cost without leaving it.
    private func bounded(lambda: Double, net: NetworkConditions) -> Answer {
        let cloudOnly = [Bool](repeating: false, count: physics.serviceCount)
        var current = cloudOnly
        var delay = steadyDelay(lambda: lambda, net: net, serving: current)
        var cost = steadyCost(lambda: lambda, net: net, serving: current)
        let cloudOnlyCost = cost
        for _ in 0..<(8 * movable.count) {
            var best: (set: [Bool], delay: Double, cost: Double)?
            for i in movable {
                var candidate = current
                candidate[i].toggle()
                let d = steadyDelay(lambda: lambda, net: net, serving: candidate)
                let c = steadyCost(lambda: lambda, net: net, serving: candidate)
                let better = delay > thresholdSeconds ? d < (best?.delay ?? delay) : d <= thresholdSeconds && c < (best?.cost ?? cost)
                if better { best = (candidate, d, c) }
            }
            guard let best else { break }
            (current, delay, cost) = best
        }
        return Answer(edgeSet: current, costPerHour: cost, delaySeconds: delay, cloudOnlyCostPerHour: cloudOnlyCost, exact: false)
    }
}
