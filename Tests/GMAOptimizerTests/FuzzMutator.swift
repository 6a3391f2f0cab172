import Foundation

// Seeded input mutation for the fuzz tests (issue 8, item 4). The same file serves both test targets
// (Tests/GMAControllerTests/FuzzMutator.swift is a symbolic link to it): nothing here is specific to a decoder.

/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny seedable generator, so every fuzz run sees the same inputs.
struct FuzzRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n (n > 0).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A uniform integer in the closed range.
    mutating func between(_ low: Int, _ high: Int) -> Int { low + below(high - low + 1) }

    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// Byte-level mutations, blind to the format: what a truncated download or a bad editor produces.
struct ByteMutator {
    /// Inputs to splice from (the valid seeds of the same format).
    let donors: [[UInt8]]
    /// Outputs are cut to this size so that one input stays cheap.
    var maxLength = 64 * 1024

    /// Characters that matter to JSON and YAML parsers, tried more often than random bytes.
    static let interesting: [UInt8] = Array("{}[]:,\"'\\ \t\n\r-+.0123456789eE&*!|>#%@`~?".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]

    func mutate(_ input: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
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

// MARK: - JSON

/// A JSON tree that keeps number text verbatim, so mutations can write numbers Foundation would not
/// (`1e999`, `-0`, `NaN`, `0x10`) and can serialise values JSON does not allow at all.
indirect enum FuzzJSON {
    case object([(key: String, value: FuzzJSON)])
    case array([FuzzJSON])
    case string(String)
    /// A literal written as is: a number, `true`, `false`, `null`, or deliberately broken text.
    case raw(String)

    /// Parses valid JSON (the seeds); nil for anything else.
    static func parse(_ text: String) -> FuzzJSON? {
        var parser = FuzzJSONParser(bytes: Array(text.utf8))
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.index == parser.bytes.count ? value : nil
    }

    func serialized(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        let newline = indent.map { "\n" + String(repeating: " ", count: ($0 + 1) * 2) } ?? ""
        let closing = indent.map { "\n" + String(repeating: " ", count: $0 * 2) } ?? ""
        switch self {
        case .object(let members):
            out += "{"
            for (i, member) in members.enumerated() {
                out += (i == 0 ? "" : ",") + newline
                FuzzJSON.string(member.key).write(to: &out, indent: nil)
                out += indent == nil ? ":" : ": "
                member.value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            out += (members.isEmpty ? "" : closing) + "}"
        case .array(let elements):
            out += "["
            for (i, element) in elements.enumerated() {
                out += (i == 0 ? "" : ",") + newline
                element.write(to: &out, indent: indent.map { $0 + 1 })
            }
            out += (elements.isEmpty ? "" : closing) + "]"
        case .string(let text):
            out += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        case .raw(let text):
            out += text
        }
    }

    /// Number of nodes, the root included.
    var count: Int {
        switch self {
        case .object(let members): 1 + members.reduce(0) { $0 + $1.value.count }
        case .array(let elements): 1 + elements.reduce(0) { $0 + $1.count }
        case .string, .raw: 1
        }
    }

    /// Replaces the node at `target` (pre-order index) with `transform(node)`.
    func replacing(at target: Int, with transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        var position = 0
        return replacing(target, &position, transform)
    }

    private func replacing(_ target: Int, _ position: inout Int, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        if position == target {
            position += count
            return transform(self)
        }
        position += 1
        switch self {
        case .object(let members):
            return .object(members.map { ($0.key, $0.value.replacing(target, &position, transform)) })
        case .array(let elements):
            return .array(elements.map { $0.replacing(target, &position, transform) })
        case .string, .raw:
            return self
        }
    }

    /// The node at `target` (pre-order index).
    func node(at target: Int) -> FuzzJSON? {
        var found: FuzzJSON?
        _ = replacing(at: target) { node in
            found = node
            return node
        }
        return found
    }

    /// Every string value and key in the tree (names to reuse: duplicates, dangling references).
    var strings: [String] {
        switch self {
        case .object(let members): members.flatMap { [$0.key] + $0.value.strings }
        case .array(let elements): elements.flatMap(\.strings)
        case .string(let text): [text]
        case .raw: []
        }
    }
}

/// Recursive descent over the seeds, which are valid JSON.
private struct FuzzJSONParser {
    let bytes: [UInt8]
    var index = 0

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
    }

    mutating func value() -> FuzzJSON? {
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(key: String, value: FuzzJSON)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard case .string(let key)? = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let member = value() else { return nil }
                members.append((key, member))
                skipSpace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "}") { return .object(members) }
                if bytes[index - 1] != UInt8(ascii: ",") { return nil }
            }
        case UInt8(ascii: "["):
            index += 1
            var elements: [FuzzJSON] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                guard let element = value() else { return nil }
                elements.append(element)
                skipSpace()
                guard index < bytes.count else { return nil }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { return .array(elements) }
                if bytes[index - 1] != UInt8(ascii: ",") { return nil }
            }
        case UInt8(ascii: "\""):
            return string()
        default:
            let start = index
            while index < bytes.count, !"{}[],: \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            return index > start ? .raw(String(decoding: bytes[start..<index], as: UTF8.self)) : nil
        }
    }

    /// A string literal; escapes are decoded with JSONSerialization (seeds only, so speed does not matter).
    mutating func string() -> FuzzJSON? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index
        index += 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        let literal = Data(bytes[start..<index])
        guard let text = try? JSONSerialization.jsonObject(with: literal, options: .fragmentsAllowed) as? String else {
            return nil
        }
        return .string(text)
    }
}

/// Structure-aware JSON mutations: valid syntax (mostly) with hostile content.
struct JSONMutator {
    /// Number texts to put where a number was: limits, signs, overflow, and things that are not JSON numbers.
    static let numbers = [
        "0", "-0", "-1", "1", "0.5", "1e999", "-1e999", "1e308", "1.7976931348623157e308", "-1.7976931348623157e308",
        "4.9e-324", "1e-320", "2.2250738585072014e-308", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890", "1e18", "1e-9", "0.0000001",
        "NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", "0x10", ".5", "1.", "1e", "--1", "1e+", "1_000",
    ]
    /// Whole values of every type, for type swaps.
    static let values = [
        "null", "true", "false", "\"\"", "\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"1\"", "\"user\"", "[]", "{}", "[null]",
        "{\"\":null}", "[1,2,3]", "\"\\u0000\"", "\"\\ud800\"", "0", "-1", "1e999",
    ]

    /// Weird numbers that validation accepts where it accepts a number ≥ 0: the model and solver must cope.
    static let extremes = [
        "0", "-0", "1e308", "1.7976931348623157e308", "4.9e-324", "1e-320", "2.2250738585072014e-308", "1e-9",
        "1e18", "123456789012345678901234567890", "0.9999999999999999", "1.0000000000000002",
    ]

    /// Replaces a few numbers of the tree with `extremes`, and strings with `strings`, keeping the structure
    /// (so that many inputs stay valid and reach the code behind the decoder).
    func mutateLeaves(_ tree: FuzzJSON, strings: [String] = [], using rng: inout FuzzRandom) -> FuzzJSON {
        var tree = tree
        for _ in 0..<rng.between(1, 6) {
            let target = rng.below(tree.count)
            let number = rng.pick(Self.extremes)
            let string = strings.isEmpty ? nil : rng.pick(strings)
            tree = tree.replacing(at: target) { node in
                switch node {
                case .raw(let text) where text.first.map { $0.isNumber || $0 == "-" } ?? false: .raw(number)
                case .string where string != nil: .string(string!)
                default: node
                }
            }
        }
        return tree
    }

    /// Extra mutations supplied by a format (Prometheus: value strings, result types).
    var extraStrings: [String] = []
    var extraKeys: [String] = []

    func mutate(_ tree: FuzzJSON, using rng: inout FuzzRandom) -> FuzzJSON {
        var tree = tree
        for _ in 0..<rng.between(1, 3) { tree = mutateOnce(tree, using: &rng) }
        return tree
    }

    private func mutateOnce(_ tree: FuzzJSON, using rng: inout FuzzRandom) -> FuzzJSON {
        let target = rng.below(tree.count)
        let names = tree.strings
        let operation = rng.below(10)
        return tree.replacing(at: target) { node in
            var rng2 = rng
            defer { rng = rng2 }
            return transform(node, operation: operation, names: names, using: &rng2)
        }
    }

    private func transform(_ node: FuzzJSON, operation: Int, names: [String], using rng: inout FuzzRandom) -> FuzzJSON {
        switch (operation, node) {
        case (_, .raw) where operation < 4:
            return .raw(rng.pick(Self.numbers))
        case (_, .string) where operation < 4:
            switch rng.below(6) {
            case 0: return .string("")
            case 1: return .string(String(repeating: rng.pick(["a", "é", "\u{0}", "🙂", " "]), count: rng.between(1_000, 20_000)))
            case 2: return .string(names.isEmpty ? "x" : rng.pick(names))  // a duplicate or a dangling name
            case 3 where !extraStrings.isEmpty: return .string(rng.pick(extraStrings))
            default: return .raw(rng.pick(Self.numbers))
            }
        case (4, .object(var members)) where !members.isEmpty:  // drop a key
            members.remove(at: rng.below(members.count))
            return .object(members)
        case (5, .object(var members)):  // duplicate a key, or add an unknown one
            if !members.isEmpty, rng.chance(50) {
                let member = members[rng.below(members.count)]
                members.insert(member, at: rng.below(members.count + 1))
            } else {
                let key = !extraKeys.isEmpty && rng.chance(50) ? rng.pick(extraKeys) : "unknown\(rng.below(10))"
                members.append((key, .raw(rng.pick(Self.values))))
            }
            return .object(members)
        case (4, .array(var elements)) where !elements.isEmpty:  // drop or empty
            if rng.chance(30) { return .array([]) }
            elements.remove(at: rng.below(elements.count))
            return .array(elements)
        case (5, .array(var elements)) where !elements.isEmpty:  // duplicate elements, sometimes many times
            let element = elements[rng.below(elements.count)]
            let copies = rng.chance(10) ? rng.between(100, 3_000) : rng.between(1, 3)
            elements.append(contentsOf: repeatElement(element, count: copies))
            return .array(elements)
        case (6, _):  // swap the type
            return .raw(rng.pick(Self.values))
        case (7, _):  // deep nesting around the node, as text so that this tree stays shallow
            let depth = rng.chance(20) ? rng.between(400, 5_000) : rng.between(1, 20)
            let array = rng.chance(50)
            let open = String(repeating: array ? "[" : "{\"k\":", count: depth)
            let close = String(repeating: array ? "]" : "}", count: rng.chance(90) ? depth : depth / 2)
            return .raw(open + node.serialized() + close)
        case (8, .object(let members)) where members.count > 1:  // shuffle members
            return .object(members.shuffled(using: &rng))
        case (9, .array(let elements)) where elements.count > 1:
            return .array(elements.shuffled(using: &rng))
        default:
            return .raw(rng.pick(Self.numbers + Self.values))
        }
    }
}

// MARK: - YAML

/// Line-based YAML mutations: indentation, tabs, duplicate and unknown keys, wrong scalar types, tags,
/// anchors and aliases (with a bounded alias bomb), extra documents and deep flow nesting.
struct YAMLMutator {
    static let scalars = [
        "", "~", "null", "true", "no", "yes", "0", "-1", "-0", "1e999", ".nan", ".inf", "-.inf", "0x1F", "0o17",
        "9223372036854775808", "-9223372036854775809", "1_000", "1e-320", "\"\"", "''", "[]", "{}", "[1, 2]",
        "{a: b}", "!!binary aGVsbG8=", "!!int x", "!!float .nan", "!!str 5", "!custom 3", "!!map {}", "*nowhere",
        "&anchor 1", "|\n  text", ">-\n  folded", "\"\\u0000\"", "'it''s'", "- item", "? complex", "%YAML 1.2",
        "@reserved", "`tick", "0.0.0", "100Mi", "250m", "2m", "1.5Gbps", "-5s", "1m30s", "1e9", "1.5e3ms",
        "99999999999999999999d", "0ns", "1E", "12Ei", "1e301", "1e-301", "64.5Ki", "Infinity", "NaN",
    ]

    func mutate(_ text: String, using rng: inout FuzzRandom) -> String {
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
    static func aliasBomb(width: Int, depth: Int, indent: String) -> [String] {
        var lines = ["\(indent)bomb-0: &l0 lol"]
        for level in 1...depth {
            let items = Array(repeating: "*l\(level - 1)", count: width).joined(separator: ", ")
            lines.append("\(indent)bomb-\(level): &l\(level) [\(items)]")
        }
        return lines
    }
}
