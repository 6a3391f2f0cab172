import Foundation
import GMAOptimizer

extension ControllerDecision {
    /// The `gma decide --format json` object; with `includeProblem`, also the full problem (the journal),
    /// so any decision can be replayed with `gma solve`.
    public func json(commands: [[String]], includeProblem: Bool = false) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("time", .string(ISO8601DateFormatter().string(from: time))),
            ("action", .string(action.rawValue)),
            ("reason", .string(reason)),
            ("telemetry", .object([
                ("meanDelaySeconds", meanDelaySeconds.map(JSONValue.number) ?? .null),
                ("quantileDelaySeconds", quantileDelaySeconds.map(JSONValue.number) ?? .null),
                ("userRequestsPerSecond", userRequestsPerSecond.map(JSONValue.number) ?? .null),
            ])),
            ("placement", placement?.json ?? .null),
            ("operations", .strings(operations.map(\.description))),
            ("commands", .array(commands.map(JSONValue.strings))),
            ("readFailures", .strings(readFailures)),
        ]
        if includeProblem {
            let encoded = (try? problem?.encodedCompact()).flatMap { String(data: $0, encoding: .utf8) }
            members.append(("problem", encoded.map(JSONValue.raw) ?? .null))
        }
        return .object(members)
    }
}

extension PlacementProblem {
    func encodedCompact() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }
}

/// Appends one JSON line per decision to a file (`gma run --journal`).
public final class DecisionJournal: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw AssemblyError("\(path): cannot create the journal file")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw AssemblyError("\(path): cannot open the journal file for writing")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    public func append(_ decision: ControllerDecision, commands: [[String]]) {
        let line = decision.json(commands: commands, includeProblem: true).rendered() + "\n"
        lock.lock()
        handle.write(Data(line.utf8))
        lock.unlock()
    }
}

extension KubectlCluster {
    /// The kubectl argument vectors an operation runs (for `--dry-run`, `decide` and the journal).
    public func argv(for operation: ClusterOperation) -> [[String]] {
        guard let service = services.first(where: { $0.name == operation.service }) else { return [] }
        switch operation {
        case .apply: return [commands.apply(files: service.edge.files)]
        case .delete: return [commands.delete(files: service.edge.files)]
        case .scale(_, let area, let replicas):
            let manifests = area == .cloud ? service.cloud : service.edge
            return [commands.scale(area, kind: manifests.workloadKind, name: manifests.workloadName, replicas: replicas)]
        }
    }
}
