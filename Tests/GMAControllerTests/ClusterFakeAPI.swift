import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAKube
@testable import GMAProcess

/// One fake Kubernetes API server (Fixtures/kube/fake_kube_api.py) for one test, with its own kubeconfig
/// and kubectl discovery cache in a fresh temporary directory. Stopped (by its pid) in `stop()`.
final class FakeKubeAPI: @unchecked Sendable {
    let process: ChildProcess
    let port: Int
    let directory: String
    var kubeconfig: String { directory + "/kubeconfig" }
    var cacheDirectory: String { directory + "/kube-cache" }
    /// Found the way gma finds it: on PATH.
    static let kubectl = CommandRunner.executablePath(KubeSettings.defaultKubectl) ?? KubeSettings.defaultKubectl
    static let script = fixturesDirectory.appendingPathComponent("kube/fake_kube_api.py").path

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-kube-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Its stdin stays open for the server's lifetime: if this test process dies, the server sees EOF and exits.
        process = try ChildProcess(
            "/usr/bin/env", ["python3", Self.script, "--port", "0", "--exit-on-stdin-eof"], stdin: .pipe, stdout: .pipe)
        // The first line is "listening PORT".
        let text = (process.readLine() ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening "), let port = Int(text.dropFirst("listening ".count)) else {
            process.signal(SIGKILL)
            throw FakeAPIError(message: "fake API server did not start (needs python3): '\(text)'")
        }
        self.port = port
        let config = """
            apiVersion: v1
            kind: Config
            clusters:
              - name: fake
                cluster: {server: "http://127.0.0.1:\(port)"}
            users:
              - name: tester
                user: {token: fake-token}
            contexts:
              - name: fake-cloud
                context: {cluster: fake, user: tester}
              - name: fake-edge
                context: {cluster: fake, user: tester}
            current-context: fake-cloud

            """
        try config.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
    }

    func stop() {
        // SIGKILL: children of the test runner may inherit a blocked SIGTERM; the fake keeps nothing.
        process.signal(SIGKILL)
        process.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit { stop() }

    /// The app3 configuration pointed at this server.
    func app3Configuration() throws -> GMAConfiguration {
        var config = try GMAConfiguration.load(path: app3ConfigPath)
        config.kube.kubeconfig = kubeconfig
        config.kube.timeoutSeconds = 60
        return config
    }

    func cluster(_ config: GMAConfiguration, dryRun: Bool = false) -> KubectlCluster {
        KubectlCluster(configuration: config, cacheDirectory: cacheDirectory, dryRun: dryRun)
    }

    /// Runs real kubectl against this server.
    @discardableResult
    func kubectl(_ arguments: [String]) async throws -> Data {
        let argv = [Self.kubectl, "--kubeconfig", kubeconfig, "--context", "fake-cloud", "--cache-dir", cacheDirectory]
            + arguments
        let result = try await CommandRunner.run(argv, timeoutSeconds: 60)
        guard result.exitStatus == 0 else {
            throw FakeAPIError(message: "\(ShellWords.render(argv)): \(result.stderr)")
        }
        return result.stdout
    }

    /// Everything the server stores, read through kubectl.
    func objects() async throws -> [StoredObject] {
        let data = try await kubectl(["get", "--raw", "/_fake/objects"])
        let list = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).map(StoredObject.init)
    }

    /// The methods of all requests the server has seen.
    func requestMethods() async throws -> [String] {
        let data = try await kubectl(["get", "--raw", "/_fake/requests"])
        let list = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (list?["items"] as? [[String: Any]] ?? []).compactMap { $0["method"] as? String }
    }
}

struct FakeAPIError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The parts of a stored object the tests look at.
struct StoredObject: CustomStringConvertible {
    let kind: String
    let name: String
    let namespace: String
    let replicas: Int?
    let raw: [String: Any]

    init(_ raw: [String: Any]) {
        self.raw = raw
        kind = raw["kind"] as? String ?? ""
        let metadata = raw["metadata"] as? [String: Any] ?? [:]
        name = metadata["name"] as? String ?? ""
        namespace = metadata["namespace"] as? String ?? ""
        replicas = ((raw["spec"] as? [String: Any])?["replicas"] as? NSNumber)?.intValue
    }

    var description: String { "\(kind)/\(namespace)/\(name)\(replicas.map { " ×\($0)" } ?? "")" }
}

extension Array where Element == StoredObject {
    func named(_ kind: String, _ name: String) -> StoredObject? { first { $0.kind == kind && $0.name == name } }
    var summary: [String] { map(\.description).sorted() }
}
