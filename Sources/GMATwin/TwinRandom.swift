import Foundation

/// The twin's only source of randomness: SplitMix64, so that a seed fixes a whole run on every platform
/// (the standard library's generator is neither seedable nor stable across releases).
public struct TwinRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func uniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Standard normal (Box–Muller; one draw of the pair is dropped to keep the state a single word).
    public mutating func normal() -> Double {
        let u1 = max(uniform(), 0x1.0p-60)
        let u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// An independent stream derived from this seed, so that adding draws in one part of the twin does not
    /// shift the noise of another.
    public static func stream(seed: UInt64, label: UInt64) -> TwinRandom {
        var mixer = TwinRandom(seed: seed ^ (label &* 0xD1B5_4A32_D192_ED03))
        return TwinRandom(seed: mixer.next())
    }
}

/// The standard normal quantile, for the delay-quantile model (bisection on erf: exact enough, no table).
enum NormalQuantile {
    static func z(_ p: Double) -> Double {
        let target = min(max(p, 1e-9), 1 - 1e-9)
        var low = -10.0
        var high = 10.0
        for _ in 0..<100 {
            let mid = (low + high) / 2
            if 0.5 * (1 + erf(mid / 2.0.squareRoot())) < target { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }
}
