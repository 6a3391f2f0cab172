import Foundation
import GMATestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fault matrix's process-level rows: the real `gma run` binary against a backfilled Prometheus and the
/// fake Kubernetes API, with kubectl replaced by `KubectlWrapper` (configured as `spec.kube.kubectl`, or
/// found on PATH). A replay (`--replay-from/--replay-until`) runs the loop on a simulated clock, so an
/// offload happens within seconds; the wrapper's `hold` file stops it inside a kubectl call, where the
/// test sends SIGTERM or deletes the config.
@Suite("Fault matrix: gma run process", .serialized)
struct FaultMatrixProcessTests {
    /// One gma process, output to files; killed by its pid if it is still running when dropped.
    final class GMAProcess: @unchecked Sendable {
        let process: ChildProcess
        let directory: String
        var stderrPath: String { directory + "/gma.stderr" }

        init(_ arguments: [String], directory: String, environment: [String: String]? = nil) throws {
            self.directory = directory
            let binary = try GMABinary.path()
            let errors = directory + "/gma.stderr"
            FileManager.default.createFile(atPath: errors, contents: nil)
            FileManager.default.createFile(atPath: directory + "/gma.stdout", contents: nil)
            process = try ChildProcess(
                binary, arguments, environment: environment, stdout: .file(directory + "/gma.stdout"), stderr: .file(errors))
        }

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        func signal(_ number: Int32) { process.signal(number) }

        /// The exit status, or nil if it is still running after `seconds` (then it is killed).
        func exitStatus(within seconds: Double) async -> Int32? {
            for _ in 0..<Int(seconds * 10) where process.isRunning {
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            guard !process.isRunning else {
                signal(SIGKILL)
                process.wait()
                return nil
            }
            return process.wait()
        }
    }

    /// Polls `condition` every 100 ms for at most `seconds`.
    static func wait(seconds: Double, for condition: () -> Bool) async -> Bool {
        for _ in 0..<Int(seconds * 10) {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
        return condition()
    }

    /// app3's config for a process: kubectl is `kubectl` (a path or a bare name), W = 1 min.
    static func configuration(prometheus: URL, kube: FakeKubeAPI, kubectl: String) throws -> String {
        try FaultRig.writeConfiguration(
            prometheus: prometheus, kube: kube,
            edits: [
                ("spec:\n", "spec:\n  kube:\n    kubeconfig: \(kube.kubeconfig)\n    timeout: 60s\n    kubectl: \(kubectl)\n"),
                ("stabilization-window: 2m", "stabilization-window: 1m"),
            ])
    }

    static func applyCloud(_ kube: FakeKubeAPI, config: String) async throws {
        let manifests = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("manifests")
        for file in ["frontend-cloud.yaml", "cart-cloud.yaml", "cart-cloud-hpa.yaml", "catalog-cloud.yaml"] {
            try await kube.kubectl(["apply", "-n", "fluidosmesh", "-f", manifests.appendingPathComponent(file).path])
        }
    }

    static func replay(_ config: String, seconds: Int = 600) -> [String] {
        [
            "run", "--config", config, "--metrics-address", "off",
            "--replay-from", String(Scenarios.end - seconds), "--replay-until", String(Scenarios.end),
        ]
    }

    /// Edge workloads in the fake API, name → replicas.
    static func edgeDeployments(_ kube: FakeKubeAPI) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for object in try await kube.objects()
        where ["Deployment", "StatefulSet"].contains(object.kind) && object.name.hasSuffix("-edge1") {
            out[object.name] = object.replicas ?? -1
        }
        return out
    }

    /// The edge scale each `kubectl scale deployment|statefulset/X-edge1 --replicas=N` the wrapper ran asked
    /// for (last wins).
    static func edgeScales(_ wrapper: KubectlWrapper) -> [String: Int] {
        var out: [String: Int] = [:]
        for call in wrapper.changeCalls {
            let words = call.split(separator: " ")
            guard let target = words.first(where: { $0.hasSuffix("-edge1") && $0.contains("/") }),
                let replicas = words.first(where: { $0.hasPrefix("--replicas=") }).flatMap({ Int($0.dropFirst("--replicas=".count)) })
            else { continue }
            out[String(target.split(separator: "/").last ?? "")] = replicas
        }
        return out
    }

    // MARK: rows

    /// SIGTERM while the loop waits between cycles (real clock): exit 0 at once, "gma stopped".
    @Test func sigtermWhileIdleExitsZero() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let config = try Self.configuration(prometheus: prometheus.url, kube: kube, kubectl: FakeKubeAPI.kubectl)
            let gma = try GMAProcess(["run", "--config", config, "--metrics-address", "127.0.0.1:0"], directory: kube.directory)
            // The first cycle has run once gma has logged what it saw (a decision or a skip).
            let cycled = await Self.wait(seconds: 60) {
                let log = gma.stderr
                return log.contains("no decision in") || log.contains("→")
            }
            #expect(cycled, "\(gma.stderr)")
            gma.signal(SIGTERM)
            let status = await gma.exitStatus(within: 30)
            #expect(status == 0, "\(gma.stderr)")
            #expect(gma.stderr.contains("gma stopped"))
        }
    }

    /// SIGTERM while the first service's `kubectl apply` is in flight: gma finishes that service's pair
    /// (apply, then scale), starts no other service, and exits 0.
    @Test func sigtermDuringAnActuationFinishesThePairAndExitsZero() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            let config = try Self.configuration(prometheus: prometheus.url, kube: kube, kubectl: wrapper.path)
            try await Self.applyCloud(kube, config: config)
            try wrapper.set("hold", "")
            let gma = try GMAProcess(Self.replay(config), directory: kube.directory)
            let acting = await Self.wait(seconds: 90) { wrapper.exists("change-started") }
            #expect(acting, "\(gma.stderr)")
            gma.signal(SIGTERM)
            // The held call returns only once gma has seen the signal.
            #expect(await Self.wait(seconds: 30) { gma.stderr.contains("signal received") }, "\(gma.stderr)")
            wrapper.clear("hold")
            let status = await gma.exitStatus(within: 60)
            #expect(status == 0, "\(gma.stderr)")
            let changes = wrapper.changeCalls
            #expect(changes.count == 2, "one service's pair, nothing after the signal: \(changes)")
            #expect(changes.first?.contains(" apply ") == true && changes.last?.contains(" scale ") == true, "\(changes)")
            let edge = try await Self.edgeDeployments(kube)
            #expect(edge == Self.edgeScales(wrapper), "the started service is whole, no other was touched: \(edge)")
            #expect(edge.count == 1)
        }
    }

    /// The config file is deleted (or overwritten with garbage) while gma runs: the loaded config stays in
    /// effect until a restart; the run continues, the offload completes, exit 0.
    @Test(arguments: ["deleted", "overwritten"])
    func configChangedWhileRunningKeepsTheLoadedOne(_ how: String) async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            let config = try Self.configuration(prometheus: prometheus.url, kube: kube, kubectl: wrapper.path)
            try await Self.applyCloud(kube, config: config)
            try wrapper.set("hold", "")
            let gma = try GMAProcess(Self.replay(config), directory: kube.directory)
            #expect(await Self.wait(seconds: 90) { wrapper.exists("change-started") }, "\(gma.stderr)")
            if how == "deleted" {
                try FileManager.default.removeItem(atPath: config)
            } else {
                try "spec: [this is not: a config\n".write(toFile: config, atomically: true, encoding: .utf8)
            }
            wrapper.clear("hold")
            let status = await gma.exitStatus(within: 90)
            #expect(status == 0, "\(gma.stderr)")
            let edge = try await Self.edgeDeployments(kube)
            let scales = Self.edgeScales(wrapper)
            #expect(!scales.isEmpty && edge == scales, "every decided service is at the edge with its scale: \(edge) vs \(scales)")
            #expect(edge["frontend-edge1"] != nil)
        }
    }

    /// `spec.kube.kubectl: kubectl` finds the wrapper on PATH; it fails the first two changing calls.
    /// The failed pairs are undone, the next action finishes the job, the run ends with exit 0.
    @Test func kubectlOnPathFailingTwiceConverges() async throws {
        try await withFaultWorld(FaultScenarios.busy()) { kube, prometheus in
            let wrapper = try KubectlWrapper(in: kube.directory)
            let config = try Self.configuration(prometheus: prometheus.url, kube: kube, kubectl: "kubectl")
            try await Self.applyCloud(kube, config: config)
            try wrapper.set("fail-change", "2")
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = wrapper.directory + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let gma = try GMAProcess(Self.replay(config, seconds: 900), directory: kube.directory, environment: environment)
            let status = await gma.exitStatus(within: 120)
            #expect(status == 0, "\(gma.stderr)")
            #expect(gma.stderr.contains("failed (retried next cycle)"), "\(gma.stderr.suffix(3000))")
            #expect(!wrapper.calls.isEmpty, "kubectl was found on PATH")
            let edge = try await Self.edgeDeployments(kube)
            let scales = Self.edgeScales(wrapper)
            #expect(!edge.isEmpty && edge == scales, "\(edge) vs \(scales)")
            #expect(edge["frontend-edge1"] != nil)
        }
    }
}
