import Foundation
import Yams

/// Reading YAML text into position-carrying nodes; syntax errors become issues with line:column.
package enum YAMLDocuments {
    /// All documents of a (possibly multi-document) file. Empty documents are skipped (docs/differences.md D10).
    package static func compose(_ text: String, file: String, log: IssueLog) -> [Node] {
        do {
            var nodes: [Node] = []
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() { nodes.append(node) }
            if let error = sequence.error { throw error }
            return nodes
        } catch {
            report(error, file: file, log: log)
            return []
        }
    }

    package static func report(_ error: Error, file: String, log: IssueLog) {
        guard let yamlError = error as? YamlError else {
            log.add(.error, file: file, mark: nil, path: "", "cannot parse YAML: \(error)")
            return
        }
        switch yamlError {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            let where_ = context.map { "\($0.text) at line \($0.mark.line), column \($0.mark.column): " } ?? ""
            log.add(.error, file: file, mark: mark, path: "", "YAML syntax: \(where_)\(problem)")
        case let .duplicatedKeysInMapping(duplicates, context):
            log.add(
                .error, file: file, mark: context.mark, path: "",
                "duplicated key\(duplicates.count == 1 ? "" : "s") \(duplicates.sorted().joined(separator: ", ")) in this mapping")
        case let .reader(problem, offset, _, yaml):
            // libyaml gives reader errors (control characters, bad UTF-8) only an offset into the text; found by
            // fuzzing (issue 8): turn it into the line:column every other issue has.
            let (line, column) = offset.map { position(ofCharacter: $0, in: yaml) } ?? (nil, nil)
            log.add(
                ConfigIssue(
                    file: file, line: line, column: column, keyPath: "",
                    message: "YAML reader: \(problem) at character \(offset ?? 0)"))
        default:
            log.add(.error, file: file, mark: nil, path: "", "YAML: \(yamlError)")
        }
    }

    /// 1-based line and column of the character at `offset` (a distance in Characters, as Yams reports it).
    package static func position(ofCharacter offset: Int, in text: String) -> (line: Int?, column: Int?) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

/// Paths in the config resolve relative to the config file's directory (docs/differences.md D9).
package struct PathResolver {
    package let baseDirectory: String

    package init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    package func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return (expanded as NSString).standardizingPath }
        return ((baseDirectory as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
    }
}
