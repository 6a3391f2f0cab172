import Foundation

extension PlacementProblem {
    /// Decodes and validates a problem. `source` names the input (a file name) in every error.
    ///
    /// Keys the format does not have and keys given twice in one object are errors (`JSONKeyCheck`), found before
    /// decoding so that a typo'd key is named as such rather than as the required key it fails to provide.
    public static func decode(from data: Data, source: String = "problem") throws(ProblemError) -> PlacementProblem {
        try decodeValidated(from: data, source: source).problem
    }

    /// Decodes and validates a problem, keeping the proof of validation for `PlacementModel(_:)`.
    public static func decodeValidated(from data: Data, source: String = "problem") throws(ProblemError)
        -> ValidatedProblem
    {
        let keyIssues = JSONKeyCheck.issues(in: data, shape: ProblemSchema.problem)
        if !keyIssues.isEmpty { throw .invalid(source: source, issues: keyIssues) }
        let problem: PlacementProblem
        do {
            problem = try JSONDecoder().decode(PlacementProblem.self, from: data)
        } catch let error as DecodingError {
            var issue = ProblemIssue(decodingError: error)
            // JSONDecoder on Linux says only "not valid JSON", without a position (found by fuzzing, issue 8):
            // ask JSONSerialization where the syntax breaks.
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let syntax = jsonSyntaxError(in: data) {
                issue.message = "not valid JSON: \(syntax)"
            }
            throw .malformed(source: source, issue: issue)
        } catch {
            throw .malformed(source: source, issue: ProblemIssue(path: "", message: "\(error)"))
        }
        return try problem.validated(source: source)
    }

    /// Where the JSON syntax of `data` breaks, as `line L, column C: what`; nil if JSONSerialization accepts it.
    static func jsonSyntaxError(in data: Data) -> String? {
        let detail: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            detail = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? "\(error)"
        }
        // The offset is in bytes ("Invalid value around character 8."); the end of the input otherwise.
        var offset = data.count
        if let range = detail.range(of: #"around character [0-9]+"#, options: .regularExpression),
            let value = Int(detail[range].dropFirst("around character ".count))
        {
            offset = min(value, data.count)
        } else if let range = detail.range(of: #"^Number \S+ is not"#, options: .regularExpression) {
            // "Number 1e999 is not representable in Swift.": the first occurrence of that number.
            let number = Data(detail[range].dropFirst("Number ".count).dropLast(" is not".count).utf8)
            offset = data.range(of: number).map { $0.lowerBound - data.startIndex } ?? offset
        }
        let before = data.prefix(offset)
        let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 - data.startIndex + 1 } ?? 0) + 1
        return "line \(line), column \(column): \(detail)"
    }

    /// Encodes with sorted keys so that emitted problems diff cleanly.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

extension ProblemIssue {
    init(decodingError: DecodingError) {
        switch decodingError {
        // "$" (the JSONPath root) when the whole document has the wrong type (`[]`, `"x"`, `null`): found by fuzzing.
        case .typeMismatch(let type, let context):
            self.init(
                path: Self.path(context.codingPath, root: "$"),
                message: "expected \(Self.typeName(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self.init(path: Self.path(context.codingPath, root: "$"), message: "expected \(Self.typeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(path: Self.path(context.codingPath + [key]), message: "required key \"\(key.stringValue)\" is missing")
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.localizedDescription
            self.init(
                path: Self.path(context.codingPath),
                message: context.codingPath.isEmpty
                    ? "not valid JSON: \(underlying ?? context.debugDescription)" : context.debugDescription)
        @unknown default:
            self.init(path: "", message: "\(decodingError)")
        }
    }

    static func path(_ keys: [any CodingKey], root: String = "") -> String {
        if keys.isEmpty { return root }
        var out = ""
        for key in keys {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: "a number"
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is [String: Any].Type: "a JSON object"
        default: "\(type)"
        }
    }
}
