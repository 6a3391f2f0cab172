/// A JSON value whose objects keep their key order, so printed documents follow the documented layout.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])
    /// Already-rendered JSON (e.g. from `JSONEncoder`), inserted as is.
    case raw(String)

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// A count that may not fit an `Int` (absurd replica counts) becomes a plain number.
    public static func count(_ value: Double) -> JSONValue {
        if value.isFinite, abs(value) < 9e15 { return .integer(Int(value)) }
        return .number(value)
    }

    public static func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }

    /// Renders compactly, or indented by two spaces when `pretty`.
    public func rendered(pretty: Bool = false) -> String {
        var out = ""
        write(into: &out, pretty: pretty, depth: 0)
        return out
    }

    private func write(into out: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        // JSON has no NaN or infinity.
        case .number(let d): out += d.isFinite ? Self.format(d) : "null"
        case .string(let s): Self.quote(s, into: &out)
        case .raw(let json): out += json
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                item.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&out, pretty: pretty, depth: depth)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                Self.quote(key, into: &out)
                out += pretty ? ": " : ":"
                value.write(into: &out, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&out, pretty: pretty, depth: depth)
            out += "}"
        }
    }

    private static func format(_ d: Double) -> String {
        // Integral values print without a fraction; others use Swift's shortest round-tripping form.
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }

    private static func newline(_ out: inout String, pretty: Bool, depth: Int) {
        guard pretty else { return }
        out += "\n" + String(repeating: "  ", count: depth)
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
