/// The load-spread part of the network delay as a function of the bytes sent cloud→edge per user request.
///
/// With S megabytes per request, T = 8λ·1e6·S bit/s and ρ = T/B, the transfer time of all remote calls
/// is h(S) = a·S/(1 − c·S) with a = 8e6/B and c = 8λ·1e6/B (docs/model.md §4–6, docs/milp.md §9, while ρ < 1
/// and the 1e5 cap does not bind). h is convex and increasing, so tangents under-estimate it: a model
/// with finitely many tangents is a relaxation, and adding one where it was wrong converges.
struct DelayCurve: Sendable {
    let a: Double
    let c: Double

    init(bandwidth: Double, lambda: Double) {
        a = 8e6 / bandwidth
        c = 8 * lambda * 1e6 / bandwidth
    }

    func value(_ s: Double) -> Double { a * s / (1 - c * s) }

    func slope(_ s: Double) -> Double {
        let d = 1 - c * s
        return a / (d * d)
    }

    /// The largest S whose transfer time fits in `budget` seconds.
    func largestLoad(within budget: Double) -> Double {
        budget <= 0 ? 0 : budget / (a + budget * c)
    }

    /// The tangent at `s` as `z ≥ slope·S + intercept`.
    func tangent(at s: Double) -> (slope: Double, intercept: Double) {
        let m = slope(s)
        return (m, value(s) - m * s)
    }
}
