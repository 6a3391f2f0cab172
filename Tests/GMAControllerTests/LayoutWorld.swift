import Foundation
import Testing


/// The three cluster layouts of docs/cluster-layouts.md, each with its own config in Fixtures/layouts.
enum ClusterLayoutCase: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One cluster (Liqo), one context for both areas, no `cluster` label; the edge workloads have own names.
    case singleContext = "single-context"
    /// Two clusters: contexts `cloud` and `edge1` on two API servers, series labelled `cluster=cloud|edge1`,
    /// the edge workloads named like the cloud ones.
    case twoClusters = "two-clusters"
    /// One context (`liqo`), series labelled per area, own edge names.
    case oneContextLabelled = "one-context-labelled"

    var description: String { rawValue }

    var cloudContext: String { self == .twoClusters ? "cloud" : "liqo" }
    var edgeContext: String { self == .twoClusters ? "edge1" : "liqo" }
    /// Values of the `cluster` label in the series; nil: the series have none.
    var cloudCluster: String? { self == .singleContext ? nil : "cloud" }
    var edgeCluster: String? { self == .singleContext ? nil : "edge1" }
    /// The edge copy of a service's workload (and HPA).
    func edgeWorkload(_ service: String) -> String { self == .twoClusters ? service : service + "-edge1" }
    var edgeManifests: String { self == .twoClusters ? "edge-same-names" : "edge-own-names" }

    static let directory = fixturesDirectory.appendingPathComponent("layouts")
}

/// The API servers of one layout test, and one kubeconfig whose contexts point at them.
///
/// The two-cluster layout gets two fake API servers, so a command run in the wrong context lands in
/// the wrong store and shows.
final class LayoutKube: @unchecked Sendable {
    let cloud: FakeKubeAPI
    let edge: FakeKubeAPI
    let layout: ClusterLayoutCase
    var directory: String { cloud.directory }
    var kubeconfig: String { cloud.directory + "/layout-kubeconfig" }

    init(_ layout: ClusterLayoutCase) throws {
        self.layout = layout
        cloud = try FakeKubeAPI()
        edge = layout == .twoClusters ? try FakeKubeAPI() : cloud
        var contexts: [(name: String, port: Int)] = [(layout.cloudContext, cloud.port)]
        if layout.edgeContext != layout.cloudContext { contexts.append((layout.edgeContext, edge.port)) }
        try FakeKubeconfig.write(contexts: contexts, current: layout.cloudContext, to: kubeconfig)
    }

    func stop() {
        cloud.stop()
        edge.stop()
    }

    /// The layout's config copied into this test's directory, pointed at `prometheus` and these servers.
    func configuration(prometheus: URL) throws -> String {
        let copy = URL(fileURLWithPath: directory).appendingPathComponent("layouts")
        try FileManager.default.copyItem(at: ClusterLayoutCase.directory, to: copy)
        let file = copy.appendingPathComponent(layout.rawValue).appendingPathComponent("GMAConfig.yaml")
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

    /// The world before the decision: both cloud workloads, and the edge copies of `atEdge`.
    func seed(manifests: URL, atEdge: [String]) async throws {
        for service in ["frontend", "backend"] {
            try await cloud.kubectl(["apply", "-n", "shop", "-f", manifests.appendingPathComponent("cloud/\(service).yaml").path])
        }
        for service in atEdge {
            let file = manifests.appendingPathComponent("\(layout.edgeManifests)/\(service).yaml")
            try await edge.kubectl(["apply", "-n", "shop", "-f", file.path])
        }
    }

    /// Paths of the GET requests a server has seen, e.g. `/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers`.
    func readPaths(_ server: FakeKubeAPI) async throws -> [String] {
        let data = try await server.kubectl(["get", "--raw", "/_fake/requests"])
        let list = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).compactMap { item in
            item["method"] as? String == "GET" ? item["path"] as? String : nil
        }
    }
}

/// A kubeconfig whose contexts (each named like its cluster) point at fake API servers, one user with a token.
enum FakeKubeconfig {
    static func write(contexts: [(name: String, port: Int)], current: String, to path: String) throws {
        let clusters = contexts.map { "  - name: \($0.name)\n    cluster: {server: \"http://127.0.0.1:\($0.port)\"}" }
        let named = contexts.map { "  - name: \($0.name)\n    context: {cluster: \($0.name), user: tester}" }
        let config = """
            apiVersion: v1
            kind: Config
            clusters:
            \(clusters.joined(separator: "\n"))
            users:
              - name: tester
                user: {token: fake-token}
            contexts:
            \(named.joined(separator: "\n"))
            current-context: \(current)

            """
        try config.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
