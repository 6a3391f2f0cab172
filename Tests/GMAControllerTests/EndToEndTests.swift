import Foundation
import GMAOptimizer
@testable import GMAProcess
import GMATestSupport
import Testing

/// `gma decide` and `gma run --dry-run` as a user runs them: the real binary, a real Prometheus holding a
/// known scenario, real kubectl against the fake Kubernetes API. The scenario: the edge users see 105 ms
/// on average (band 50–100 ms) over a 40 ms modelled RTT (netinfo 20 ms × 2), so the model implies moving
/// the whole app to reach the band's midpoint.
@Suite(.serialized) struct EndToEndTests {
    /// app3 (frontend → cart, frontend → catalog), as Istio and cAdvisor report it in the Liqo layout.
    static let scenario = MeshScenario(
        appNamespace: "fluidosmesh", ingressNamespace: "istio-ingress-edge1", ingressApp: "istio-ingressgateway",
        ingressInstance: "10.236.0.5:15020", cloudCluster: nil, edgeCluster: nil,
        calls: [
            .init(from: "user", to: "frontend", rate: 20),
            .init(from: "frontend", to: "cart", rate: 10),
            .init(from: "frontend", to: "catalog", rate: 20),
        ],
        delays: [.init(to: "frontend", cumulative: [0, 0, 2, 6, 18, 20, 20], sumRate: 20 * 105)],
        responseBytes: ["frontend": 20_000, "cart": 5_000, "catalog": 8_000],
        pods: [
            .init(area: .cloud, name: "frontend-cloud-6d5f7c-a1b2c", container: "frontend", cpu: 1.2, memory: 600e6),
            .init(area: .cloud, name: "cart-cloud-7c9d8f-d3e4f", container: "cart", cpu: 0.8, memory: 300e6),
            .init(area: .cloud, name: "catalog-cloud-0", container: "catalog", cpu: 1.6, memory: 500e6),
        ])

    /// app3's configuration copied next to its manifests, pointed at this Prometheus and fake API server.
    static func configuration(prometheus: URL, kube: FakeKubeAPI) throws -> String {
        let source = fixturesDirectory.appendingPathComponent("app3")
        let directory = URL(fileURLWithPath: kube.directory).appendingPathComponent("app3")
        try FileManager.default.copyItem(at: source, to: directory)
        var text = try String(contentsOf: directory.appendingPathComponent("GMAConfig.yaml"), encoding: .utf8)
        let edits = [
            ("prometheus-url: http://127.0.0.1:30000", "prometheus-url: \(prometheus.absoluteString)"),
            ("offload-delay-threshold: 250ms", "offload-delay-threshold: 100ms"),
            ("unoffload-delay-threshold: 150ms", "unoffload-delay-threshold: 50ms"),
            ("locked: [frontend]", "locked: []"),
            ("spec:\n", "spec:\n  kube:\n    kubeconfig: \(kube.kubeconfig)\n    timeout: 60s\n"),
        ]
        for (old, new) in edits {
            guard text.contains(old) else { throw FakeAPIError(message: "app3 config no longer contains \(old)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = directory.appendingPathComponent("GMAConfig.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func gma(_ arguments: [String]) async throws -> CommandResult {
        let binary = try GMABinary.path()
        return try await CommandRunner.run([binary] + arguments, timeoutSeconds: 120)
    }

    /// Runs `body` with a config path; the cloud manifests are applied to the fake cluster first.
    static func withWorld(_ body: @Sendable (String, FakeKubeAPI) async throws -> Void) async throws {
        var writer = OpenMetricsWriter(end: Scenarios.end)
        scenario.write(into: &writer)
        let kube = try FakeKubeAPI()
        defer { kube.stop() }
        try await PrometheusFixture.with(openMetrics: writer.render()) { url in
            let config = try configuration(prometheus: url, kube: kube)
            let manifests = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("manifests")
            for file in ["frontend-cloud.yaml", "cart-cloud.yaml", "cart-cloud-hpa.yaml", "catalog-cloud.yaml"] {
                try await kube.kubectl(["apply", "-n", "fluidosmesh", "-f", manifests.appendingPathComponent(file).path])
            }
            try await body(config, kube)
        }
    }

    @Test func decideImpliesTheModelsOffload() async throws {
        try await Self.withWorld { config, kube in
            let before = try await kube.objects().summary
            let emitted = kube.directory + "/decided-problem.json"
            let result = try await Self.gma([
                "decide", "--config", config, "--at", String(Scenarios.end), "--format", "json", "--solver", "ilp",
                "--emit-problem", emitted,
            ])
            #expect(result.exitStatus == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
            #expect(json["action"] as? String == "offload", "\(json["reason"] ?? "")")
            let telemetry = try #require(json["telemetry"] as? [String: Any])
            #expect(abs((telemetry["meanDelaySeconds"] as? Double ?? 0) - 0.105) < 1e-9)
            #expect(abs((telemetry["userRequestsPerSecond"] as? Double ?? 0) - 20) < 1e-9)
            let placement = try #require(json["placement"] as? [String: Any])
            #expect(placement["status"] as? String == "optimal")
            #expect(placement["feasible"] as? Bool == true)
            let added = try #require(placement["added"] as? [String])
            #expect(added.contains("frontend"), "the entry service must move for anything else to help")
            let commands = try #require(json["commands"] as? [[String]])
            #expect(commands.contains { $0.contains("apply") && $0.contains("fake-edge") && $0.last?.hasSuffix("frontend-edge1.yaml") == true })
            #expect(try await kube.objects().summary == before, "decide changes nothing")
            // The emitted problem replays with gma solve: measured λ and calls, netinfo RTT × multiplier.
            let problem = try PlacementProblem.decode(from: try Data(contentsOf: URL(fileURLWithPath: emitted)))
            #expect(problem.userRequestsPerSecond == 20)
            #expect(abs(problem.network.rttSeconds - 0.040) < 1e-12)
            #expect(problem.calls.count == 3)
        }
    }

    @Test func dryRunReplayWalksToOffloadingAndPrintsKubectl() async throws {
        try await Self.withWorld { config, kube in
            let before = try await kube.objects().summary
            let result = try await Self.gma([
                "run", "--config", config, "--dry-run", "--metrics-address", "off",
                "--replay-from", String(Scenarios.end - 600), "--replay-until", String(Scenarios.end),
            ])
            #expect(result.exitStatus == 0, "\(result.stderr)")
            let log = result.stderr
            let alarm = try #require(log.range(of: "camping → offload-alarm"), "\(log)")
            let acting = try #require(log.range(of: "offload-alarm → offloading"))
            let decided = try #require(log.range(of: "decision: offload"))
            #expect(alarm.lowerBound < acting.lowerBound && acting.lowerBound < decided.lowerBound)
            #expect(log.contains("kubectl: \(FakeKubeAPI.kubectl)"))
            #expect(log.contains("apply -f"))
            #expect(try await kube.objects().summary == before, "a dry run changes nothing")
        }
    }
}
