/// Rendering of PromQL fragments from plain values.
///
/// Names and label values come from configuration, so they are always escaped: a service called
/// `a.b` must match the label value `a.b` and nothing else (docs/telemetry.md §2), and a quote in a value must not
/// end the string literal.
enum PromQL {
    /// A double-quoted PromQL string literal holding `value` verbatim.
    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// An RE2 pattern matching exactly `literal` (PromQL anchors `=~` on both ends).
    static func regexLiteral(_ literal: String) -> String {
        var out = ""
        for ch in literal {
            if "\\.+*?()|[]{}^$".contains(ch) { out.append("\\") }
            out.append(ch)
        }
        return out
    }

    /// An RE2 alternation matching exactly one of `literals`.
    static func anyOf(_ literals: [String]) -> String {
        literals.map(regexLiteral).joined(separator: "|")
    }

    /// Prometheus' own rule for label names; anything else would break the selector syntax.
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    /// A PromQL duration such as `2m` or `1m30s`, which is pasted into range selectors.
    static func isValidDuration(_ text: String) -> Bool {
        let units = ["ms", "s", "m", "h", "d", "w", "y"]
        var rest = Substring(text)
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            let digits = rest.prefix { ("0"..."9").contains($0) }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            // "ms" before "m": the longest unit wins.
            guard let unit = units.sorted(by: { $0.count > $1.count }).first(where: { rest.hasPrefix($0) }) else {
                return false
            }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(s) || ("A"..."Z").contains(s)
    }
}

/// One label matcher of a selector, rendered with escaping.
struct LabelMatcher: Sendable, Equatable {
    enum Operator: String, Sendable {
        case equal = "="
        case notEqual = "!="
        case matches = "=~"
    }

    var label: String
    var op: Operator
    var value: String

    static func equal(_ label: String, _ value: String) -> LabelMatcher { .init(label: label, op: .equal, value: value) }
    static func notEqual(_ label: String, _ value: String) -> LabelMatcher {
        .init(label: label, op: .notEqual, value: value)
    }
    /// `label` equal to one of `values`, compared literally.
    static func oneOf(_ label: String, _ values: [String]) -> LabelMatcher {
        values.count == 1 ? .equal(label, values[0]) : .init(label: label, op: .matches, value: PromQL.anyOf(values))
    }
    static func regex(_ label: String, _ pattern: String) -> LabelMatcher {
        .init(label: label, op: .matches, value: pattern)
    }

    var rendered: String { label + op.rawValue + PromQL.quoted(value) }
}

/// `metric{matchers}`.
struct Selector: Sendable, Equatable {
    var metric: String
    var matchers: [LabelMatcher]

    var rendered: String { metric + "{" + matchers.map(\.rendered).joined(separator: ",") + "}" }

    func adding(_ extra: LabelMatcher...) -> Selector {
        Selector(metric: metric, matchers: matchers + extra)
    }

    func renamed(_ newMetric: String) -> Selector {
        Selector(metric: newMetric, matchers: matchers)
    }
}
