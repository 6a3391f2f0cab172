import Foundation

/// The magnitudes a problem may hold (docs/problem-format.md, "Limits").
///
/// Finite is not enough: `userRequestsPerSecond: 1e308` is finite, but 8·λ is not, and a bandwidth of 1e-300
/// turns the delay curve's slope infinite. Each limit is orders of magnitude beyond any real deployment, and
/// together they keep every product the model and the integer program form a finite double: the largest, the
/// traffic λ·8·N·rate·bytes, stays below 1e50. Quantities that divide (CPU requests, the HPA threshold, the
/// bandwidth) also have a smallest value. The integer program's own numeric range is checked when it is built
/// (`MILPModel.numericProblem`); beyond it the solve falls back to the greedy.
enum ProblemLimits {
    /// CPU request of one replica (cores): Kubernetes' smallest request is 1m.
    static let cpuRequestCores = 1e-6...1e6
    /// CPU usage of all replicas of a service in one area (cores).
    static let cpuUsageCores = 1e9
    /// Memory requests and usage (bytes): an exabyte.
    static let memoryBytes = 1e18
    /// Size of one response (bytes): a petabyte.
    static let responseBytes = 1e15
    /// Durations (s): internal delays, the RTT and targets. The model caps every delay at 1e5 s.
    static let seconds = 1e5
    /// The autoscaler's target CPU utilisation (a fraction; above 1 is allowed by Kubernetes).
    static let hpaCpuThreshold = 1e-6...1e3
    /// Expected calls to a callee per invocation of its caller.
    static let perRequest = 1e6
    /// Expected invocations of one service per user request, the product of `perRequest` along the call paths.
    static let invocationsPerRequest = 1e9
    static let requestsPerSecond = 1e9
    /// Link capacity (bit/s): from one bit per second to a petabit.
    static let bitsPerSecond = 1.0...1e15
    /// Prices (currency per core-hour, per GB-hour, per GB).
    static let price = 1e9

    /// A limit as messages show it: `1e+15` rather than `1000000000000000.0`.
    static func text(_ value: Double) -> String { String(format: "%g", value) }
}
