import Foundation

/// A value axis from 0 with round ticks: the step is 1, 2, 2.5 or 5 times a power of ten, and the top is the
/// first tick at or above the data.
public struct AxisScale: Equatable, Sendable {
    public let step: Double
    public let max: Double

    /// An axis for data up to `value` in about `divisions` steps; `integral` rounds the step up to a whole
    /// number (for counts).
    public init(max value: Double, divisions: Int = 5, integral: Bool = false) {
        let target = Swift.max(value, 1e-9)
        let raw = target / Double(divisions)
        let magnitude = pow(10, floor(log10(raw)))
        var step = ([1.0, 2, 2.5, 5, 10].first { $0 * magnitude >= raw - 1e-12 } ?? 10) * magnitude
        if integral { step = Swift.max(step.rounded(.up), 1) }
        self.step = step
        self.max = Swift.max((target / step - 1e-9).rounded(.up), 1) * step
    }

    /// The tick values, 0 to `max` by `step`.
    public var ticks: [Double] {
        let n = Int((max / step).rounded())
        return (0...n).map { Double($0) * step }
    }

    /// As many decimals as the step needs (2.5 → one, 0.25 → two), the same for every tick.
    public func label(_ value: Double) -> String {
        let decimals = (0...4).first { d in
            let scaled = step * pow(10, Double(d))
            return abs(scaled - scaled.rounded()) < 1e-6
        } ?? 4
        return String(format: "%.\(decimals)f", value)
    }
}
