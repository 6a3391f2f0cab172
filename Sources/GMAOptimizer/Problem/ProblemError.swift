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
    /// The bytes are not JSON, or a value has the wrong type, or a required key is missing.
    case malformed(source: String, issue: ProblemIssue)
    /// The JSON has keys the format does not have or repeats a key, or its content is not a usable problem.
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
