import Foundation
import GMATestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A real Prometheus (Debian's `prometheus` package) on 127.0.0.1, serving OpenMetrics text backfilled with
/// `promtool tsdb create-blocks-from openmetrics`. Each test gets its own process, port and data directory.
enum PrometheusFixture {
    static let installHint =
        "the Prometheus tests need the `prometheus` and `promtool` binaries: "
        + "DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus"

    /// Starts Prometheus over `openMetrics` (backfilled; empty: no history) with `configuration` as its
    /// prometheus.yml, runs `body` with its base URL, and always stops it.
    static func with<T: Sendable>(
        openMetrics: String, configuration: String = "global: {scrape_interval: 15s}\nscrape_configs: []\n",
        _ body: @Sendable (URL) async throws -> T
    ) async throws -> T {
        guard let prometheus = findExecutable("prometheus"), let promtool = findExecutable("promtool") else {
            throw TelemetryFixtureError(description: installHint)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gma-prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let data = dir.appendingPathComponent("data")
        if !openMetrics.isEmpty {
            let input = dir.appendingPathComponent("fixture.om")
            try Data(openMetrics.utf8).write(to: input)
            try runTool(promtool, ["tsdb", "create-blocks-from", "openmetrics", input.path, data.path])
        }
        let config = dir.appendingPathComponent("prometheus.yml")
        try Data(configuration.utf8).write(to: config)

        // A port can be taken between the probe and Prometheus' bind; try a few.
        var lastError: (any Error)?
        for _ in 0..<3 {
            let port = try freeLocalPort()
            let server: RunningPrometheus
            do {
                server = try await RunningPrometheus.start(
                    prometheus, config: config, data: data, port: port, log: dir.appendingPathComponent("prometheus.log"))
            } catch {
                lastError = error
                continue
            }
            do {
                let result = try await body(server.baseURL)
                server.stop()
                return result
            } catch {
                server.stop()
                throw error
            }
        }
        throw lastError ?? TelemetryFixtureError(description: "Prometheus did not start")
    }
}

/// One Prometheus process plus a watchdog that kills it if the test process dies first.
final class RunningPrometheus: Sendable {
    let baseURL: URL
    private let process: ChildProcess
    private let watchdog: ChildProcess

    private init(baseURL: URL, process: ChildProcess, watchdog: ChildProcess) {
        self.baseURL = baseURL
        self.process = process
        self.watchdog = watchdog
    }

    static func start(_ executable: String, config: URL, data: URL, port: Int, log: URL) async throws -> RunningPrometheus {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(data.path)",
            "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:\(port)",
        ]
        let process = try ChildProcess(executable, arguments, stdout: .file(log.path), stderr: nil)
        let me = ProcessInfo.processInfo.processIdentifier
        let child = process.pid
        let watchdog = try ChildProcess("/bin/sh", [
            "-c",
            "while kill -0 \(me) 2>/dev/null && kill -0 \(child) 2>/dev/null; do sleep 1; done; kill \(child) 2>/dev/null; exit 0",
        ])

        let server = RunningPrometheus(
            baseURL: URL(string: "http://127.0.0.1:\(port)")!, process: process, watchdog: watchdog)
        do {
            try await server.waitUntilReady(log: log)
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Polls `/-/ready` for at most 30 s; fails early if the process exits.
    private func waitUntilReady(log: URL) async throws {
        let ready = baseURL.appendingPathComponent("-/ready")
        for _ in 0..<600 {
            guard process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw TelemetryFixtureError(description: "Prometheus exited early:\n\(text.suffix(2000))")
            }
            if let (status, _) = try? await TestHTTP.get(ready, timeoutSeconds: 1), status == 200 { return }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw TelemetryFixtureError(description: "Prometheus at \(baseURL) not ready after 30 s")
    }

    func stop() {
        process.signal(SIGTERM)
        // Bounded: Prometheus stops in well under a second; SIGKILL after 10 s.
        for _ in 0..<200 where process.isRunning { usleep(50_000) }
        process.signal(SIGKILL)
        process.wait()
        watchdog.wait()
    }
}
