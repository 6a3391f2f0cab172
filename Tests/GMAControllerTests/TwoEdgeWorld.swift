import Foundation
import Testing

/// The worlds of the two-edge end-to-end tests (Fixtures/layouts/two-edges, docs/config.md §4 "Several edge
/// areas"): a cloud and two edge clusters, each with its own API server and kube context (`cloud`, `edge1`,
/// `edge2`) and its own `cluster` label on the series; each edge's users enter through their own ingress
/// gateway (`istio-ingress-edge1`, `istio-ingress-edge2`).
///
/// The app is the layout tests' one: users call frontend (20,000 B responses), frontend calls backend once
/// (5,000 B). edge1's users: 20 req/s; edge2's users: 4 req/s, so that one edge's numbers showing in the
/// other's would change every figure asserted.
enum TwoEdgeWorld: String, CaseIterable, CustomStringConvertible, Sendable {
    /// edge1: frontend there, backend in the cloud, 105 ms. edge2: nothing there, 70 ms.
    case edge1SlowEdge2Idle
    /// edge1 as above. edge2: frontend and backend there, 72 ms (3 ms below the band's midpoint, the most a held
    /// edge's delay may rise to).
    case edge2NearTheTop
    /// edge1 as above. edge2: frontend there, backend in the cloud, 70 ms: both edges' frontends call the
    /// cloud's backend, so the cloud's series mix the two edges' calls.
    case bothCallTheCloudBackend

    var description: String { rawValue }

    static let directory = fixturesDirectory.appendingPathComponent("layouts")
    static let bounds = MeshScenario.bounds

    /// What edge1's and edge2's clusters run before the decision.
    var atEdge1: [String] { ["frontend"] }
    var atEdge2: [String] {
        switch self {
        case .edge1SlowEdge2Idle: []
        case .edge2NearTheTop: ["frontend", "backend"]
        case .bothCallTheCloudBackend: ["frontend"]
        }
    }

    /// The measured CPU of the cloud's frontend and backend pods (cores).
    var cloudCPU: (frontend: Double, backend: Double) {
        switch self {
        case .edge1SlowEdge2Idle: (0.5, 0.4)
        case .edge2NearTheTop: (0.05, 0.32)
        case .bothCallTheCloudBackend: (0.05, 0.4)
        }
    }

    /// edge1's users: 20 req/s into frontend at edge1, which calls the cloud's backend; 105 ms on average
    /// (20 × 105 ms of delay per second), p90 250 ms (rank 18 of 20 is the top of (100, 250]). The cloud's pods
    /// are written here, once.
    var edge1: MeshScenario {
        let cpu = cloudCPU
        return MeshScenario(
            appNamespace: "shop", ingressNamespace: "istio-ingress-edge1", ingressApp: "istio-ingressgateway",
            ingressInstance: "10.236.0.5:15020", cloudCluster: "cloud", edgeCluster: "edge1",
            calls: [
                .init(from: "user", to: "frontend", rate: 20, calleeArea: .edge),
                .init(from: "frontend", to: "backend", rate: 20, calleeArea: .cloud),
            ],
            delays: [.init(to: "frontend", cumulative: [0, 0, 2, 6, 18, 20, 20], sumRate: 20 * 105)],
            responseBytes: ["frontend": 20_000, "backend": 5_000],
            pods: [
                .init(area: .cloud, name: "frontend-6d5f7c-a1b2c", container: "frontend", cpu: cpu.frontend, memory: 300e6),
                .init(area: .cloud, name: "backend-7c9d8f-d3e4f", container: "backend", cpu: cpu.backend, memory: 200e6),
                .init(area: .edge, name: "frontend-55f6c7-bcdfg", container: "frontend", cpu: 0.25, memory: 150e6),
            ])
    }

    /// edge2's users: 4 req/s, every one in (50, 100] ms (p90: 50 + 50 × 3.6 / 4 = 95 ms), mean 70 or 72 ms.
    /// Their calls land where edge2's copies are; the cloud's calls add to edge1's (same series, same labels).
    var edge2: MeshScenario {
        let frontendArea: MeshScenario.Area = atEdge2.contains("frontend") ? .edge : .cloud
        let backendArea: MeshScenario.Area = atEdge2.contains("backend") ? .edge : .cloud
        let meanMilliseconds: Double = self == .edge2NearTheTop ? 72 : 70
        var pods: [MeshScenario.Pod] = []
        if atEdge2.contains("frontend") {
            pods.append(.init(area: .edge, name: "frontend-77a8b9-hjkmn", container: "frontend", cpu: 0.1, memory: 100e6))
        }
        if atEdge2.contains("backend") {
            pods.append(.init(area: .edge, name: "backend-88b9c1-pqrst", container: "backend", cpu: 0.1, memory: 80e6))
        }
        return MeshScenario(
            appNamespace: "shop", ingressNamespace: "istio-ingress-edge2", ingressApp: "istio-ingressgateway",
            ingressInstance: "10.238.0.5:15020", cloudCluster: "cloud", edgeCluster: "edge2",
            calls: [
                .init(from: "user", to: "frontend", rate: 4, calleeArea: frontendArea),
                .init(from: "frontend", to: "backend", rate: 4, calleeArea: backendArea),
            ],
            delays: [.init(to: "frontend", cumulative: [0, 0, 0, 4, 4, 4, 4], sumRate: 4 * meanMilliseconds)],
            responseBytes: ["frontend": 20_000, "backend": 5_000],
            pods: pods)
    }

    /// The OpenMetrics text of both edges' users and the cloud.
    var openMetrics: String {
        var writer = OpenMetricsWriter(end: Scenarios.end)
        edge1.write(into: &writer)
        edge2.write(into: &writer)
        return writer.render()
    }
}

/// Three fake API servers (cloud, edge1, edge2) and one kubeconfig whose contexts `cloud`, `edge1` and
/// `edge2` point at them: a command run in the wrong context lands in the wrong store and shows.
final class TwoEdgeKube: @unchecked Sendable {
    let cloud: FakeKubeAPI
    let edge1: FakeKubeAPI
    let edge2: FakeKubeAPI
    var directory: String { cloud.directory }
    var kubeconfig: String { cloud.directory + "/two-edge-kubeconfig" }
    var servers: [(context: String, server: FakeKubeAPI)] { [("cloud", cloud), ("edge1", edge1), ("edge2", edge2)] }

    init() throws {
        cloud = try FakeKubeAPI()
        edge1 = try FakeKubeAPI()
        edge2 = try FakeKubeAPI()
        try FakeKubeconfig.write(
            contexts: [("cloud", cloud.port), ("edge1", edge1.port), ("edge2", edge2.port)], current: "cloud", to: kubeconfig)
    }

    func stop() {
        cloud.stop()
        edge1.stop()
        edge2.stop()
    }

    /// The two-edge config copied into this test's directory, pointed at `prometheus` and these servers.
    func configuration(prometheus: URL) throws -> String {
        let copy = URL(fileURLWithPath: directory).appendingPathComponent("layouts")
        try FileManager.default.copyItem(at: TwoEdgeWorld.directory, to: copy)
        let file = copy.appendingPathComponent("two-edges/GMAConfig.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        let edits = [
            ("prometheus-url: http://127.0.0.1:30000", "prometheus-url: \(prometheus.absoluteString)"),
            ("spec:\n", "spec:\n  kube:\n    kubeconfig: \(kubeconfig)\n    timeout: 60s\n"),
        ]
        for (old, new) in edits {
            guard text.contains(old) else { throw FakeAPIError(message: "\(file.path) no longer contains \(old)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The world before the decision: both cloud workloads, and each edge's copies from its own manifests.
    func seed(_ world: TwoEdgeWorld) async throws {
        let layouts = TwoEdgeWorld.directory
        for service in ["frontend", "backend"] {
            try await cloud.kubectl(["apply", "-n", "shop", "-f", layouts.appendingPathComponent("cloud/\(service).yaml").path])
        }
        for (edge, server, services) in [("edge1", edge1, world.atEdge1), ("edge2", edge2, world.atEdge2)] {
            for service in services {
                let file = layouts.appendingPathComponent("two-edges/\(edge)/\(service).yaml")
                try await server.kubectl(["apply", "-n", "shop", "-f", file.path])
            }
        }
    }

    /// Every server's objects, by context.
    func snapshot() async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for (context, server) in servers { out[context] = try await server.objects().summary }
        return out
    }

    /// The methods and paths of the requests a server has seen, e.g. `GET /apis/apps/v1/namespaces/shop/deployments`.
    func requests(_ server: FakeKubeAPI) async throws -> [String] {
        let data = try await server.kubectl(["get", "--raw", "/_fake/requests"])
        let list = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).map {
            "\($0["method"] as? String ?? "?") \($0["path"] as? String ?? "?")"
        }
    }
}
