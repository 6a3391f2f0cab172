import Foundation
import GMAHTTP

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

    /// `iperf3` and `ping` as names are looked up on PATH when run; a path is used as it is. `graceSeconds`:
    /// how long past its own time each tool may run before it is killed (process start-up included).
    public static func system(iperf3: String = "iperf3", ping: String = "ping", graceSeconds: Double = 10) -> ProbeTools {
        var iperf = Iperf3Client(executable: iperf3)
        iperf.graceSeconds = graceSeconds
        var pinger = PingClient(executable: ping)
        pinger.graceSeconds = graceSeconds
        return ProbeTools(
            throughput: { [iperf] host, port, seconds, reverse in
                try await iperf.measure(host: host, port: port, durationSeconds: seconds, reverse: reverse)
            },
            rtt: { [pinger] host, count in try await pinger.measure(host: host, count: count) })
    }
}

/// The net prober's HTTP API: `GET /get` measures the cloud-edge link (docs/running-on-real-clusters.md,
/// "The net prober's API").
///
/// `GET /get?server_ip=10.236.97.127&server_port=5201&duration=2&ping_count=5`
///
/// * cloud→edge: iperf3 TCP, this prober sending to the edge server, no target rate: the capacity one TCP
///   flow gets, not an offered rate. edge→cloud: the same with `--reverse` (the server sends).
///   The two tests run one after the other (an iperf3 server serves one test at a time), and probes are
///   serialised for the same reason.
/// * RTT: `ping -c ping_count` to `server_ip`; min/avg/max/mdev in ms.
/// * `bandwidth_mbps` and `blksize` (UDP knobs of older probers) are accepted and ignored; they are listed
///   under `ignored-parameters`.
///
/// Reply 200, JSON numbers, every unit in the key name: `cloud-edge-bps`, `edge-cloud-bps` (bit/s,
/// integers), `edge-cloud-rtt-ms` (average, ms), `rtt-min-ms`, `rtt-max-ms`, `rtt-mdev-ms`, `ping-sent`,
/// `ping-received`, `cloud-edge-measured-s`, `edge-cloud-measured-s`, `cloud-edge-retransmits`,
/// `edge-cloud-retransmits`, `duration-s`, plus `edge-cloud-rtt` (= `edge-cloud-rtt-ms`, the key gma's
/// client reads), `method`, `server-ip` and `server-port`.
///
/// Refusals, each `{"error": "…"}` on one line: 401 without the bearer token (when one is configured), 400
/// for a bad parameter, 403 for a target outside the policy's allow-list, 429 with `Retry-After` when the
/// line of waiting probes is full, 504 past the policy's probe time cap, 500 for a failed measurement. A
/// probe whose client disconnects is cancelled, its iperf3 or ping killed.
public final class NetproberService: Sendable {
    public static let defaultServerPort = ProbeTargetRule.defaultPort
    public static let defaultDurationSeconds = 3
    public static let defaultPingCount = 5

    private let tools: ProbeTools
    public let policy: NetproberPolicy
    private let queue: ProbeQueue

    public init(tools: ProbeTools = .system(), policy: NetproberPolicy) {
        self.tools = tools
        self.policy = policy
        self.queue = ProbeQueue(maxWaiting: policy.maxWaitingProbes)
    }

    /// `/get` (cancelled when its client leaves), `/healthz`, and `/` (a one-screen description).
    public var routes: [HTTPRoute] {
        [
            HTTPRoute("/get", cancelledWhenClientLeaves: true) { [self] request in await self.get(request) },
            HTTPRoute("/healthz") { _ in .text("ok\n") },
            HTTPRoute("/") { _ in .text(Self.usage) },
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

        /// How long the probe should take: two iperf3 tests, the pings, and a little setup.
        var expectedSeconds: Double { Double(2 * durationSeconds) + Double(pingCount) * 0.2 + 2 }
    }

    public func parse(_ query: [String: String]) -> Result<ProbeRequest, ProbeToolError> {
        func bad(_ message: String) -> Result<ProbeRequest, ProbeToolError> {
            .failure(ProbeToolError(tool: "request", message: message))
        }
        guard let host = query["server_ip"] ?? policy.defaultTarget?.hostText else {
            return bad("server_ip is required (this prober has no --iperf3-server)")
        }
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
        let defaultPort = query["server_ip"] == nil ? policy.defaultTarget?.port : nil
        guard let port = integer("server_port", default: defaultPort ?? Self.defaultServerPort, in: 1...65535) else {
            return bad("server_port must be an integer in 1...65535")
        }
        let maxDuration = policy.maxDurationSeconds
        guard let duration = integer("duration", default: Self.defaultDurationSeconds, in: 1...maxDuration) else {
            return bad("duration must be whole seconds in 1...\(maxDuration)")
        }
        guard let count = integer("ping_count", default: Self.defaultPingCount, in: 1...policy.maxPingCount) else {
            return bad("ping_count must be an integer in 1...\(policy.maxPingCount)")
        }
        let known: Set<String> = ["server_ip", "server_port", "duration", "ping_count"]
        let ignored = query.keys.filter { !known.contains($0) }.sorted()
        return .success(
            ProbeRequest(serverIP: host, serverPort: port, durationSeconds: duration, pingCount: count, ignored: ignored))
    }

    public func get(_ request: RouteRequest) async -> RouteResponse {
        guard policy.authorizes(request.headers["authorization"]) else {
            return RouteResponse.error("missing or wrong bearer token", status: 401)
                .adding(header: "WWW-Authenticate", "Bearer")
        }
        let probe: ProbeRequest
        switch parse(request.query) {
        case .success(let value): probe = value
        case .failure(let error): return .error(error.message, status: 400)
        }
        guard policy.allows(host: probe.serverIP, port: probe.serverPort) else {
            return .error("probe target \(probe.serverIP):\(probe.serverPort) is not allowed by this prober", status: 403)
        }
        switch await queue.enter(expectedSeconds: probe.expectedSeconds) {
        case .full(let seconds):
            return RouteResponse.error("busy: \(policy.maxWaitingProbes) probes already wait", status: 429)
                .adding(header: "Retry-After", String(seconds))
        case .abandoned:
            return .error("the client left before its probe started", status: 499)
        case .admitted:
            let response = await measureWithinCap(probe)
            await queue.leave()
            return response
        }
    }

    /// Probes waiting behind the running one (for tests and diagnostics).
    public func waitingProbes() async -> Int { await queue.waitingCount }

    /// The probe, stopped (its tools killed) when it outlasts `policy.maxProbeSeconds` or its task is
    /// cancelled.
    private func measureWithinCap(_ probe: ProbeRequest) async -> RouteResponse {
        let cap = policy.maxProbeSeconds
        return await withTaskGroup(of: RouteResponse?.self) { group in
            group.addTask { await self.measure(probe) }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(cap * 1e9))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .error("probe stopped after the \(cap) s cap", status: 504)
        }
    }

    private func measure(_ probe: ProbeRequest) async -> RouteResponse {
        do {
            let down = try await tools.throughput(probe.serverIP, probe.serverPort, probe.durationSeconds, false)
            try Task.checkCancellation()
            let up = try await tools.throughput(probe.serverIP, probe.serverPort, probe.durationSeconds, true)
            try Task.checkCancellation()
            let rtt = try await tools.rtt(probe.serverIP, probe.pingCount)
            return .json(Self.reply(probe, down: down, up: up, ping: rtt))
        } catch let error as ProbeToolError {
            return .error(error.description, status: 500)
        } catch {
            return .error("\(error)", status: 500)
        }
    }

    static func reply(_ probe: ProbeRequest, down: ThroughputSample, up: ThroughputSample, ping: RTTSample) -> [String: Any] {
        func ms(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
        var body: [String: Any] = [
            "cloud-edge-bps": Int(down.bitsPerSecond.rounded()),
            "edge-cloud-bps": Int(up.bitsPerSecond.rounded()),
            "edge-cloud-rtt-ms": ms(ping.avgMilliseconds),
            "edge-cloud-rtt": ms(ping.avgMilliseconds),
            "rtt-min-ms": ms(ping.minMilliseconds),
            "rtt-max-ms": ms(ping.maxMilliseconds),
            "rtt-mdev-ms": ms(ping.deviationMilliseconds),
            "ping-sent": ping.transmitted,
            "ping-received": ping.received,
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

