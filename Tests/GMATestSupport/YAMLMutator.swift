import Foundation

/// Line-based YAML mutations: indentation, tabs, duplicate and unknown keys, wrong scalar types, tags,
/// anchors and aliases (with a bounded alias bomb), extra documents and deep flow nesting.
public struct YAMLMutator: Sendable {
    public static let scalars = [
        "", "~", "null", "true", "no", "yes", "0", "-1", "-0", "1e999", ".nan", ".inf", "-.inf", "0x1F", "0o17",
        "9223372036854775808", "-9223372036854775809", "1_000", "1e-320", "\"\"", "''", "[]", "{}", "[1, 2]",
        "{a: b}", "!!binary aGVsbG8=", "!!int x", "!!float .nan", "!!str 5", "!custom 3", "!!map {}", "*nowhere",
        "&anchor 1", "|\n  text", ">-\n  folded", "\"\\u0000\"", "'it''s'", "- item", "? complex", "%YAML 1.2",
        "@reserved", "`tick", "0.0.0", "100Mi", "250m", "2m", "1.5Gbps", "-5s", "1m30s", "1e9", "1.5e3ms",
        "99999999999999999999d", "0ns", "1E", "12Ei", "1e301", "1e-301", "64.5Ki", "Infinity", "NaN",
    ]

    public init() {}

    public func mutate(_ text: String, using rng: inout FuzzRandom) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<rng.between(1, 3) { mutateOnce(&lines, using: &rng) }
        return lines.joined(separator: "\n")
    }

    private func mutateOnce(_ lines: inout [String], using rng: inout FuzzRandom) {
        guard !lines.isEmpty else {
            lines = ["a: b"]
            return
        }
        let at = rng.below(lines.count)
        let line = lines[at]
        let indent = String(line.prefix { $0 == " " })
        switch rng.below(12) {
        case 0:  // shift the indentation
            let delta = rng.between(-4, 4)
            lines[at] = delta >= 0 ? String(repeating: " ", count: delta) + line : String(line.dropFirst(min(-delta, indent.count)))
        case 1:  // tabs in the indentation or after the colon
            lines[at] = rng.chance(50) ? "\t" + line.drop { $0 == " " } : line.replacingOccurrences(of: ": ", with: ":\t")
        case 2:  // duplicate a line (a duplicate key, or a second list item)
            lines.insert(line, at: at)
        case 3:  // an unknown key at this level
            lines.insert("\(indent)unknown-\(rng.below(100)): \(rng.pick(Self.scalars))", at: at)
        case 4, 5:  // replace the value with a scalar of another type, a tag, an alias...
            if let colon = line.range(of: ": ") {
                lines[at] = line[..<colon.upperBound] + rng.pick(Self.scalars)
            } else if let dash = line.range(of: "- ") {
                lines[at] = line[..<dash.upperBound] + rng.pick(Self.scalars)
            } else {
                lines[at] = line + " " + rng.pick(Self.scalars)
            }
        case 6:  // delete a line
            lines.remove(at: at)
        case 7:  // an anchor on one value, an alias to it elsewhere
            let other = rng.below(lines.count)
            if let colon = line.range(of: ": "), let otherColon = lines[other].range(of: ": ") {
                lines[at] = line[..<colon.upperBound] + "&a" + line[colon.upperBound...]
                lines[other] = lines[other][..<otherColon.upperBound] + "*a"
            } else if let colon = line.range(of: ":"), line.hasSuffix(":") {
                // An anchored mapping merged elsewhere.
                lines[at] = String(line[..<colon.upperBound]) + " &m"
                lines.insert("\(indent)<<: *m", at: min(lines.count, at + rng.between(1, 5)))
            }
        case 8:  // a small alias bomb (bounded: width^depth ≤ 4096 leaves)
            lines.insert(contentsOf: Self.aliasBomb(width: rng.between(2, 4), depth: rng.between(2, 6), indent: indent), at: at)
        case 9:  // deep flow nesting as a value
            let depth = rng.chance(20) ? rng.between(200, 3_000) : rng.between(1, 30)
            let open = rng.chance(50) ? "[" : "{a: "
            let close = open == "[" ? "]" : "}"
            let value = String(repeating: open, count: depth) + "1" + String(repeating: close, count: rng.chance(80) ? depth : depth / 2)
            if let colon = line.range(of: ": ") { lines[at] = line[..<colon.upperBound] + value } else { lines.insert(indent + "deep: " + value, at: at) }
        case 10:  // another document, or a directive
            lines.insert(rng.pick(["---", "...", "--- !!map", "%YAML 1.1", "%TAG ! tag:x,2000:", "--- |"]), at: at)
        default:  // a very long line or a long key
            let long = String(repeating: rng.pick(["x", "é", " ", "a-"]), count: rng.between(1_000, 20_000))
            lines[at] = rng.chance(50) ? line + long : indent + long + ": 1"
        }
    }

    /// `depth` levels of anchors, each a list of `width` aliases to the previous level ("billion laughs").
    public static func aliasBomb(width: Int, depth: Int, indent: String) -> [String] {
        var lines = ["\(indent)bomb-0: &l0 lol"]
        for level in 1...depth {
            let items = Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ")
            lines.append("\(indent)bomb-\(level): &l\(level) [\(items)]")
        }
        return lines
    }
}
