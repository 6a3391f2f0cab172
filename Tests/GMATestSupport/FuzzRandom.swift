import Foundation

// Seeded input mutation for the fuzz tests of both test targets (docs/testing.md): nothing here is
// specific to a decoder.

/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny seedable generator, so every fuzz run sees the same inputs.
public struct FuzzRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A uniform integer in the closed range.
    public mutating func between(_ low: Int, _ high: Int) -> Int { low + below(high - low + 1) }

    public mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
