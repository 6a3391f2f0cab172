import Foundation

/// The tools one probe uses; the real ones run iperf3 and ping, tests may stand in.
public struct ProbeTools: Sendable {
    /// (host, port, seconds, reverse) → the receiver's goodput.
    public var throughput: @Sendable (String, Int, Int, Bool) async throws -> ThroughputSample
    /// (host, count) → the ping summary.
    public var rtt: @Sendable (String, Int) async throws -> RTTSample

    public init(
        throughput: @escaping @Sendable (String, Int, Int, Bool) async throws -> ThroughputSample,
        rtt: @escaping @Sendable (String, Int) async throws -> RTTSample
    ) {
        self.throughput = throughput
        self.rtt = rtt
    }

    public static func system(iperf3: String = "/usr/bin/iperf3", ping: String = "/usr/bin/ping") -> ProbeTools {
        let iperf = Iperf3Client(executable: iperf3)
        let pinger = PingClient(executable: ping)
        return ProbeTools(
            throughput: { host, port, seconds, reverse in
                try await iperf.measure(host: host, port: port, durationSeconds: seconds, reverse: reverse)
            },
            rtt: { host, count in try await pinger.measure(host: host, count: count) })
    }
}

/// The net prober's HTTP API: the reference's `GET /get` (telemetry.md §4.2), measured properly (Q‑C21).
///
/// `GET /get?server_ip=10.236.97.127&server_port=5201&duration=2&ping_count=5`
///
/// * cloud→edge: iperf3 TCP, this prober sending to the edge server, no target rate: the capacity one TCP
///   flow gets, not an offered rate. edge→cloud: the same with `--reverse` (the server sends).
///   The two tests run one after the other (an iperf3 server serves one test at a time), and probes are
///   serialised for the same reason.
/// * RTT: `ping -c ping_count` to `server_ip`; min/avg/max/mdev in ms.
/// * `bandwidth_mbps` and `blksize` (the reference's UDP knobs) are accepted and ignored; they are listed
///   under `ignored-parameters`.
///
/// Reply 200, JSON numbers, every unit in the key name (see `docs/running-on-real-clusters.md`):
/// `cloud-edge-bps`, `edge-cloud-bps` (bit/s, integers), `edge-cloud-rtt-ms` (average, ms), `rtt-min-ms`,
/// `rtt-max-ms`, `rtt-mdev-ms`, `ping-sent`, `ping-received`, `cloud-edge-measured-s`,
/// `edge-cloud-measured-s`, `cloud-edge-retransmits`, `edge-cloud-retransmits`, `duration-s`, plus
/// `edge-cloud-rtt` (= `edge-cloud-rtt-ms`, the key gma's client and the reference read), `method`,
/// `server-ip` and `server-port`. Errors: 400 for a bad parameter, 500 for a failed measurement, both as
/// `{"error": "…"}`.
public final class NetproberService: Sendable {
    public struct Limits: Sendable {
        public var maxDurationSeconds = 30
        public var maxPingCount = 50
        public init() {}
    }

    public static let defaultServerPort = 5201
    public static let defaultDurationSeconds = 3
    public static let defaultPingCount = 5

    private let tools: ProbeTools
    private let limits: Limits
    private let gate = ProbeGate()

    public init(tools: ProbeTools = .system(), limits: Limits = Limits()) {
        self.tools = tools
        self.limits = limits
    }

    /// The routes to give `MiniHTTPServer`: `/get`, `/healthz`, and `/` (a one-screen description).
    public var routes: [String: HTTPHandler] {
        [
            "/get": { [self] request in await self.get(request) },
            "/healthz": { _ in .text("ok\n") },
            "/": { _ in .text(Self.usage) },
        ]
    }

    public static let usage = """
        gma netprober: cloud-edge link probe (iperf3 TCP both directions + ping)
        GET /get?server_ip=IP&server_port=5201&duration=3&ping_count=5
          -> {"cloud-edge-bps", "edge-cloud-bps", "edge-cloud-rtt-ms", "rtt-min-ms", "rtt-max-ms", ...}
        GET /healthz -> ok

        """

    /// A validated `/get` query.
    public struct ProbeRequest: Sendable, Equatable {
        public var serverIP: String
        public var serverPort: Int
        public var durationSeconds: Int
        public var pingCount: Int
        public var ignored: [String]
    }

    public func parse(_ query: [String: String]) -> Result<ProbeRequest, ProbeToolError> {
        func bad(_ message: String) -> Result<ProbeRequest, ProbeToolError> {
            .failure(ProbeToolError(tool: "request", message: message))
        }
        let host = query["server_ip"] ?? "127.0.0.1"
        // The host lands in argv: refuse anything that could read as an option or is not a host name/address.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:")
        guard !host.isEmpty, host.count <= 253, !host.hasPrefix("-"), host.allSatisfy({ allowed.contains($0) }) else {
            return bad("server_ip '\(host)' is not a host name or IP address")
        }
        func integer(_ key: String, default value: Int, in range: ClosedRange<Int>) -> Int? {
            guard let text = query[key] else { return value }
            guard let number = Int(text), range.contains(number) else { return nil }
            return number
        }
        guard let port = integer("server_port", default: Self.defaultServerPort, in: 1...65535) else {
            return bad("server_port must be an integer in 1...65535")
        }
        guard let duration = integer("duration", default: Self.defaultDurationSeconds, in: 1...limits.maxDurationSeconds)
        else {
            return bad("duration must be whole seconds in 1...\(limits.maxDurationSeconds)")
        }
        guard let count = integer("ping_count", default: Self.defaultPingCount, in: 1...limits.maxPingCount) else {
            return bad("ping_count must be an integer in 1...\(limits.maxPingCount)")
        }
        let known: Set<String> = ["server_ip", "server_port", "duration", "ping_count"]
        let ignored = query.keys.filter { !known.contains($0) }.sorted()
        return .success(
            ProbeRequest(serverIP: host, serverPort: port, durationSeconds: duration, pingCount: count, ignored: ignored))
    }

    public func get(_ request: HTTPRequest) async -> HTTPResponse {
        let probe: ProbeRequest
        switch parse(request.query) {
        case .success(let value): probe = value
        case .failure(let error): return .error(error.message, status: 400)
        }
        await gate.acquire()
        let response = await measure(probe)
        await gate.release()
        return response
    }

    private func measure(_ probe: ProbeRequest) async -> HTTPResponse {
        do {
            let down = try await tools.throughput(probe.serverIP, probe.serverPort, probe.durationSeconds, false)
            let up = try await tools.throughput(probe.serverIP, probe.serverPort, probe.durationSeconds, true)
            let rtt = try await tools.rtt(probe.serverIP, probe.pingCount)
            return .json(Self.reply(probe, down: down, up: up, rtt: rtt))
        } catch let error as ProbeToolError {
            return .error(error.description, status: 500)
        } catch {
            return .error("\(error)", status: 500)
        }
    }

    static func reply(_ probe: ProbeRequest, down: ThroughputSample, up: ThroughputSample, rtt: RTTSample) -> [String: Any] {
        func ms(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        var body: [String: Any] = [
            "cloud-edge-bps": Int(down.bitsPerSecond.rounded()),
            "edge-cloud-bps": Int(up.bitsPerSecond.rounded()),
            "edge-cloud-rtt-ms": ms(rtt.avgMilliseconds),
            "edge-cloud-rtt": ms(rtt.avgMilliseconds),
            "rtt-min-ms": ms(rtt.minMilliseconds),
            "rtt-max-ms": ms(rtt.maxMilliseconds),
            "rtt-mdev-ms": ms(rtt.mdevMilliseconds),
            "ping-sent": rtt.transmitted,
            "ping-received": rtt.received,
            "cloud-edge-measured-s": ms(down.seconds),
            "edge-cloud-measured-s": ms(up.seconds),
            "duration-s": probe.durationSeconds,
            "method": "iperf3-tcp",
            "server-ip": probe.serverIP,
            "server-port": probe.serverPort,
        ]
        if let r = down.retransmits { body["cloud-edge-retransmits"] = r }
        if let r = up.retransmits { body["edge-cloud-retransmits"] = r }
        if !probe.ignored.isEmpty { body["ignored-parameters"] = probe.ignored }
        return body
    }
}

/// One probe at a time, first come first served.
actor ProbeGate {
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
