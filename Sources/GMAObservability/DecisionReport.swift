import Foundation
import GMAControl
import GMAOptimizer

extension ControllerDecision {
    /// The `gma decide --format json` object; with `includeProblem`, also the full problem (the journal),
    /// so any decision can be replayed with `gma solve`.
    /// `edge`: the edge this decision is for, when there are several (the member is left out otherwise).
    public func json(commands: [[String]], includeProblem: Bool = false, edge: String? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [("time", .string(ISO8601DateFormatter().string(from: time)))]
        if let edge { members.append(("edge", .string(edge))) }
        members += [
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
