import Foundation
import GMAOptimizer
import Logging
import Testing

@testable import GMAConfig
@testable import GMAControl
@testable import GMAKube
@testable import GMAObservability
@testable import GMARuntime
@testable import GMATelemetry

#if canImport(Glibc)
    import Glibc
#endif

// The fault matrix's injectors: an HTTP proxy in front of Prometheus that can answer 500, garbage, hang or
// rewrite answers; a kubectl wrapper that fails, sleeps or waits on control files; a Prometheus that can be
// stopped and started again on its port. docs/reliability.md lists the rows.

// MARK: - A fault-injecting proxy in front of Prometheus

/// An HTTP/1.1 server on 127.0.0.1 that forwards `POST /api/v1/query` to an upstream Prometheus, or
/// misbehaves, as `behaviour` says for each query. The behaviour may be changed while it runs.
/// One thread per connection, so a hanging answer never holds up the others.
final class FaultProxy: @unchecked Sendable {
    enum Action: Sendable {
        case forward
        case respond(status: Int, body: String)
        /// Read the request and never answer (until the proxy stops).
        case hang
        /// Forward, then replace every sample value of the answer with this literal (e.g. "NaN").
        case forwardWithValue(String)
    }

    let port: Int
    let upstream: URL
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: Int32
    private let lock = NSLock()
    private var rule: @Sendable (String) -> Action = { _ in .forward }
    private var held: [Int32] = []
    private var stopped = false
    private var counts: [String: Int] = [:]

    init(upstream: URL) throws {
        self.upstream = upstream
        let fd = try loopbackListener(backlog: 64)
        listener = fd
        port = try boundPort(fd)
        Thread { [self] in acceptLoop() }.start()
    }

    /// From now on, each query gets `rule(promql)`.
    func set(_ rule: @escaping @Sendable (String) -> Action) { lock.withLock { self.rule = rule } }

    /// How many queries got each kind of action.
    var actionCounts: [String: Int] { lock.withLock { counts } }

    /// Once: `deinit` calls it again, and a second close(listener) would close whatever descriptor the process
    /// has opened under that number since (swift-subprocess traps on its own descriptor closed under it).
    func stop() {
        let fds: [Int32]? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            defer { held = [] }
            return held
        }
        guard let fds else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in fds { close(fd) }
    }

    deinit { stop() }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if lock.withLock({ stopped }) { return }
                continue
            }
            Thread { [self] in serve(fd) }.start()
        }
    }

    private func serve(_ fd: Int32) {
        guard let request = Self.readMessage(fd) else {
            close(fd)
            return
        }
        let query = Self.formValue("query", in: request.body) ?? ""
        let (action, isStopped): (Action, Bool) = lock.withLock {
            let action = rule(query)
            let key: String
            switch action {
            case .forward: key = "forward"
            case .respond(let status, _): key = "status \(status)"
            case .hang: key = "hang"
            case .forwardWithValue(let v): key = "value \(v)"
            }
            counts[key, default: 0] += 1
            return (action, stopped)
        }
        if isStopped {
            close(fd)
            return
        }
        switch action {
        case .hang:
            lock.withLock { held.append(fd) }
            return
        case .respond(let status, let body):
            Self.respond(fd, status: status, body: Array(body.utf8))
        case .forward, .forwardWithValue:
            guard let (status, body) = forward(request) else {
                Self.respond(fd, status: 502, body: Array("upstream unreachable".utf8))
                break
            }
            if case .forwardWithValue(let literal) = action {
                Self.respond(fd, status: status, body: Array(Self.replacingValues(body, with: literal).utf8))
            } else {
                Self.respond(fd, status: status, body: body)
            }
        }
        close(fd)
    }

    /// Sends the request to the upstream as HTTP/1.0 (so the answer ends at EOF, never chunked).
    private func forward(_ request: (head: String, body: [UInt8])) -> (Int, [UInt8])? {
        let requestLine = request.head.split(separator: "\r\n").first.map(String.init) ?? "POST /api/v1/query HTTP/1.1"
        let parts = requestLine.split(separator: " ")
        let path = parts.count > 1 ? String(parts[1]) : "/api/v1/query"
        let upstreamPort = upstream.port ?? 80
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(upstreamPort).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let head =
            "POST \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(upstreamPort)\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\n"
            + "Content-Length: \(request.body.count)\r\n\r\n"
        Self.writeAll(fd, Array(head.utf8) + request.body)
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        guard let end = Self.headEnd(response) else { return nil }
        let statusLine = String(decoding: response[0..<end], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count > 1, let status = Int(fields[1]) else { return nil }
        return (status, Array(response[(end + 4)...]))
    }

    /// Every `"value":[t,"v"]` of a vector answer gets `literal` as its value.
    static func replacingValues(_ body: [UInt8], with literal: String) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            var data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { return String(decoding: body, as: UTF8.self) }
        data["result"] = result.map { sample -> [String: Any] in
            var sample = sample
            if let value = sample["value"] as? [Any], let time = value.first { sample["value"] = [time, literal] }
            return sample
        }
        object["data"] = data
        let out = (try? JSONSerialization.data(withJSONObject: object)) ?? Data(body)
        return String(decoding: out, as: UTF8.self)
    }

    static func formValue(_ name: String, in body: [UInt8]) -> String? {
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0] == name else { continue }
            return String(kv[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    private static func respond(_ fd: Int32, status: Int, body: [UInt8]) {
        let head =
            "HTTP/1.1 \(status) Fault\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        writeAll(fd, Array(head.utf8) + body)
    }

    /// Head and `Content-Length` bytes of body; nil when the client went away first.
    private static func readMessage(_ fd: Int32) -> (head: String, body: [UInt8])? {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        var expected: Int?
        var headLength = 0
        while expected.map({ data.count < $0 }) ?? true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return nil }
            data += buffer[0..<n]
            if expected == nil, let end = headEnd(data) {
                headLength = end
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = end + 4 + length
            }
        }
        return (String(decoding: data[0..<headLength], as: UTF8.self), Array(data[(headLength + 4)...]))
    }

    private static func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
            return i
        }
        return nil
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }
}

// MARK: - A kubectl wrapper driven by control files

/// A `kubectl` shell script in its own directory that logs each call and then runs the real kubectl,
/// unless a control file next to it says otherwise (see the script's header). Tests write the control
/// files between cycles to fail, slow down or hold calls.
struct KubectlWrapper {
    let directory: String
    var path: String { directory + "/kubectl" }

    static let script = """
        #!/bin/sh
        # gma fault-matrix kubectl. Control files in this directory:
        #   fail-all, fail-get, fail-change  a number: that many calls (of that kind) fail, then they pass
        #   fail-match                       a shell pattern over the arguments: matching calls fail
        #   land-then-hang                   a pattern: matching calls run, then hang for `hang-seconds`
        #   sleep-get, sleep-change          seconds to wait before running
        #   hold                             while it exists, changing calls wait (at most 60 s)
        here=$(dirname "$0")
        kind=other
        for a in "$@"; do
          case "$a" in
            get) kind=get; break;;
            apply|delete|scale) kind=change; break;;
          esac
        done
        echo "$kind $*" >> "$here/calls.log"
        take() {
          [ -f "$1" ] || return 1
          n=$(cat "$1")
          [ "$n" -gt 0 ] 2>/dev/null || return 1
          echo $((n - 1)) > "$1"
        }
        for f in "$here/fail-all" "$here/fail-$kind"; do
          if take "$f"; then echo "injected failure ($kind)" >&2; exit 1; fi
        done
        if [ -f "$here/fail-match" ]; then
          pattern=$(cat "$here/fail-match")
          case "$*" in $pattern) echo "injected failure (match)" >&2; exit 1;; esac
        fi
        if [ -f "$here/sleep-$kind" ]; then sleep "$(cat "$here/sleep-$kind")"; fi
        if [ "$kind" = change ]; then
          : > "$here/change-started"
          i=0
          while [ -f "$here/hold" ] && [ $i -lt 240 ]; do sleep 0.25; i=$((i + 1)); done
        fi
        if [ -f "$here/land-then-hang" ]; then
          pattern=$(cat "$here/land-then-hang")
          case "$*" in $pattern) \(FakeKubeAPI.kubectl) "$@"; sleep "$(cat "$here/hang-seconds" 2>/dev/null || echo 10)"; exit 0;; esac
        fi
        exec \(FakeKubeAPI.kubectl) "$@"

        """

    /// A fresh directory; the script is written unless `install` is false (kubectl missing).
    init(in parent: String, install: Bool = true) throws {
        directory = parent + "/kubectl-wrapper-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if install { try self.install() }
    }

    func install() throws {
        try Self.script.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
    }

    func set(_ control: String, _ value: String) throws {
        try value.write(toFile: directory + "/" + control, atomically: true, encoding: .utf8)
    }

    func clear(_ control: String) { try? FileManager.default.removeItem(atPath: directory + "/" + control) }

    func exists(_ control: String) -> Bool { FileManager.default.fileExists(atPath: directory + "/" + control) }

    /// Calls made so far, as "get …" / "change …" lines.
    var calls: [String] {
        ((try? String(contentsOfFile: directory + "/calls.log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    var changeCalls: [String] { calls.filter { $0.hasPrefix("change ") } }
}

// MARK: - Prometheus that can be stopped and started again

/// A backfilled Prometheus on a fixed port and data directory, so it can be stopped mid-run and restarted
/// with the same history at the same address.
final class RestartablePrometheus: @unchecked Sendable {
    let directory: URL
    let port: Int
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    private let executable: String
    private let lock = NSLock()
    private var server: RunningPrometheus?

    private init(directory: URL, port: Int, executable: String) {
        self.directory = directory
        self.port = port
        self.executable = executable
    }

    static func start(openMetrics: String) async throws -> RestartablePrometheus {
        guard let prometheus = findExecutable("prometheus"), let promtool = findExecutable("promtool") else {
            throw TelemetryFixtureError(description: PrometheusFixture.installHint)
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gma-fault-prom-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let input = dir.appendingPathComponent("fixture.om")
        try Data(openMetrics.utf8).write(to: input)
        try runTool(promtool, ["tsdb", "create-blocks-from", "openmetrics", input.path, dir.appendingPathComponent("data").path])
        try Data("global: {scrape_interval: 15s}\nscrape_configs: []\n".utf8).write(to: dir.appendingPathComponent("prometheus.yml"))
        var lastError: (any Error)?
        for _ in 0..<3 {
            let instance = RestartablePrometheus(directory: dir, port: try freeLocalPort(), executable: prometheus)
            do {
                try await instance.startServer()
                return instance
            } catch {
                lastError = error
            }
        }
        try? FileManager.default.removeItem(at: dir)
        throw lastError ?? TelemetryFixtureError(description: "Prometheus did not start")
    }

    func startServer() async throws {
        let server = try await RunningPrometheus.start(
            executable, config: directory.appendingPathComponent("prometheus.yml"),
            data: directory.appendingPathComponent("data"), port: port,
            log: directory.appendingPathComponent("prometheus.log"))
        lock.withLock { self.server = server }
    }

    func stopServer() {
        let server = lock.withLock { () -> RunningPrometheus? in
            defer { self.server = nil }
            return self.server
        }
        server?.stop()
    }

    func close() {
        stopServer()
        try? FileManager.default.removeItem(at: directory)
    }
}

// MARK: - Scenarios

enum FaultScenarios {
    /// app3 as in the end-to-end tests (105 ms mean, band 50–100 ms: offload), over `span` seconds, plus
    /// edge pods for every service: the backfill is static, so the usage of edge copies that gma creates
    /// during the run must already be there (in a real cluster they would start reporting).
    static var app3: MeshScenario {
        var scenario = EndToEndTests.scenario
        scenario.pods += [
            .init(area: .edge, name: "frontend-edge1-5d6e7f-k2m3n", container: "frontend", cpu: 0.3, memory: 150e6),
            .init(area: .edge, name: "cart-edge1-6e7f8a-p4q5r", container: "cart", cpu: 0.2, memory: 80e6),
            .init(area: .edge, name: "catalog-edge1-0", container: "catalog", cpu: 0.4, memory: 120e6),
        ]
        return scenario
    }

    static func busy(span: Int = 30 * 60) -> String {
        var writer = OpenMetricsWriter(end: Scenarios.end, span: span)
        app3.write(into: &writer)
        return writer.render()
    }

    /// The same app with the edge users at 20 ms: below the band (unoffload).
    static func fast(span: Int = 30 * 60) -> String {
        var scenario = app3
        scenario.delays = [.init(to: "frontend", cumulative: [0, 20, 20, 20, 20, 20, 20], sumRate: 20 * 20)]
        var writer = OpenMetricsWriter(end: Scenarios.end, span: span)
        scenario.write(into: &writer)
        return writer.render()
    }

    /// Series exist but nothing moves: every rate is 0, the mean delay 0/0 = NaN (the trap of docs/differences.md D12).
    static func quiet(span: Int = 30 * 60) -> String {
        var scenario = app3
        scenario.calls = scenario.calls.map { var c = $0; c.rate = 0; return c }
        scenario.delays = [.init(to: "frontend", cumulative: [0, 0, 0, 0, 0, 0, 0], sumRate: 0)]
        var writer = OpenMetricsWriter(end: Scenarios.end, span: span)
        scenario.write(into: &writer)
        return writer.render()
    }
}

// MARK: - The rig: real PlacementController, PrometheusTelemetry, KubectlCluster

/// Telemetry that delegates to one of several real sources, switchable between cycles (e.g. a dead
/// Prometheus address, then the live one).
final class SwitchableTelemetry: TelemetrySource, @unchecked Sendable {
    private let lock = NSLock()
    private var source: any TelemetrySource

    init(_ source: any TelemetrySource) { self.source = source }

    func use(_ next: any TelemetrySource) { lock.withLock { source = next } }

    func snapshot(at time: Date?) async throws -> TelemetrySnapshot {
        let current = lock.withLock { source }
        return try await current.snapshot(at: time)
    }
}

/// Log lines captured for assertions.
final class CapturedLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    var logger: Logger {
        Logger(label: "gma.fault-matrix") { [self] label in CapturingHandler(label: label, log: self) }
    }

    private struct CapturingHandler: LogHandler {
        let label: String
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        // swift-format-ignore
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            log.append("\(level) \(message)")
        }
    }
}

/// One fault-matrix world: the fake Kubernetes API with app3's cloud manifests applied, app3's config
/// pointed at it and at a Prometheus (directly or through a proxy), and the real controller on a simulated
/// clock that starts `replaySeconds` before the end of the backfilled data.
final class FaultRig: @unchecked Sendable {
    let kube: FakeKubeAPI
    let configPath: String
    let configuration: GMAConfiguration
    let clock: SimulatedClock
    let events: EventLog
    let metrics: ControllerMetrics
    let controller: PlacementController
    let telemetry: SwitchableTelemetry
    /// The telemetry the config points at (Prometheus or the proxy), and its settings.
    let live: PrometheusTelemetry
    let telemetrySettings: PrometheusTelemetrySettings
    let cluster: KubectlCluster
    let networkLog: CapturedLog
    var manifests: URL { URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent("manifests") }

    struct Options {
        var kubectl: String? = nil
        var kubeTimeoutSeconds: Double = 60
        var prometheusTimeoutSeconds: Double = 5
        var prometheusAttempts = 2
        var configEdits: [(String, String)] = []
        var solver: SolverKind? = nil
        var timeLimitSeconds: Double? = nil
        /// Edge manifests applied before the run (services already offloaded).
        var preplaced: [String] = []
        var replaySeconds: Double = 1500
    }

    init(kube: FakeKubeAPI, prometheus: URL, _ options: Options = Options()) async throws {
        self.kube = kube
        let kubeBlock = "spec:\n  kube:\n    kubeconfig: \(kube.kubeconfig)\n    timeout: \(Int(options.kubeTimeoutSeconds))s\n"
            + (options.kubectl.map { "    kubectl: \($0)\n" } ?? "")
        configPath = try FaultRig.writeConfiguration(
            prometheus: prometheus, kube: kube, edits: [("spec:\n", kubeBlock)] + options.configEdits)
        var configuration = try GMAConfiguration.load(path: configPath)
        configuration.kube.timeoutSeconds = options.kubeTimeoutSeconds
        self.configuration = configuration
        let manifests = URL(fileURLWithPath: configPath).deletingLastPathComponent().appendingPathComponent("manifests")
        for file in ["frontend-cloud.yaml", "cart-cloud.yaml", "cart-cloud-hpa.yaml", "catalog-cloud.yaml"] {
            try await kube.kubectl(["apply", "-n", "fluidosmesh", "-f", manifests.appendingPathComponent(file).path])
        }
        for service in options.preplaced {
            let config = try #require(configuration.services.first { $0.name == service })
            for file in config.edge.files { try await kube.kubectl(["apply", "-n", "fluidosmesh", "-f", file]) }
        }

        var settings = ControllerAssembly.settings(
            from: configuration, solver: options.solver, timeLimitSeconds: options.timeLimitSeconds)
        // W = 60 s: two alarm checks 30 s apart, then the action; keeps each row to a handful of cycles.
        settings.timing = LoopTiming(syncPeriodSeconds: 30, stabilizationWindowSeconds: 60, alarmCycleSeconds: 30)
        var telemetrySettings = try ControllerAssembly.telemetrySettings(from: configuration)
        telemetrySettings.connection.requestTimeoutSeconds = options.prometheusTimeoutSeconds
        telemetrySettings.connection.maxAttempts = options.prometheusAttempts
        telemetrySettings.connection.retryBackoffSeconds = 0.05
        self.telemetrySettings = telemetrySettings
        let live = try PrometheusTelemetry(settings: telemetrySettings)
        self.live = live
        let telemetry = SwitchableTelemetry(live)
        let cluster = KubectlCluster(configuration: configuration, cacheDirectory: kube.cacheDirectory)
        let clock = SimulatedClock(start: Scenarios.endDate.addingTimeInterval(-options.replaySeconds))
        let metrics = ControllerMetrics(band: settings.band, clock: { clock.now() })
        let events = EventLog()
        let networkLog = CapturedLog()
        self.telemetry = telemetry
        self.cluster = cluster
        self.clock = clock
        self.metrics = metrics
        self.events = events
        self.networkLog = networkLog
        controller = PlacementController(
            settings: settings, telemetry: telemetry, cluster: cluster,
            network: ControllerAssembly.network(from: configuration, logger: networkLog.logger), clock: clock,
            solver: BuiltInSolver(.auto), telemetryAtClockTime: true,
            observer: { event in
                events.record(event)
                metrics.record(event)
            })
    }

    /// The same telemetry pointed at another address.
    func telemetry(at url: URL) throws -> PrometheusTelemetry {
        var settings = telemetrySettings
        settings.connection.baseURL = url
        return try PrometheusTelemetry(settings: settings)
    }

    /// app3's config and manifests copied into the fake API's directory, edited.
    static func writeConfiguration(prometheus: URL, kube: FakeKubeAPI, edits: [(String, String)]) throws -> String {
        let directory = URL(fileURLWithPath: kube.directory).appendingPathComponent("app3")
        try FileManager.default.copyItem(at: fixturesDirectory.appendingPathComponent("app3"), to: directory)
        var text = try String(contentsOf: directory.appendingPathComponent("GMAConfig.yaml"), encoding: .utf8)
        let all = [
            ("prometheus-url: http://127.0.0.1:30000", "prometheus-url: \(prometheus.absoluteString)"),
            ("offload-delay-threshold: 250ms", "offload-delay-threshold: 100ms"),
            ("unoffload-delay-threshold: 150ms", "unoffload-delay-threshold: 50ms"),
            ("locked: [frontend]", "locked: []"),
        ] + edits
        for (old, new) in all {
            guard text.contains(old) else { throw FakeAPIError(message: "app3 config no longer contains \(old)") }
            text = text.replacingOccurrences(of: old, with: new)
        }
        let path = directory.appendingPathComponent("GMAConfig.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `cycles` controller cycles, advancing the simulated clock by each cycle's pause.
    func cycles(_ count: Int) async {
        for _ in 0..<count {
            let pause = await controller.step()
            clock.advance(by: pause)
        }
    }

    /// Cycles until `done` holds after a cycle, at most `limit` cycles; returns whether it held.
    func cycles(upTo limit: Int, until done: (FaultRig) async throws -> Bool) async throws -> Bool {
        for _ in 0..<limit {
            await cycles(1)
            if try await done(self) { return true }
        }
        return false
    }

    /// Cycles until the controller reaches `state` (at most `limit` cycles).
    func cycles(upTo limit: Int, untilState state: ControllerState) async -> Bool {
        for _ in 0..<limit {
            await cycles(1)
            if await controller.state == state { return true }
        }
        return false
    }

    // MARK: what the cluster holds

    struct EdgeView: Equatable, CustomStringConvertible {
        /// Edge workloads (Deployments, StatefulSets) and their replicas.
        var deployments: [String: Int?]
        var hpas: Set<String>
        /// Cloud workloads and their replicas.
        var cloud: [String: Int?]
        var description: String { "edge \(deployments.sorted { $0.key < $1.key }) hpa \(hpas.sorted()) cloud \(cloud.sorted { $0.key < $1.key })" }
    }

    func view() async throws -> EdgeView {
        let objects = try await kube.objects()
        var view = EdgeView(deployments: [:], hpas: [], cloud: [:])
        for object in objects {
            for service in configuration.services {
                if object.kind == service.edge.workloadKind.rawValue, object.name == service.edge.workloadName {
                    view.deployments[service.name] = object.replicas
                }
                if object.kind == service.cloud.workloadKind.rawValue, object.name == service.cloud.workloadName {
                    view.cloud[service.name] = object.replicas
                }
                if object.kind == "HorizontalPodAutoscaler", object.name == service.edge.hpa.name { view.hpas.insert(service.name) }
            }
        }
        return view
    }

    /// Whether the service's edge manifests include an HPA.
    func hasEdgeHPA(_ service: String) -> Bool {
        let files = configuration.services.first { $0.name == service }?.edge.files ?? []
        return files.contains { ((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").contains("kind: HorizontalPodAutoscaler") }
    }

    /// The edge replicas the decisions so far asked for, per service (the last one wins).
    var decidedEdgeReplicas: [String: Int] {
        var out: [String: Int] = [:]
        for decision in events.decisions {
            for case .scale(let s, .edge, let n) in decision.operations { out[s] = n }
        }
        return out
    }

    /// The last decided placement's edge set.
    var decidedEdge: Set<String>? { events.decisions.last { $0.placement != nil }?.placement.map { Set($0.edgeServices) } }

    /// Offload invariant: every edge Deployment that exists carries the replica count decided for it,
    /// and has its HPA when the service has one (an edge copy never stands without its scale).
    func offloadPairsWhole(_ view: EdgeView) -> Bool {
        let decided = decidedEdgeReplicas
        for (service, replicas) in view.deployments {
            guard let wanted = decided[service], replicas == wanted else { return false }
            if hasEdgeHPA(service), !view.hpas.contains(service) { return false }
        }
        return true
    }

    /// Converged: the edge holds exactly the last decided placement, each service with its decided scale.
    func converged() async throws -> Bool {
        guard let edge = decidedEdge else { return false }
        let view = try await view()
        return Set(view.deployments.keys) == edge && offloadPairsWhole(view)
    }

    /// Unoffload convergence: the edge Deployments are exactly the last decided placement's.
    func edgeMatchesDecision() async throws -> Bool {
        guard let edge = decidedEdge else { return false }
        return Set(try await view().deployments.keys) == edge
    }

    // MARK: what the controller said

    func skipCount(_ cause: String) -> Double {
        ObservabilityTests.value(#"gma_skipped_cycles_total{cause="\#(cause)"}"#, in: metrics.exposition()) ?? 0
    }

    var failures: [(ClusterOperation, String)] {
        events.all.compactMap {
            if case .operationFailed(_, let operation, let error) = $0 { return (operation, error) }
            return nil
        }
    }

    /// Requests that changed the fake API (anything but GET).
    func changingRequests() async throws -> [String] {
        try await kube.requestMethods().filter { $0 != "GET" }
    }

    var states: [ControllerState] {
        events.all.compactMap {
            if case .transition(_, _, let to, _) = $0 { return to }
            return nil
        }
    }
}

/// Runs `body` with a fresh fake API server and a restartable Prometheus over `openMetrics`; both stopped after.
func withFaultWorld(
    _ openMetrics: String, _ body: @Sendable (FakeKubeAPI, RestartablePrometheus) async throws -> Void
) async throws {
    let kube = try FakeKubeAPI()
    defer { kube.stop() }
    let prometheus = try await RestartablePrometheus.start(openMetrics: openMetrics)
    defer { prometheus.close() }
    try await body(kube, prometheus)
}
