import Foundation

/// Byte-level mutations, blind to the format: what a truncated download or a bad editor produces.
public struct ByteMutator: Sendable {
    /// Inputs to splice from (the valid seeds of the same format).
    public let donors: [[UInt8]]
    /// Outputs are cut to this size so that one input stays cheap.
    public var maxLength = 64 * 1024

    public init(donors: [[UInt8]]) { self.donors = donors }

    /// Characters that matter to JSON and YAML parsers, tried more often than random bytes.
    public static let interesting: [UInt8] = Array("{}[]:,\"'\\ \t\n\r-+.0123456789eE&*!|>#%@`~?".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]

    public func mutate(_ input: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
        var bytes = input
        for _ in 0..<rng.between(1, 4) { mutateOnce(&bytes, using: &rng) }
        if bytes.count > maxLength { bytes.removeLast(bytes.count - maxLength) }
        return bytes
    }

    private func mutateOnce(_ bytes: inout [UInt8], using rng: inout FuzzRandom) {
        if bytes.isEmpty {
            bytes = rng.pick(donors)
            return
        }
        let at = rng.below(bytes.count)
        switch rng.below(9) {
        case 0:  // flip one bit
            bytes[at] ^= UInt8(1) << UInt8(rng.below(8))
        case 1:  // overwrite with a random or a syntax byte
            bytes[at] = rng.chance(50) ? UInt8(truncatingIfNeeded: rng.next()) : rng.pick(Self.interesting)
        case 2:  // insert a few bytes
            let inserted = (0..<rng.between(1, 8)).map { _ in
                rng.chance(50) ? UInt8(truncatingIfNeeded: rng.next()) : rng.pick(Self.interesting)
            }
            bytes.insert(contentsOf: inserted, at: at)
        case 3:  // delete a span
            let end = min(bytes.count, at + rng.between(1, 64))
            bytes.removeSubrange(at..<end)
        case 4:  // duplicate a span somewhere else
            let end = min(bytes.count, at + rng.between(1, 128))
            let span = bytes[at..<end]
            bytes.insert(contentsOf: span, at: rng.below(bytes.count + 1))
        case 5:  // splice: our prefix, a donor's suffix
            let donor = rng.pick(donors)
            guard !donor.isEmpty else { return }
            bytes = Array(bytes[..<at]) + donor[rng.below(donor.count)...]
        case 6:  // truncate
            bytes.removeSubrange(at...)
        case 7:  // swap two bytes
            bytes.swapAt(at, rng.below(bytes.count))
        default:  // repeat one byte many times (long runs of spaces, brackets, digits)
            bytes.insert(contentsOf: repeatElement(bytes[at], count: rng.between(2, 600)), at: at)
        }
    }
}
