import Foundation

/// Structure-aware JSON mutations: valid syntax (mostly) with hostile content.
public struct JSONMutator: Sendable {
    /// Number texts to put where a number was: limits, signs, overflow, and things that are not JSON numbers.
    public static let numbers = [
        "0", "-0", "-1", "1", "0.5", "1e999", "-1e999", "1e308", "1.7976931348623157e308", "-1.7976931348623157e308",
        "4.9e-324", "1e-320", "2.2250738585072014e-308", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "123456789012345678901234567890", "1e18", "1e-9", "0.0000001",
        "NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", "0x10", ".5", "1.", "1e", "--1", "1e+", "1_000",
    ]
    /// Whole values of every type, for type swaps.
    public static let values = [
        "null", "true", "false", "\"\"", "\"NaN\"", "\"+Inf\"", "\"-Inf\"", "\"1\"", "\"user\"", "[]", "{}", "[null]",
        "{\"\":null}", "[1,2,3]", "\"\\u0000\"", "\"\\ud800\"", "0", "-1", "1e999",
    ]

    /// Weird numbers that validation accepts where it accepts a number ≥ 0: the model and solver must cope.
    public static let extremes = [
        "0", "-0", "1e308", "1.7976931348623157e308", "4.9e-324", "1e-320", "2.2250738585072014e-308", "1e-9",
        "1e18", "123456789012345678901234567890", "0.9999999999999999", "1.0000000000000002",
    ]

    /// Replaces a few numbers of the tree with `extremes`, and strings with `strings`, keeping the structure
    /// (so that many inputs stay valid and reach the code behind the decoder).
    public func mutateLeaves(_ tree: FuzzJSON, strings: [String] = [], using rng: inout FuzzRandom) -> FuzzJSON {
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
    public var extraStrings: [String] = []
    public var extraKeys: [String] = []

    public init() {}

    public func mutate(_ tree: FuzzJSON, using rng: inout FuzzRandom) -> FuzzJSON {
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
