import Foundation
import GMAOptimizer

/// How much more traffic a move that gives back plans for than the telemetry measured (docs/controller.md §8.2).
///
/// The model counts the link's traffic from call rates, and each rate is a count over the telemetry window: a call
/// made c times in the window is known to about 1/√c of itself (Poisson). A rarely called service's share of the
/// traffic is therefore 10–20 % uncertain, and near a full link the delay grows as 1/(1 − ρ). Each service's
/// responses are counted `z` such errors larger, the error of its least-counted measured caller (at most twice the
/// measured bytes), so that an unoffload or a consolidation that loads the link is judged on what it may carry.
public struct TrafficBound: Sendable, Equatable {
    /// The factor on each service's response bytes, by name (absent: 1).
    public var factors: [String: Double]

    /// The largest share added, for the decision's reason.
    public var largestShare: Double { (factors.values.max() ?? 1) - 1 }

    /// What a decision's reason adds: empty when the bound adds less than half a per cent anywhere.
    public var note: String {
        largestShare >= 0.005 ? String(format: "; traffic counted up to +%.0f %% (its sampling error)", 100 * largestShare) : ""
    }

    /// `problem` with each service's response bytes times its factor.
    public func applied(to problem: PlacementProblem) -> PlacementProblem {
        var bounded = problem
        for i in bounded.services.indices {
            if let factor = factors[bounded.services[i].name] { bounded.services[i].responseBytes *= factor }
        }
        return bounded
    }
}

extension PlacementDecider {
    /// The traffic bound of the observation's call rates over the telemetry window, at the policy's confidence.
    public func trafficBound(_ o: Observation) -> TrafficBound {
        let z = settings.policy.trafficConfidence
        let window = settings.timing.telemetryWindowSeconds
        guard z > 0, window > 0 else { return TrafficBound(factors: [:]) }
        var fewest: [String: Double] = [:]
        for call in o.snapshot.callRates where call.callsPerSecond > 0 {
            fewest[call.to] = min(fewest[call.to] ?? .infinity, call.callsPerSecond * window)
        }
        return TrafficBound(factors: fewest.mapValues { count in 1 + min(z / count.squareRoot(), 1) })
    }
}
