import Foundation
@testable import GMAProcess
import Testing

/// `gma decide` as a script sees it: exit 0 only for a real decision, 3 with one line naming what could not be
/// read (docs/controller.md §6).
@Suite(.serialized) struct DecideExitStatusTests {
    /// A loopback port nothing listens on: bound, then closed.
    static func closedPort() throws -> Int { try freeLocalPort() }

    static func decide(_ config: String) async throws -> CommandResult {
        try await EndToEndTests.gma(["decide", "--config", config, "--at", String(Scenarios.end), "--format", "json"])
    }

    @Test func prometheusDownExitsThreeNamingTheQueries() async throws {
        let kube = try FakeKubeAPI()
        defer { kube.stop() }
        let dead = URL(string: "http://127.0.0.1:\(try Self.closedPort())")!
        let config = try EndToEndTests.configuration(prometheus: dead, kube: kube)
        let result = try await Self.decide(config)
        #expect(result.exitStatus == 3, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(result.stderr)")
        #expect(result.stderr.contains("cannot decide: Prometheus query"), "\(result.stderr)")
        #expect(!result.stderr.contains("histogram_quantile"), "names the query family, not its PromQL")
    }

    @Test func clusterUnreadableExitsThree() async throws {
        var writer = OpenMetricsWriter(end: Scenarios.end)
        EndToEndTests.scenario.write(into: &writer)
        let kube = try FakeKubeAPI()
        try await PrometheusFixture.with(openMetrics: writer.render()) { url in
            defer { kube.stop() }
            let config = try EndToEndTests.configuration(prometheus: url, kube: kube)
            // Point the kubeconfig at a port nothing listens on: the API server is unreachable.
            let kubeconfig = try String(contentsOfFile: kube.kubeconfig, encoding: .utf8)
            try kubeconfig.replacingOccurrences(of: "127.0.0.1:\(kube.port)", with: "127.0.0.1:\(try Self.closedPort())")
                .write(toFile: kube.kubeconfig, atomically: true, encoding: .utf8)
            let result = try await Self.decide(config)
            #expect(result.exitStatus == 3, "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            #expect(result.stderr.contains("cannot decide: cluster unreadable"), "\(result.stderr)")
        }
    }

    @Test func aDecisionOfNoneExitsZero() async throws {
        // The scenario's delay (105 ms) inside a band widened to 50–200 ms: a real decision, "none".
        try await EndToEndTests.withWorld { config, _ in
            var text = try String(contentsOfFile: config, encoding: .utf8)
            text = text.replacingOccurrences(of: "offload-delay-threshold: 100ms", with: "offload-delay-threshold: 200ms")
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let result = try await Self.decide(config)
            #expect(result.exitStatus == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            #expect(json["action"] as? String == "none")
            #expect((json["readFailures"] as? [String]) == [])
        }
    }
}
