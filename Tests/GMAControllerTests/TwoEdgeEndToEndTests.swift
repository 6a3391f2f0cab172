import Foundation
import GMATestSupport
import Testing

@testable import GMAProcess

/// The controller over two edges end to end (docs/multi-edge.md §9): the real `gma` binary, a real Prometheus
/// holding series labelled `cluster=cloud|edge1|edge2`, real kubectl against three fake API servers. The worlds
/// are in TwoEdgeWorld.swift; every figure below is worked out from them with docs/model.md and
/// docs/multi-edge.md.
///
/// The numbers every case shares:
/// * Links (netinfo × RTT multiplier 2): edge1 RTT 40 ms, B1 = 199 Mbit/s; edge2 RTT 60 ms, B2 = 99 Mbit/s.
/// * edge1 (20 req/s, 105 ms, frontend there): one crossing per request, frontend → the cloud's backend.
///   T1 = 8 × 20 × 5,000 = 800,000 bit/s, ρ1 = 0.0040201, k1 = 1/(1 − ρ1) = 1.0040363, so the model's delay is
///   40,000 / 199e6 × k1 + 40 ms = 40.2 ms. 105 ms is above the band (50–100 ms): edge1 offloads to the
///   midpoint, 75 ms, a reduction of 30 ms; offloading backend removes the crossing (40.2 ms ≥ 30 ms), and
///   nothing else can (frontend is there already). The prediction: 105 − 40.2 = 64.8 ms.
/// * Prices per replica-hour (requests: frontend 0.5 core and 128 MiB, backend 0.25 core and 64 MiB; HPA
///   target 60 %, so a replica per 0.3 core of frontend and per 0.15 core of backend): cloud frontend 0.011796,
///   backend 0.005898; edge2 frontend 0.018147, backend 0.009074; edge1 backend 0.007940. Network 0.02 per GB.
/// * Each edge's users are charged half the cloud's usage (`default-resource-scaling: 0.5` each, summing to 1).
@Suite(.serialized) struct TwoEdgeEndToEndTests {
    static func gma(_ arguments: [String]) async throws -> CommandResult {
        let binary = try GMABinary.path()
        return try await CommandRunner.run([binary] + arguments, timeoutSeconds: 180)
    }

    /// Runs `body` with the two-edge config path and the servers, seeded with `world` before the decision.
    static func withWorld(_ world: TwoEdgeWorld, _ body: @Sendable (String, TwoEdgeKube) async throws -> Void) async throws {
        let kube = try TwoEdgeKube()
        defer { kube.stop() }
        try await PrometheusFixture.with(openMetrics: world.openMetrics) { url in
            let config = try kube.configuration(prometheus: url)
            try await kube.seed(world)
            try await body(config, kube)
        }
    }

    /// `gma decide --format json` and its per-edge blocks by edge name.
    static func decide(_ config: String) async throws -> (json: [String: Any], edges: [String: [String: Any]]) {
        let result = try await gma(["decide", "--config", config, "--at", String(Scenarios.end), "--format", "json"])
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result.stdout)")
        let blocks = try #require(json["edges"] as? [[String: Any]], "\(json)")
        let edges = Dictionary(blocks.map { ($0["edge"] as? String ?? "?", $0) }) { first, _ in first }
        #expect(blocks.map { $0["edge"] as? String } == ["edge1", "edge2"], "one block per edge, in file order")
        return (json, edges)
    }

    static func number(_ block: [String: Any], _ section: String, _ key: String) -> Double? {
        (block[section] as? [String: Any])?[key] as? Double
    }

    static func context(_ argv: [String]) -> String? { argv.firstIndex(of: "--context").map { argv[$0 + 1] } }

    /// edge1 offloads backend; edge2 (70 ms, in band, nothing there) is held (it may rise to the band's midpoint,
    /// 75 − 70 = 5 ms) and stays as it is.
    ///
    /// Usage: the cloud's frontend 0.5 core, backend 0.4; edge1's frontend 0.25. Current joint cost:
    /// edge1 frontend (0.25 + 0.25 of the cloud's, all its users' frontend runs at edge1) 0.5 core → 2 replicas;
    /// the cloud's frontend: edge2's 0.25 → 1 replica; the cloud's backend: 0.2 + 0.2 → ⌈2.67⌉ = 3. With backend
    /// at edge1: edge1's 0.2 there → ⌈1.33⌉ = 2 replicas, the cloud's backend 0.2 → 2; joint cost
    /// 0.074208 → 0.076989 $/h (network: edge1 0 instead of 0.00144, edge2 0.00576).
    /// What edge2 could add only costs: frontend there (edge2's 0.25 → 1 replica, 0.018147) leaves the cloud's
    /// frontend at its minimum of 1 and saves 15,000 B × 4/s of traffic, 0.00432 $/h: +0.0138 $/h; frontend and
    /// backend there: +0.0247 $/h; backend alone would never be called (inert). So edge2 gets no operation.
    ///
    /// No leak: mixed, the two ingresses would give 24 req/s and (2,100 + 280) / 24 = 99.2 ms.
    @Test func decideOffloadsAtEdge1AndLeavesEdge2() async throws {
        try await Self.withWorld(.edge1SlowEdge2Idle) { config, kube in
            let before = try await kube.snapshot()
            let edge2Seen = try await kube.requests(kube.edge2).count
            let (json, edges) = try await Self.decide(config)
            let edge1 = try #require(edges["edge1"])
            let edge2 = try #require(edges["edge2"])

            // Each edge's own ingress: rate, mean, p90.
            #expect(abs((Self.number(edge1, "telemetry", "userRequestsPerSecond") ?? 0) - 20) < 1e-9, "\(edge1)")
            #expect(abs((Self.number(edge1, "telemetry", "meanDelaySeconds") ?? 0) - 0.105) < 1e-9, "\(edge1)")
            #expect(abs((Self.number(edge1, "telemetry", "quantileDelaySeconds") ?? 0) - 0.250) < 1e-9, "\(edge1)")
            #expect(abs((Self.number(edge2, "telemetry", "userRequestsPerSecond") ?? 0) - 4) < 1e-9, "\(edge2)")
            #expect(abs((Self.number(edge2, "telemetry", "meanDelaySeconds") ?? 0) - 0.070) < 1e-9, "\(edge2)")
            #expect(abs((Self.number(edge2, "telemetry", "quantileDelaySeconds") ?? 0) - 0.095) < 1e-9, "\(edge2)")

            // edge1 adds backend, on its own model (40.2 ms → 0).
            #expect(edge1["action"] as? String == "offload", "\(json["reason"] ?? "")")
            let placement1 = try #require(edge1["placement"] as? [String: Any])
            #expect(placement1["added"] as? [String] == ["backend"], "\(placement1)")
            #expect(Set(placement1["edgeServices"] as? [String] ?? []) == ["frontend", "backend"])
            let reason1 = edge1["reason"] as? String ?? ""
            #expect(reason1.contains("predicted 64.8 ms (model 40.2 ms → 0.0 ms)"), "\(reason1)")

            // edge2: nothing, and its model delay is its own link's: the user → frontend crossing,
            // T2 = 8 × 4 × 20,000 = 640,000 bit/s, k2 = 1/(1 − 640,000/99e6) = 1.0065067,
            // 160,000 / 99e6 × k2 + 60 ms = 61.6267 ms.
            #expect(edge2["action"] as? String == "none", "\(edge2)")
            #expect((edge2["operations"] as? [Any])?.isEmpty == true, "\(edge2)")
            #expect((edge2["commands"] as? [Any])?.isEmpty == true, "\(edge2)")
            let placement2 = try #require(edge2["placement"] as? [String: Any], "\(edge2)")
            #expect((placement2["edgeServices"] as? [String])?.isEmpty == true, "\(placement2)")
            #expect(abs((placement2["delaySeconds"] as? Double ?? 0) - 0.0616267) < 1e-6, "\(placement2)")

            // The joint answer's cost, worked out above.
            let joint = try #require(json["joint"] as? [String: Any], "\(json)")
            let cost = try #require((joint["costPerHour"] as? [String: Any])?["total"] as? Double, "\(joint)")
            #expect(abs(cost - 0.076989) < 1e-5, "\(joint)")

            // Every edge1 command runs in edge1's context, with edge1's manifests; none in edge2's.
            let commands = try #require(edge1["commands"] as? [[String]])
            #expect(!commands.isEmpty)
            for argv in commands {
                #expect(argv.first == FakeKubeAPI.kubectl && argv.contains(kube.kubeconfig), "\(argv)")
                #expect(Self.context(argv) == "edge1", "\(argv)")
                #expect(!argv.contains { $0.contains("two-edges/edge2/") }, "\(argv)")
            }
            let applied = commands.filter { $0.contains("apply") }
            let appliedFile = applied.first?.last ?? ""
            #expect(applied.count == 1 && appliedFile.hasSuffix("layouts/two-edges/edge1/backend.yaml"), "\(commands)")
            let scaled = commands.flatMap { $0 }.filter { $0.hasPrefix("deployment/") }
            #expect(scaled.allSatisfy { $0 == "deployment/backend" }, "\(scaled)")

            // The text form: the joint line (cost 0.076989 → "0.0770"), then one block per edge, in file order.
            let text = try await Self.gma(["decide", "--config", config, "--at", String(Scenarios.end)])
            #expect(text.exitStatus == 0, "\(text.stderr)")
            let blocks = String(decoding: text.stdout, as: UTF8.self).components(separatedBy: "\n\n")
            #expect(blocks.count == 3, "\(blocks)")
            if blocks.count == 3 {
                #expect(blocks[0].hasPrefix("joint           joint decision for edge1"), "\(blocks[0])")
                #expect(blocks[0].contains("cost 0.0770/h"), "\(blocks[0])")
                #expect(blocks[1].hasPrefix("edge            edge1\naction          offload"), "\(blocks[1])")
                #expect(blocks[1].contains("--context edge1") && !blocks[1].contains("--context edge2"), "\(blocks[1])")
                #expect(blocks[2].hasPrefix("edge            edge2\naction          none"), "\(blocks[2])")
                #expect(!blocks[2].contains("would run"), "\(blocks[2])")
            }

            // Nothing changed anywhere; edge2's server was only read.
            #expect(try await kube.snapshot() == before, "decide changes nothing")
            let edge2Requests = try await kube.requests(kube.edge2).dropFirst(edge2Seen)
            #expect(edge2Requests.allSatisfy { $0.hasPrefix("GET ") }, "\(edge2Requests)")
            #expect(edge2Requests.contains { $0.hasSuffix("/namespaces/shop/deployments") }, "edge2's copies are read at edge2")
        }
    }

    /// edge2 at 72 ms with frontend and backend there: held, its delay may rise to the band's midpoint, 3 ms more.
    /// Removing backend from edge2 would save cost but puts a crossing back (5,000 B at 4 req/s:
    /// k = 1/(1 − 160,000/99e6), 40,000 / 99e6 × k + 60 ms = 60.4 ms > 3 ms); removing both puts the user →
    /// frontend crossing back (61.6 ms > 3 ms). So edge2 keeps both, and the answer costs more than removing would
    /// have.
    ///
    /// Usage: the cloud's frontend 0.05 core (idle), backend 0.32 (edge1's calls); edge2's frontend 0.1,
    /// backend 0.1. With edge1's backend moved (edge1's share 0.16 → ⌈1.07⌉ = 2 replicas at edge1):
    /// * edge2 keeps backend: edge2's backend 0.16 + 0.1 = 0.26 core → ⌈1.73⌉ = 2 replicas (0.018147 $/h), the
    ///   cloud's backend nobody's → 1 replica; joint 0.085747 $/h;
    /// * edge2 gives backend back: 0.26 core in the cloud → 2 replicas (+0.005898), network +0.00144, edge2
    ///   −0.018147: joint 0.074937 $/h, 0.0108 cheaper, and 60.4 ms over the limit.
    @Test func heldEdgeNearTheTopKeepsWhatItHas() async throws {
        try await Self.withWorld(.edge2NearTheTop) { config, kube in
            let before = try await kube.snapshot()
            let (json, edges) = try await Self.decide(config)
            let edge1 = try #require(edges["edge1"])
            let edge2 = try #require(edges["edge2"])
            #expect(abs((Self.number(edge2, "telemetry", "meanDelaySeconds") ?? 0) - 0.072) < 1e-9, "\(edge2)")
            #expect(abs((Self.number(edge2, "telemetry", "userRequestsPerSecond") ?? 0) - 4) < 1e-9, "\(edge2)")

            let placement1 = try #require(edge1["placement"] as? [String: Any])
            #expect(edge1["action"] as? String == "offload" && placement1["added"] as? [String] == ["backend"], "\(edge1)")
            #expect(edge2["action"] as? String == "none", "\(edge2)")
            #expect((edge2["operations"] as? [Any])?.isEmpty == true, "\(edge2)")
            let placement2 = try #require(edge2["placement"] as? [String: Any], "\(edge2)")
            #expect(Set(placement2["edgeServices"] as? [String] ?? []) == ["frontend", "backend"], "\(placement2)")
            #expect((placement2["removed"] as? [String])?.isEmpty == true, "\(placement2)")

            let joint = try #require(json["joint"] as? [String: Any], "\(json)")
            let cost = try #require((joint["costPerHour"] as? [String: Any])?["total"] as? Double, "\(joint)")
            #expect(abs(cost - 0.085747) < 1e-5, "kept, not the 0.074937 of giving backend back: \(joint)")
            for argv in (edge1["commands"] as? [[String]] ?? []) { #expect(Self.context(argv) == "edge1", "\(argv)") }
            #expect(try await kube.snapshot() == before, "decide changes nothing")
        }
    }

    /// Both edges' frontends call the cloud's backend: the cloud's series carry 20 + 4 = 24 calls/s from
    /// `frontend`, with no sign of which edge made them. The call graph is the app's (docs/multi-edge.md §1):
    /// frontend calls backend once per request, (20 + 4) / (20 + 4) over every cluster. Read from the cloud and
    /// one edge only it would be 24 / 20 = 1.2 for edge1 (model 48.2 ms) and 24 / 4 = 6 for edge2 (model
    /// 6 × 60.4 = 362.4 ms, and a prediction of 70 + 61.6 − 362.4 = −230.8 ms).
    ///
    /// The decision: edge1 offloads backend (as above). edge2 (70 ms, held: up to the midpoint, 5 ms more) gives
    /// frontend back: its users then cross once at the user → frontend call (61.6 ms) instead of frontend →
    /// backend (60.4 ms); +1.2 ms, predicted 70 + 61.6 − 60.4 = 71.2 ms ≤ 75 ms. It saves edge2's frontend
    /// replica (0.1 + 0.025 core → 1 replica, 0.018147 $/h) for 15,000 B × 4/s more traffic (0.00432 $/h); the
    /// cloud's frontend stays at 1 replica (0.125 core). Joint cost 0.061110 $/h instead of 0.074937 keeping it:
    /// 18.5 % less, above the 10 % a held edge's move must save (docs/multi-edge.md §9). edge2's operations run
    /// in the cloud's context (scale the shared frontend) and in edge2's (delete edge2's copy).
    ///
    /// This test checks the decision and the commands; `eachEdgesModelUsesTheAppsCallGraph` checks the figures.
    @Test func heldEdgeGivesFrontendBackInItsOwnContexts() async throws {
        try await Self.withWorld(.bothCallTheCloudBackend) { config, kube in
            let (json, edges) = try await Self.decide(config)
            let edge1 = try #require(edges["edge1"])
            let edge2 = try #require(edges["edge2"])
            let placement2 = try #require(edge2["placement"] as? [String: Any], "\(edge2)")
            #expect(placement2["removed"] as? [String] == ["frontend"], "\(json)")
            let joint = try #require(json["joint"] as? [String: Any], "\(json)")
            let cost = try #require((joint["costPerHour"] as? [String: Any])?["total"] as? Double, "\(joint)")
            #expect(abs(cost - 0.061110) < 1e-5, "\(joint)")

            let commands = try #require(edge2["commands"] as? [[String]], "\(edge2)")
            let scales = commands.filter { $0.contains("scale") }
            let deletes = commands.filter { $0.contains("delete") }
            #expect(scales.count == 1 && deletes.count == 1, "\(commands)")
            if let scale = scales.first {
                #expect(Self.context(scale) == "cloud" && scale.contains("deployment/frontend"), "\(scale)")
            }
            if let delete = deletes.first {
                #expect(Self.context(delete) == "edge2", "\(delete)")
                #expect(delete.last?.hasSuffix("layouts/two-edges/edge2/frontend.yaml") == true, "\(delete)")
            }
            for argv in (edge1["commands"] as? [[String]] ?? []) { #expect(Self.context(argv) == "edge1", "\(argv)") }
            _ = kube
        }
    }

    /// The figures of `heldEdgeGivesFrontendBackInItsOwnContexts`'s world, from the app's call graph: edge1's model
    /// 40.2 ms → 0, predicted 64.8 ms; edge2's model 60.4 → 61.6 ms, predicted 71.2 ms. The call graph is the app's, read over
    /// every area: read over the cloud and the edge's own cluster only (`callRate`/`serviceRequestRate` with
    /// `cluster=~"cloud|edgeN"`), the other edge's calls into the cloud's backend counted as this edge's (F = 1.2
    /// and 6 instead of 1), and gma reported "predicted 56.8 ms (model 48.2 ms → 0.0 ms)" for edge1 and
    /// "predicted -230.8 ms (model 362.4 ms → 61.6 ms)" for edge2.
    @Test
    func eachEdgesModelUsesTheAppsCallGraph() async throws {
        try await Self.withWorld(.bothCallTheCloudBackend) { config, _ in
            let (_, edges) = try await Self.decide(config)
            let reason1 = try #require(edges["edge1"])["reason"] as? String ?? ""
            #expect(reason1.contains("predicted 64.8 ms (model 40.2 ms → 0.0 ms)"), "\(reason1)")
            let reason2 = try #require(edges["edge2"])["reason"] as? String ?? ""
            #expect(reason2.contains("predicted 71.2 ms (model 60.4 ms → 61.6 ms)"), "\(reason2)")
        }
    }

    /// The loop over a replayed 10 minutes: edge1's machine raises its alarm, confirms it and offloads; edge2
    /// stays in band and no decision is logged for it. Nothing changes on any server.
    @Test func dryRunReplayOffloadsAtEdge1Only() async throws {
        try await Self.withWorld(.edge1SlowEdge2Idle) { config, kube in
            let before = try await kube.snapshot()
            let result = try await Self.gma([
                "run", "--config", config, "--dry-run", "--metrics-address", "off",
                "--replay-from", String(Scenarios.end - 600), "--replay-until", String(Scenarios.end),
            ])
            #expect(result.exitStatus == 0, "\(result.stderr)")
            let lines = result.stderr.split(separator: "\n").map(String.init)
            let acting = lines.firstIndex { $0.contains("edge1: offload-alarm → offloading") }
            let decided = lines.firstIndex { $0.contains("edge1: decision: offload") }
            #expect(acting != nil && decided != nil, "\(result.stderr)")
            if let acting, let decided { #expect(acting < decided, "\(result.stderr)") }
            let prefix = ShellWords.render([FakeKubeAPI.kubectl, "--kubeconfig", kube.kubeconfig, "--context", "edge1"])
            let apply = lines.first { $0.contains("edge1: kubectl: \(prefix)") && $0.contains(" apply -f ") }
            #expect(apply?.contains("layouts/two-edges/edge1/backend.yaml") == true, "\(result.stderr)")
            #expect(!lines.contains { $0.contains("edge2: decision") }, "\(result.stderr)")
            #expect(!lines.contains { $0.contains("--context edge2") }, "\(result.stderr)")
            #expect(try await kube.snapshot() == before, "a dry run changes nothing")
        }
    }

    /// The loop in the world where edge2 gives frontend back within edge1's offload (worked out at
    /// `heldEdgeGivesFrontendBackInItsOwnContexts`): edge2 never raised an alarm, yet its part of the joint decision is
    /// logged under its name and its commands go to its own contexts — the shared cloud's scale in `cloud`, the
    /// removal of its copy in `edge2` from its own manifest — while edge1's stay in `edge1`.
    @Test func dryRunReplayRunsEachEdgesCommandsInItsContexts() async throws {
        try await Self.withWorld(.bothCallTheCloudBackend) { config, kube in
            let before = try await kube.snapshot()
            let journal = kube.directory + "/journal.jsonl"
            let result = try await Self.gma([
                "run", "--config", config, "--dry-run", "--metrics-address", "off", "--journal", journal,
                "--replay-from", String(Scenarios.end - 600), "--replay-until", String(Scenarios.end),
            ])
            #expect(result.exitStatus == 0, "\(result.stderr)")
            let lines = result.stderr.split(separator: "\n").map(String.init)
            try Self.expectJournal(journal, namesEachEdgeWithItsContexts: ["edge1": ["edge1"], "edge2": ["cloud", "edge2"]])
            func kubectl(_ context: String) -> String {
                ShellWords.render([FakeKubeAPI.kubectl, "--kubeconfig", kube.kubeconfig, "--context", context])
            }
            #expect(lines.contains { $0.contains("edge1: decision: offload") }, "\(result.stderr)")
            #expect(lines.contains { $0.contains("edge2: decision: ") && $0.contains("removes frontend") }, "\(result.stderr)")
            #expect(!lines.contains { $0.contains("edge2: offload-alarm") }, "edge2 stayed in band: \(result.stderr)")
            let edge2Commands = lines.filter { $0.contains("edge2: kubectl: ") }
            #expect(
                edge2Commands.contains { $0.contains(kubectl("cloud")) && $0.contains(" scale deployment/frontend ") },
                "\(result.stderr)")
            #expect(
                edge2Commands.contains {
                    $0.contains(kubectl("edge2")) && $0.contains(" delete ") && $0.hasSuffix("layouts/two-edges/edge2/frontend.yaml")
                }, "\(result.stderr)")
            #expect(edge2Commands.allSatisfy { !$0.contains("--context edge1") }, "\(edge2Commands)")
            let edge1Commands = lines.filter { $0.contains("edge1: kubectl: ") }
            #expect(!edge1Commands.isEmpty && edge1Commands.allSatisfy { $0.contains(kubectl("edge1")) }, "\(edge1Commands)")
            #expect(try await kube.snapshot() == before, "a dry run changes nothing")
        }
    }

    /// Every journal line names its edge, and its commands run only in that edge's `contexts`; edge2's lines
    /// include the one that gives frontend back.
    static func expectJournal(_ path: String, namesEachEdgeWithItsContexts contexts: [String: Set<String>]) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let entries = try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(!entries.isEmpty, "empty journal")
        var edge2Removed: [String] = []
        for entry in entries {
            let edge = try #require(entry["edge"] as? String, "a journal line without its edge: \(entry)")
            let allowed = try #require(contexts[edge], "unknown edge \(edge)")
            for argv in entry["commands"] as? [[String]] ?? [] {
                #expect(Self.context(argv).map(allowed.contains) == true, "\(edge): \(argv)")
            }
            if edge == "edge2" { edge2Removed += (entry["placement"] as? [String: Any])?["removed"] as? [String] ?? [] }
        }
        #expect(Set(entries.compactMap { $0["edge"] as? String }) == ["edge1", "edge2"], "\(text)")
        #expect(edge2Removed.contains("frontend"), "\(text)")
    }

    /// `gma check` on the two-edge config: exit 0, each edge with its context, cluster value, ingress, link file
    /// and its own commands.
    @Test func checkShowsBothEdges() async throws {
        let config = TwoEdgeWorld.directory.appendingPathComponent("two-edges/GMAConfig.yaml").path
        let result = try await Self.gma(["check", "--config", config])
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        let expected = [
            "edges       2: edge1, edge2",
            "context edge1, cluster \"edge1\"", "namespace istio-ingress-edge1, pods ^10.236.*",
            "context edge2, cluster \"edge2\"", "namespace istio-ingress-edge2, pods ^10.238.*",
            "two-edges/netinfo-edge2.yaml", "edge edge1 (context edge1):", "edge edge2 (context edge2):",
            "--context edge2 --request-timeout 30s -n shop apply -f \(TwoEdgeWorld.directory.path)/two-edges/edge2/backend.yaml",
            "--context edge1 --request-timeout 30s -n shop apply -f \(TwoEdgeWorld.directory.path)/two-edges/edge1/backend.yaml",
        ]
        for line in expected { #expect(text.contains(line), "\(line) missing from:\n\(text)") }
    }

    /// `gma check` names every configured context the kubeconfig lacks, edge2's too: a kubeconfig with only
    /// `cloud` and `edge1` leaves edge2 without a cluster to talk to.
    @Test func checkNamesAMissingEdgeContext() async throws {
        let kube = try TwoEdgeKube()
        defer { kube.stop() }
        let config = try kube.configuration(prometheus: URL(string: "http://127.0.0.1:30000")!)
        let full = try String(contentsOfFile: kube.kubeconfig, encoding: .utf8)
        let complete = try await Self.gma(["check", "--config", config])
        #expect(complete.exitStatus == 0, "\(complete.stderr)")
        #expect(!String(decoding: complete.stdout, as: UTF8.self).contains("missing from the kubeconfig"))

        // The same kubeconfig without edge2's context.
        let withoutEdge2 = full.replacingOccurrences(of: "  - name: edge2\n    context: {cluster: edge2, user: tester}\n", with: "")
        #expect(withoutEdge2 != full)
        try withoutEdge2.write(toFile: kube.kubeconfig, atomically: true, encoding: .utf8)
        let result = try await Self.gma(["check", "--config", config])
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("missing from the kubeconfig: edge2"), "\(text)")
    }
}
