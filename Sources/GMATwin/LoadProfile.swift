import Foundation

/// The user request rate λ over simulated time: segments played one after the other.
public struct LoadProfile: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        /// A constant rate.
        case hold(rate: Double, seconds: Double)
        /// A linear change from one rate to another.
        case ramp(from: Double, to: Double, seconds: Double)
        /// `mean + amplitude · sin(2π (t / period − phase))`: with phase 0 it starts at the mean and rises; a
        /// phase of 1/3 shifts the whole cycle a third of a period later (follow-the-sun's edges).
        case sine(mean: Double, amplitude: Double, periodSeconds: Double, seconds: Double, phase: Double = 0)

        public var seconds: Double {
            switch self {
            case .hold(_, let s), .ramp(_, _, let s), .sine(_, _, _, let s, _): s
            }
        }

        func rate(at offset: Double) -> Double {
            switch self {
            case .hold(let rate, _):
                return rate
            case .ramp(let from, let to, let seconds):
                guard seconds > 0 else { return to }
                return from + (to - from) * min(max(offset / seconds, 0), 1)
            case .sine(let mean, let amplitude, let period, _, let phase):
                guard period > 0 else { return mean }
                // Phase 0 keeps the exact expression (and rounding) of the unshifted sine.
                guard phase != 0 else { return mean + amplitude * sin(2 * Double.pi * offset / period) }
                return mean + amplitude * sin(2 * Double.pi * (offset / period - phase))
            }
        }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// The staircase of the authors' experiment: `from` to `to` in steps of `step`, each held `every` seconds,
    /// and back down again when `returning`. The peak is held once (`sim_app_lambda_dny.py` repeats it), so that
    /// every step changes the rate.
    public static func sweep(from: Double, to: Double, step: Double, every: Double, returning: Bool) -> [Segment] {
        guard step > 0, every > 0 else { return [.hold(rate: from, seconds: every)] }
        var rates: [Double] = []
        let direction = to >= from ? 1.0 : -1.0
        var rate = from
        while direction * (to - rate) >= -1e-9 {
            rates.append(rate)
            rate += direction * step
        }
        if returning { rates += rates.dropLast().reversed() }
        return rates.map { .hold(rate: $0, seconds: every) }
    }

    /// Points `(t, rate)` joined linearly (a CSV trace); the last rate is held for `tail` seconds.
    public static func trace(_ points: [(time: Double, rate: Double)], tail: Double = 0) -> [Segment] {
        let sorted = points.sorted { $0.time < $1.time }
        guard let first = sorted.first else { return [] }
        var segments: [Segment] = []
        if first.time > 0 { segments.append(.hold(rate: first.rate, seconds: first.time)) }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.time > a.time {
            segments.append(a.rate == b.rate ? .hold(rate: a.rate, seconds: b.time - a.time)
                : .ramp(from: a.rate, to: b.rate, seconds: b.time - a.time))
        }
        if tail > 0, let last = sorted.last { segments.append(.hold(rate: last.rate, seconds: tail)) }
        return segments
    }

    public var durationSeconds: Double { segments.reduce(0) { $0 + $1.seconds } }

    /// λ at `t` seconds from the start (never negative; the last rate holds after the end).
    public func rate(at t: Double) -> Double {
        var start = 0.0
        for segment in segments {
            if t < start + segment.seconds { return max(segment.rate(at: t - start), 0) }
            start += segment.seconds
        }
        return max(segments.last.map { $0.rate(at: $0.seconds) } ?? 0, 0)
    }

    /// Instants where the rate jumps (a hold followed by a different rate): the "load steps" of a sweep.
    public var stepTimes: [Double] {
        var times: [Double] = []
        var start = 0.0
        for (a, b) in zip(segments, segments.dropFirst()) {
            start += a.seconds
            if abs(a.rate(at: a.seconds) - b.rate(at: 0)) > 1e-9 { times.append(start) }
        }
        return times
    }

    /// How many times the load changes, for "actions per load change": every jump between segments, every ramp
    /// that moves the rate by at least 10 %, and every half-period of a sine whose swing is at least 10 % of its
    /// mean (each rise and each fall is a change the controller may answer).
    public var changeCount: Int {
        var count = stepTimes.count
        for segment in segments {
            switch segment {
            case .hold:
                break
            case .ramp(let from, let to, _):
                if abs(to - from) >= 0.1 * max(abs(from), abs(to), 1e-9) { count += 1 }
            case .sine(let mean, let amplitude, let period, let seconds, _):
                if period > 0, abs(amplitude) >= 0.1 * abs(mean) { count += Int((2 * seconds / period).rounded()) }
            }
        }
        return count
    }
}
