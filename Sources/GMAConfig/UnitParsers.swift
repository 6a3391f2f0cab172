import Foundation

/// A unit string that cannot be read; the message says what is accepted.
public struct UnitError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Parsers for the unit strings of `GMAConfig.yaml` and of Kubernetes manifests.
///
/// Unlike the reference (docs/config.md §11, docs/differences.md D8) they accept decimals, every Kubernetes quantity suffix and
/// compound durations, and they never truncate to integers.
public enum UnitParser {
    /// A duration in seconds: `250ms`, `1.5s`, `2m`, `1m30s`, `1h`, `1d`, `500us`, `10ns`.
    /// A bare number means seconds (as in the reference).
    public static func seconds(_ text: String) throws(UnitError) -> Double {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { throw UnitError("empty duration") }
        if let bare = Double(s), isPlainDecimal(s) {
            guard bare >= 0 else { throw UnitError("'\(text)': a duration cannot be negative") }
            return bare
        }
        let units: [(String, Double)] = [
            ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
        ]
        if s.hasPrefix("-") { throw UnitError("'\(text)': a duration cannot be negative") }
        var total = 0.0
        var rest = Substring(s)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, isPlainDecimal(String(number)), let value = Double(number) else {
                throw UnitError("'\(text)' is not a duration (examples: 250ms, 1.5s, 2m, 1m30s, 1h)")
            }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            // Longest match first, so "ms" wins over "m".
            guard let unit = units.filter({ $0.0 == String(unitText) }).first else {
                throw UnitError(
                    "'\(text)': unknown duration unit '\(unitText)' (use ns, us, ms, s, m, h or d)")
            }
            total += value * unit.1
            rest = rest.dropFirst(unitText.count)
        }
        return total
    }

    /// A bit rate in bit/s: `1000Mbps`, `1.5Gbps`, `200kbps`, `9600bps`, `5e8`; a bare number means bit/s.
    /// Prefixes are decimal (SI) and case-insensitive (`mbps` is megabit, there are no millibits).
    public static func bitsPerSecond(_ text: String) throws(UnitError) -> Double {
        let s = text.trimmingCharacters(in: .whitespaces)
        var body = Substring(s)
        for unit in ["bit/s", "bps", "b/s"] where s.lowercased().hasSuffix(unit) {
            body = body.dropLast(unit.count)
            break
        }
        var multiplier = 1.0
        if let last = body.last, body.count > 1 {
            switch last {
            case "k", "K": multiplier = 1e3
            case "m", "M": multiplier = 1e6
            case "g", "G": multiplier = 1e9
            case "t", "T": multiplier = 1e12
            default: break
            }
            if multiplier != 1 { body = body.dropLast() }
        }
        let numberText = body.trimmingCharacters(in: .whitespaces)
        guard let value = Double(numberText), value.isFinite, isNumeric(numberText) else {
            throw UnitError("'\(text)' is not a bit rate (examples: 1000Mbps, 1.5Gbps, 200kbps)")
        }
        guard value >= 0 else { throw UnitError("'\(text)': a bit rate cannot be negative") }
        return value * multiplier
    }

    /// A Kubernetes resource quantity as a plain number: `250m` → 0.25, `1.5Gi` → 1610612736, `1e3` → 1000,
    /// `128974848`, `2k`, `100M`, `3Ti`, `1E` … (every decimal and binary SI suffix and the `e`/`E` exponent).
    public static func quantity(_ text: String) throws(UnitError) -> Double {
        let s = text.trimmingCharacters(in: .whitespaces)
        var numberEnd = s.startIndex
        if numberEnd < s.endIndex, s[numberEnd] == "+" || s[numberEnd] == "-" { numberEnd = s.index(after: numberEnd) }
        while numberEnd < s.endIndex, s[numberEnd].isASCII, s[numberEnd].isNumber || s[numberEnd] == "." {
            numberEnd = s.index(after: numberEnd)
        }
        let numberText = String(s[..<numberEnd])
        let suffix = String(s[numberEnd...])
        guard isPlainDecimal(numberText.trimmingPrefix { $0 == "+" || $0 == "-" }.description),
            let mantissa = Double(numberText)
        else {
            throw UnitError("'\(text)' is not a Kubernetes quantity (examples: 500m, 0.5, 128Mi, 1.5Gi, 1e9)")
        }
        let multipliers: [String: Double] = [
            "": 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
            "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776,
            "Pi": 1_125_899_906_842_624, "Ei": 1_152_921_504_606_846_976,
        ]
        let value: Double
        if let multiplier = multipliers[suffix] {
            value = mantissa * multiplier
        } else if let first = suffix.first, first == "e" || first == "E",
            let exponent = Int(suffix.dropFirst()), abs(exponent) <= 300
        {
            value = mantissa * pow(10, Double(exponent))
        } else {
            throw UnitError(
                "'\(text)': unknown quantity suffix '\(suffix)' (use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or eN)")
        }
        guard value >= 0 else { throw UnitError("'\(text)': a resource quantity cannot be negative") }
        return value
    }

    /// CPU cores from a Kubernetes quantity (`250m` → 0.25).
    public static func cpuCores(_ text: String) throws(UnitError) -> Double { try quantity(text) }

    /// Bytes from a Kubernetes quantity (`64Mi` → 67108864).
    public static func memoryBytes(_ text: String) throws(UnitError) -> Double { try quantity(text) }

    /// A number without a unit (`20`, `0.5`): a duration in seconds.
    static func isBareNumber(_ text: String) -> Bool { isPlainDecimal(text) }

    /// Digits with at most one decimal point and at least one digit (no sign, exponent, inf or nan).
    private static func isPlainDecimal(_ s: String) -> Bool {
        var sawDigit = false
        var sawPoint = false
        for c in s {
            if c.isASCII, c.isNumber {
                sawDigit = true
            } else if c == ".", !sawPoint {
                sawPoint = true
            } else {
                return false
            }
        }
        return sawDigit
    }

    /// A plain decimal, optionally with an exponent (`5e8`, `1.5E9`).
    private static func isNumeric(_ s: String) -> Bool {
        let parts = s.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "E", maxSplits: 1, omittingEmptySubsequences: false) }
        guard let mantissa = parts.first, isPlainDecimal(String(mantissa)) else { return false }
        if parts.count == 2 { return Int(parts[1]) != nil }
        return parts.count == 1
    }
}
