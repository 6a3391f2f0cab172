import Foundation

/// One thing wrong with a problem, located by its JSON path (`services[3].cpuRequestCores.cloud`).
public struct ProblemIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Why a `gma/v1` problem could not be used. Every case names where the problem is.
public enum ProblemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are not JSON, or a key has the wrong type or is missing.
    case malformed(source: String, issue: ProblemIssue)
    /// The JSON has the right shape but its content is not a usable problem.
    case invalid(source: String, issues: [ProblemIssue])

    public var issues: [ProblemIssue] {
        switch self {
        case .malformed(_, let issue): [issue]
        case .invalid(_, let issues): issues
        }
    }

    public var description: String {
        switch self {
        case .malformed(let source, let issue):
            "\(source): \(issue)"
        case .invalid(let source, let issues):
            issues.map { "\(source): \($0)" }.joined(separator: "\n")
        }
    }
}

extension PlacementProblem {
    /// Decodes and validates a problem. `source` names the input (a file name) in every error.
    public static func decode(from data: Data, source: String = "problem") throws(ProblemError) -> PlacementProblem {
        let problem: PlacementProblem
        do {
            problem = try JSONDecoder().decode(PlacementProblem.self, from: data)
        } catch let error as DecodingError {
            throw .malformed(source: source, issue: ProblemIssue(decodingError: error))
        } catch {
            throw .malformed(source: source, issue: ProblemIssue(path: "", message: "\(error)"))
        }
        let issues = ProblemValidator(problem: problem).issues()
        if !issues.isEmpty { throw .invalid(source: source, issues: issues) }
        return problem
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
        case .typeMismatch(let type, let context):
            self.init(path: Self.path(context.codingPath), message: "expected \(Self.typeName(type)); \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            self.init(path: Self.path(context.codingPath), message: "expected \(Self.typeName(type)), found null")
        case .keyNotFound(let key, let context):
            self.init(path: Self.path(context.codingPath + [key]), message: "required key is missing")
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

    static func path(_ keys: [any CodingKey]) -> String {
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
        default: "\(type)"
        }
    }
}
