import Foundation

/// A JSON tree that keeps number text verbatim, so mutations can write numbers Foundation would not
/// (`1e999`, `-0`, `NaN`, `0x10`) and can serialise values JSON does not allow at all.
public indirect enum FuzzJSON: Sendable {
    case object([(key: String, value: FuzzJSON)])
    case array([FuzzJSON])
    case string(String)
    /// A literal written as is: a number, `true`, `false`, `null`, or deliberately broken text.
    case raw(String)

    /// Parses valid JSON (the seeds); nil for anything else.
    public static func parse(_ text: String) -> FuzzJSON? {
        var parser = FuzzJSONParser(bytes: Array(text.utf8))
        guard let value = parser.value() else { return nil }
        parser.skipSpace()
        return parser.index == parser.bytes.count ? value : nil
    }

    public func serialized(pretty: Bool = false) -> String {
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
    public var count: Int {
        switch self {
        case .object(let members): 1 + members.reduce(0) { $0 + $1.value.count }
        case .array(let elements): 1 + elements.reduce(0) { $0 + $1.count }
        case .string, .raw: 1
        }
    }

    /// Replaces the node at `target` (pre-order index) with `transform(node)`.
    public func replacing(at target: Int, with transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
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
    public func node(at target: Int) -> FuzzJSON? {
        var found: FuzzJSON?
        _ = replacing(at: target) { node in
            found = node
            return node
        }
        return found
    }

    /// Every string value and key in the tree (names to reuse: duplicates, dangling references).
    public var strings: [String] {
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
