import Foundation
import GMAOptimizer
import GMAProcess

/// A placement plug-in (`optimizer.connector: exec:PATH`): an executable that reads a `gma/v1` problem on
/// standard input and writes a solve result on standard output — at least `{"edgeServices": [...]}`, e.g.
/// what `gma solve --format json` prints. Its answer is checked (known names, the action's direction, locks)
/// and re-evaluated with the model; anything wrong is an error so the caller can fall back.
public struct ExternalSolver: Sendable {
    public let path: String
    public let timeoutSeconds: Double

    public init(path: String, timeoutSeconds: Double) {
        self.path = path
        self.timeoutSeconds = timeoutSeconds
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The plug-in's edge set for the model's problem.
    public func placement(for model: PlacementModel) async -> Result<[Bool], Failure> {
        func fail(_ message: String) -> Result<[Bool], Failure> { .failure(Failure(description: "\(path): \(message)")) }
        let input: Data
        do {
            input = try model.problem.encoded()
        } catch {
            return fail("cannot encode the problem: \(error)")
        }
        let result: CommandResult
        do {
            result = try await CommandRunner.run([path], timeoutSeconds: timeoutSeconds, input: input)
        } catch {
            return fail("\(error)")
        }
        if result.timedOut { return fail("no answer within \(timeoutSeconds) s") }
        guard result.exitStatus == 0 else {
            return fail("exit status \(result.exitStatus): \(result.stderr.prefix(500))")
        }
        guard let object = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            let names = object["edgeServices"] as? [String]
        else {
            return fail("standard output is not a JSON object with an \"edgeServices\" array of names")
        }
        let set: [Bool]
        do {
            set = try model.edgeSet(named: names)
        } catch {
            return fail("\(error.description)")
        }
        let current = model.current.atEdge
        let (mayAdd, mayRemove) = model.movable(allowRemoval: false)
        for i in set.indices where set[i] != current[i] {
            let name = model.serviceNames[i]
            if set[i] && !mayAdd[i] { return fail("adds \(name), which this \(model.problem.action.rawValue) may not add") }
            if !set[i] && !mayRemove[i] {
                return fail("removes \(name), which this \(model.problem.action.rawValue) may not remove")
            }
        }
        return .success(set)
    }
}
