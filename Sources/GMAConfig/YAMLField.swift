import Foundation
import Yams

/// The issues found in one load; every reader appends here so that all problems are reported at once.
package final class IssueLog {
    package private(set) var issues: [ConfigIssue] = []

    package init() {}

    package func add(_ severity: ConfigIssue.Severity, file: String, mark: Mark?, path: String, _ message: String) {
        issues.append(
            ConfigIssue(
                severity: severity, file: file, line: mark?.line, column: mark?.column, keyPath: path,
                message: message))
    }

    package func add(_ issue: ConfigIssue) { issues.append(issue) }

    package var hasErrors: Bool { issues.contains { $0.severity == .error } }
}

/// A position in a YAML tree: the node (absent if the key is missing), its key path and the nearest mark.
///
/// Typed accessors report a missing key or a wrong type to the log and return nil, so that a caller can
/// read every key, collect every problem, and only then decide to fail.
package struct YAMLField {
    package let node: Node?
    package let path: String
    /// The node's own mark, or the nearest enclosing node's when the key is absent.
    package let mark: Mark?
    package let file: String
    package let log: IssueLog
    /// The parent was not a mapping (already reported): stay silent about this key.
    package var silenced = false
    /// Where this field's own key is written (`telemetry:`): missing children are reported there.
    package var keyMark: Mark?
    /// The name of the list entry this field belongs to (an edge's `name`), printed after the key path of every
    /// issue below it: `spec.edge-areas[1].network.edge-cloud-rtt-ms (edge2)` (docs/config.md §4).
    package var entryName: String?

    package init(root: Node?, file: String, log: IssueLog, path: String = "") {
        self.node = root
        self.path = path
        self.mark = root?.mark
        self.file = file
        self.log = log
    }

    private init(
        node: Node?, path: String, mark: Mark?, file: String, log: IssueLog, silenced: Bool, keyMark: Mark? = nil,
        entryName: String?
    ) {
        self.keyMark = keyMark
        self.entryName = entryName
        self.node = node
        self.path = path
        self.mark = mark
        self.file = file
        self.log = log
        self.silenced = silenced
    }

    /// Absent, or an explicit YAML null (`key:` with no value, `~`, `null`).
    package var isAbsent: Bool {
        guard let node else { return true }
        if case .scalar = node, node.tag == Tag(.null) { return true }
        return false
    }

    package var isPresent: Bool { !isAbsent }

    package func error(_ message: String) {
        if !silenced { log.add(.error, file: file, mark: mark, path: reportedPath, message) }
    }
    package func warning(_ message: String) {
        if !silenced { log.add(.warning, file: file, mark: mark, path: reportedPath, message) }
    }

    /// The same field, with every issue below it naming `entry` after the key path.
    package func named(_ entry: String) -> YAMLField {
        var copy = self
        copy.entryName = entry
        return copy
    }

    private var reportedPath: String { entryName.map { "\(path) (\($0))" } ?? path }

    private func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value under `key`; reports once if this node exists but is not a mapping.
    package subscript(_ key: String) -> YAMLField {
        guard isPresent, let node else {
            return YAMLField(
                node: nil, path: join(key), mark: mark, file: file, log: log, silenced: silenced, entryName: entryName)
        }
        guard let mapping = node.mapping else {
            return YAMLField(
                node: nil, path: join(key), mark: mark, file: file, log: log, silenced: true, entryName: entryName)
        }
        var keyNode: Node?
        var value: Node?
        for (k, v) in mapping where k.string == key {
            keyNode = k
            value = v
            break
        }
        return YAMLField(
            node: value, path: join(key), mark: value?.mark ?? keyMark ?? mapping.mark, file: file, log: log,
            silenced: silenced, keyMark: keyNode?.mark, entryName: entryName)
    }

    /// Checks that a present node is a mapping; reports it otherwise.
    @discardableResult
    package func expectMapping(required: Bool = true) -> Bool {
        if isAbsent {
            if required { error("missing required key") }
            return false
        }
        if node?.mapping == nil {
            error("expected a mapping of keys, found \(kindName)")
            return false
        }
        return true
    }

    /// Warns about keys that gma does not read (a typo would otherwise go unnoticed).
    package func warnUnknownKeys(_ known: Set<String>) {
        guard let mapping = node?.mapping else { return }
        for (key, _) in mapping {
            guard let name = key.string, !known.contains(name) else { continue }
            YAMLField(
                node: key, path: join(name), mark: key.mark, file: file, log: log, silenced: silenced,
                entryName: entryName
            ).warning("unknown key, ignored")
        }
    }

    /// The elements of a sequence; nil (and reported) if absent-but-required or not a sequence.
    package func list(required: Bool = true) -> [YAMLField]? {
        if isAbsent {
            if required { error("missing required key") }
            return nil
        }
        guard let sequence = node?.sequence else {
            error("expected a list, found \(kindName)")
            return nil
        }
        return sequence.enumerated().map { index, element in
            YAMLField(
                node: element, path: "\(path)[\(index)]", mark: element.mark ?? mark, file: file, log: log,
                silenced: silenced, entryName: entryName)
        }
    }

    /// The text of a scalar. Absent → reported if required.
    package func string(required: Bool = true) -> String? {
        if isAbsent {
            if required { error("missing required key") }
            return nil
        }
        guard let scalar = node?.scalar else {
            error("expected a single value, found \(kindName)")
            return nil
        }
        return scalar.string
    }

    package func double(required: Bool = true) -> Double? {
        guard let text = string(required: required) else { return nil }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            error("expected a number, found '\(text)'")
            return nil
        }
        return value
    }

    package func int(required: Bool = true) -> Int? {
        guard let text = string(required: required) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            error("expected an integer, found '\(text)'")
            return nil
        }
        return value
    }

    package func bool(required: Bool = true) -> Bool? {
        guard let text = string(required: required) else { return nil }
        guard let value = node?.bool else {
            error("expected true or false, found '\(text)'")
            return nil
        }
        return value
    }

    /// A duration string (`250ms`, `1.5s`, `2m`) in seconds.
    ///
    /// A bare number means seconds, as in the reference, even under a key named `…-ms`; that reading is
    /// kept but warned about, since `edge-cloud-rtt-ms: 20` almost surely meant 20 ms, not 20 s.
    package func seconds(required: Bool = true) -> Double? {
        let value = parsed(required: required, UnitParser.seconds)
        if let value, path.hasSuffix("-ms"), let text = string(required: false)?.trimmingCharacters(in: .whitespaces),
            UnitParser.isBareNumber(text)
        {
            warning("\(text) is read as \(fmt(value)) s (a bare number means seconds); write \(text)ms for milliseconds or \(text)s to keep seconds")
        }
        return value
    }

    /// A bit-rate string (`1000Mbps`) in bit/s.
    package func bitsPerSecond(required: Bool = true) -> Double? { parsed(required: required, UnitParser.bitsPerSecond) }

    /// A Kubernetes quantity (`250m`, `64Mi`).
    package func quantity(required: Bool = true) -> Double? { parsed(required: required, UnitParser.quantity) }

    private func parsed(required: Bool, _ parse: (String) throws(UnitError) -> Double) -> Double? {
        guard let text = string(required: required) else { return nil }
        do {
            return try parse(text)
        } catch {
            self.error(error.message)
            return nil
        }
    }

    private var kindName: String {
        switch node {
        case .mapping?: return "a mapping"
        case .sequence?: return "a list"
        case .scalar(let scalar)?: return "'\(scalar.string)'"
        case .alias?: return "an alias"
        case nil: return "nothing"
        }
    }
}
