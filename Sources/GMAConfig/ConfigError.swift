import Foundation

/// One problem found in a configuration or manifest file, with its position and key path.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    /// The file as the user named it (or as resolved relative to the config file).
    public var file: String
    /// 1-based line and column of the nearest YAML node, when known.
    public var line: Int?
    public var column: Int?
    /// Dotted key path inside the file, e.g. `spec.slo.offload-delay-threshold` or `spec.app.services[2].name`;
    /// inside an entry of `spec.edge-areas`, followed by the edge's name: `spec.edge-areas[1].cluster (edge2)`.
    public var keyPath: String
    public var message: String

    public init(
        severity: Severity = .error, file: String, line: Int? = nil, column: Int? = nil, keyPath: String,
        message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: error: key.path: message`, as compilers print it.
    public var description: String {
        var position = file
        if let line {
            position += ":\(line)"
            if let column { position += ":\(column)" }
        }
        let path = keyPath.isEmpty ? "" : "\(keyPath): "
        return "\(position): \(severity.rawValue): \(path)\(message)"
    }
}

/// Every error found while loading a configuration (all of them, not only the first).
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var issues: [ConfigIssue]
    public init(issues: [ConfigIssue]) { self.issues = issues }

    public var errors: [ConfigIssue] { issues.filter { $0.severity == .error } }

    public var description: String {
        let count = errors.count
        let head = "\(count) configuration error\(count == 1 ? "" : "s")"
        // Grouped by file (in order of first appearance), then by position.
        var files: [String] = []
        for issue in issues where !files.contains(issue.file) { files.append(issue.file) }
        let ordered = files.flatMap { file in
            issues.enumerated().filter { $0.element.file == file }.sorted { a, b in
                let x = (a.element.line ?? 0, a.element.column ?? 0, a.offset)
                let y = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
                return x < y
            }.map(\.element)
        }
        return ([head] + ordered.map(\.description)).joined(separator: "\n")
    }
}
