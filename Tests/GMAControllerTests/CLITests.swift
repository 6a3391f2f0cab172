import Foundation
@testable import GMAProcess
import GMATestSupport
import Testing

/// The placement commands as a user runs them: output shapes, exit statuses, one-line errors.
@Suite struct CLITests {
    static let instances = RepositoryFiles.instances

    static func gma(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = try GMABinary.path()
        let result = try await CommandRunner.run([binary] + arguments, timeoutSeconds: 120)
        return (result.exitStatus, String(decoding: result.stdout, as: UTF8.self), result.stderr)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func evaluateJSONHasTheConformanceKeys() async throws {
        let problem = Self.instances.appendingPathComponent("offload-small-M06-t00.json").path
        let result = try await Self.gma(["evaluate", problem, "--edge", "s0,s1,s2,s4", "--format", "json"])
        #expect(result.status == 0)
        let object = try Self.json(result.stdout)
        #expect(Set(object.keys) == [
            "callsPerRequest", "delaySeconds", "networkDelaySeconds", "internalDelaySeconds", "rho",
            "cloudToEdgeTrafficBitsPerSecond", "cpuUsageCores", "memoryUsageBytes", "replicas", "costPerHour",
        ])
        #expect(abs((object["delaySeconds"] as? Double ?? 0) - 0.061105556281731234) < 1e-15)
        // --edge '' means nothing at the edge; omitted means the current placement (cold start: the same).
        let none = try Self.json(try await Self.gma(["evaluate", problem, "--edge", "", "--format", "json"]).stdout)
        let current = try Self.json(try await Self.gma(["evaluate", problem, "--format", "json"]).stdout)
        #expect(none["delaySeconds"] as? Double == current["delaySeconds"] as? Double)
    }

    @Test(arguments: [
        (["evaluate", "/nonexistent.json"], "/nonexistent.json: cannot read"),
        (["evaluate", "PROBLEM", "--edge", "s0,nope"], "unknown service(s) nope"),
        (["solve", "GARBAGE"], "not valid JSON"),
    ])
    func badInputExitsTwoWithOneLine(arguments: [String], message: String) async throws {
        let problem = Self.instances.appendingPathComponent("offload-small-M06-t00.json").path
        // A regular file the test writes, not a device file: how /dev/null reads differs between machines.
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("gma-garbage-\(UUID().uuidString).json")
        try Data("{ \"schema\": ".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let result = try await Self.gma(arguments.map { $0 == "PROBLEM" ? problem : $0 == "GARBAGE" ? garbage.path : $0 })
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// A malformed option is a usage error: EX_USAGE (64) with the usage text, as argument parsers do.
    @Test func malformedOptionIsAUsageError() async throws {
        let problem = Self.instances.appendingPathComponent("offload-small-M06-t00.json").path
        let result = try await Self.gma(["solve", problem, "--time-limit", "soon"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("not a duration"))
    }

    @Test func solveJSONHasTheDocumentedKeys() async throws {
        let problem = Self.instances.appendingPathComponent("offload-M051-t00.json").path
        let result = try await Self.gma(["solve", problem, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try Self.json(result.stdout)
        for key in [
            "status", "solver", "edgeServices", "added", "removed", "costPerHour", "delaySeconds", "rho", "feasible",
            "bound", "gap", "seconds", "nodes",
        ] { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["status"] as? String == "optimal")
        #expect(object["solver"] as? String == "ilp")
        let text = try await Self.gma(["solve", problem])
        #expect(text.stdout.contains("status          optimal"))
    }
}
