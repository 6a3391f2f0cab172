import Foundation
import GMATestSupport
import GMAHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@testable import GMAControl
@testable import GMANetprober
@testable import GMAObservability

/// The fault matrix's HTTP rows: hostile or careless clients against gma's Hummingbird listener (the
/// `gma run` observability endpoints and the net prober). Every wait is on an event with a generous hang
/// guard; docs/reliability.md, "HTTP server and net prober bounds", has the measured latencies.
@Suite("Fault matrix: HTTP server and net prober", .serialized)
struct FaultMatrixHTTPTests {
    static let band = DelayBand(offloadSeconds: 0.12, unoffloadSeconds: 0.08, offloadQuantileSeconds: 0.2)

    /// 50 clients connect and send half a request head each, then hold their connections: `/healthz`
    /// and `/metrics` still answer every time on new connections.
    @Test(.timeLimit(.minutes(5)))
    func fiftySlowClientsDoNotStarveHealthChecks() async throws {
        let endpoints = try ObservabilityEndpoints(address: "127.0.0.1:0", metrics: ControllerMetrics(band: Self.band))
        let port = try await endpoints.start()
        let slow = try await HTTPTestClient.offPool { () -> [HTTPTestClient] in
            try (0..<50).map { index in
                let client = try HTTPTestClient(port: port)
                // Half the clients stop inside the head, half never send a byte.
                if index % 2 == 0 { client.send("GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Dribble: ") }
                return client
            }
        }
        var latencies: [Double] = []
        for _ in 0..<20 {
            let started = ContinuousClock.now
            let answer = try await HTTPTestClient.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: probe\r\n\r\n")
            latencies.append(Self.milliseconds(ContinuousClock.now - started))
            #expect(HTTPTestClient.statusLine(answer) == "HTTP/1.1 200 OK" && answer.hasSuffix("ok\n"), "\(answer)")
        }
        let metrics = try await HTTPTestClient.exchange(port: port, "GET /metrics HTTP/1.1\r\nHost: probe\r\n\r\n")
        #expect(metrics.contains("# TYPE gma_state gauge"))
        latencies.sort()
        print("healthz with 50 slow clients: median \(latencies[latencies.count / 2]) ms, max \(latencies.last ?? 0) ms")
        withExtendedLifetime(slow) {}
        await endpoints.stop()
    }

    /// A 1 MB header field: 431 on that connection, nothing buffered past the 16 KiB limit, and the server
    /// goes on answering.
    @Test(.timeLimit(.minutes(5)))
    func aOneMegabyteHeaderIsRefusedWithoutHarm() async throws {
        let endpoints = try ObservabilityEndpoints(address: "127.0.0.1:0", metrics: ControllerMetrics(band: Self.band))
        let port = try await endpoints.start()
        let huge = "GET /healthz HTTP/1.1\r\nHost: a\r\nX-Filler: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
        let refused = try await HTTPTestClient.exchange(port: port, huge)
        #expect(HTTPTestClient.statusLine(refused) == "HTTP/1.1 431 Request Header Fields Too Large", "\(refused.prefix(300))")
        // A body declared over the 64 KiB cap is refused before it is read.
        let body = try await HTTPTestClient.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 10000000\r\n\r\n")
        #expect(HTTPTestClient.statusLine(body).hasPrefix("HTTP/1.1 413 "), "\(body)")
        let after = try await HTTPTestClient.exchange(port: port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(after) == "HTTP/1.1 200 OK")
        await endpoints.stop()
    }

    /// A target outside the allow-list (another host, or the allowed host on another port) is 403 with
    /// one line, and no tool runs; a wrong or missing bearer token is 401.
    @Test(.timeLimit(.minutes(5)))
    func aTargetOutsideTheAllowListIsForbidden() async throws {
        let runs = ToolRuns()
        let tools = ProbeTools(
            throughput: { _, _, _, _ in
                runs.add()
                return ThroughputSample(bitsPerSecond: 1e9, seconds: 1, retransmits: 0)
            },
            rtt: { _, _ in RTTSample(minMilliseconds: 1, avgMilliseconds: 2, maxMilliseconds: 3, deviationMilliseconds: 0, transmitted: 1, received: 1) })
        var policy = NetproberPolicy(defaultTarget: try ProbeTargetRule(parsing: "127.0.0.1:5201"))
        policy.allowedTargets = [try ProbeTargetRule(parsing: "10.236.0.0/16:5201")]
        let prober = try await ProberUnderTest(tools: tools, policy: policy)
        for target in ["server_ip=10.1.2.3", "server_ip=127.0.0.1&server_port=22", "server_ip=10.237.0.1",
                       "server_ip=localhost"] {
            let answer = try await prober.get(target)
            #expect(HTTPTestClient.statusLine(answer) == "HTTP/1.1 403 Forbidden", "\(target): \(answer)")
            let body = answer.components(separatedBy: "\r\n\r\n").last ?? ""
            #expect(body.hasPrefix(#"{"error":"probe target "#) && body.filter { $0 == "\n" }.count == 1, "\(body)")
        }
        #expect(runs.count == 0, "no probe ran for a forbidden target")
        let inPrefix = try await prober.get("server_ip=10.236.97.127&duration=1&ping_count=1")
        #expect(HTTPTestClient.statusLine(inPrefix) == "HTTP/1.1 200 OK")
        #expect(runs.count == 2, "both directions ran for the allowed target")
        await prober.stop()

        policy.bearerToken = "s3cret"
        let guarded = try await ProberUnderTest(tools: tools, policy: policy)
        let missing = try await guarded.get("duration=1")
        #expect(HTTPTestClient.statusLine(missing) == "HTTP/1.1 401 Unauthorized")
        #expect(missing.lowercased().contains("www-authenticate: bearer"))
        let wrong = try await guarded.get("duration=1", headers: "Authorization: Bearer s3creT\r\n")
        #expect(HTTPTestClient.statusLine(wrong) == "HTTP/1.1 401 Unauthorized")
        let right = try await guarded.get("duration=1&ping_count=1", headers: "Authorization: Bearer s3cret\r\n")
        #expect(HTTPTestClient.statusLine(right) == "HTTP/1.1 200 OK")
        let health = try await HTTPTestClient.exchange(port: guarded.port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(health) == "HTTP/1.1 200 OK", "health stays open")
        await guarded.stop()
    }

    /// One probe runs, one waits (the cap), the third is told 429 with `Retry-After`; `/healthz` answers
    /// throughout. Closing the clients ends both probes (their iperf3 processes are killed).
    @Test(.timeLimit(.minutes(5)))
    func aFullQueueAnswers429WithRetryAfter() async throws {
        let fake = try HangingIperf3()
        var policy = NetproberPolicy(defaultTarget: try ProbeTargetRule(parsing: "127.0.0.1:5201"))
        policy.maxWaitingProbes = 1
        let prober = try await ProberUnderTest(tools: fake.tools, policy: policy)
        let running = try await prober.open("duration=1&ping_count=5")
        let firstPID = try #require(await fake.nextPID(after: 0), "the first probe's iperf3 started")
        let waiting = try await prober.open("duration=1&ping_count=5")
        #expect(await Self.eventually { await prober.service.waitingProbes() == 1 }, "the second probe waits")
        let refused = try await prober.get("duration=1&ping_count=5")
        #expect(HTTPTestClient.statusLine(refused) == "HTTP/1.1 429 Too Many Requests", "\(refused)")
        // Each probe is expected to take 2 × 1 s + 5 × 0.2 s + 2 s = 5 s: what is left of the running one
        // (0…5 s) plus the waiting one's 5 s, rounded up.
        let retryAfter = refused.lowercased().components(separatedBy: "\r\n").first { $0.hasPrefix("retry-after: ") }
            .flatMap { Int($0.dropFirst("retry-after: ".count)) }
        #expect(retryAfter.map { (5...10).contains($0) } == true, "\(refused)")
        let health = try await HTTPTestClient.exchange(port: prober.port, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(health) == "HTTP/1.1 200 OK")
        running.hangUp()
        // The waiting probe is admitted once the running one is cancelled: its iperf3 starts.
        let secondPID = try #require(await fake.nextPID(after: firstPID), "the waiting probe started")
        #expect(await Self.eventually { !HangingIperf3.isAlive(firstPID) }, "the abandoned probe's iperf3 was killed")
        waiting.hangUp()
        #expect(await Self.eventually { !HangingIperf3.isAlive(secondPID) })
        await prober.stop()
    }

    /// A client that leaves during its probe: the probe's iperf3 is killed, and the next probe starts at
    /// once instead of waiting out the abandoned one (whose iperf3 would sleep for 10 minutes).
    @Test(.timeLimit(.minutes(5)))
    func anAbandonedProbeIsCancelled() async throws {
        let fake = try HangingIperf3()
        let policy = NetproberPolicy(defaultTarget: try ProbeTargetRule(parsing: "127.0.0.1:5201"))
        let prober = try await ProberUnderTest(tools: fake.tools, policy: policy)
        let client = try await prober.open("duration=30")
        let pid = try #require(await fake.nextPID(after: 0))
        #expect(HangingIperf3.isAlive(pid))
        let leftAt = ContinuousClock.now
        client.hangUp()
        #expect(await Self.eventually { !HangingIperf3.isAlive(pid) }, "iperf3 \(pid) outlived its client")
        print("abandoned probe: iperf3 gone \(Self.milliseconds(ContinuousClock.now - leftAt)) ms after its client left")
        let next = try await prober.open("duration=30")
        let nextPID = try #require(await fake.nextPID(after: pid), "the next probe started")
        next.hangUp()
        #expect(await Self.eventually { !HangingIperf3.isAlive(nextPID) })
        await prober.stop()
    }

    /// SIGTERM to the `gma netprober` process while a probe runs against a real iperf3 server: the probe
    /// finishes and is answered 200, then the process exits 0.
    @Test(.timeLimit(.minutes(5)))
    func sigtermDuringAProbeFinishesItAndExitsZero() async throws {
        let iperf3 = try #require(findExecutable("iperf3"), "iperf3 is missing: apt-get install -y iperf3")
        let iperfPort = try freeLocalPort()
        let iperfServer = try ChildProcess(iperf3, ["--server", "--bind", "127.0.0.1", "--port", String(iperfPort)])
        defer {
            iperfServer.signal(SIGKILL)
            iperfServer.wait()
        }
        #expect(await TCPListeners.wait(forPort: iperfPort, hangGuardSeconds: 60))

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-netprober-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let gma = try FaultMatrixProcessTests.GMAProcess(
            ["netprober", "--listen", "127.0.0.1:0", "--iperf3-server", "127.0.0.1:\(iperfPort)"], directory: directory.path)
        var proberPort: Int?
        _ = await FaultMatrixProcessTests.wait(seconds: 60) {
            proberPort = gma.stderr.split(separator: "\n").first { $0.contains("listening on 127.0.0.1:") }
                .flatMap { Int($0.split(separator: ":").last ?? "") }
            return proberPort != nil
        }
        let port = try #require(proberPort, "\(gma.stderr)")
        let client = try await HTTPTestClient.offPool {
            let client = try HTTPTestClient(port: port, hangGuardSeconds: 120)
            client.send("GET /get?duration=2&ping_count=3 HTTP/1.1\r\nHost: prober\r\n\r\n")
            return client
        }
        #expect(await Self.eventually { Self.iperf3ClientRuns(port: iperfPort) }, "the probe's iperf3 started")
        gma.signal(SIGTERM)
        let answer = try await HTTPTestClient.offPool { client.readResponse() ?? "" }
        #expect(HTTPTestClient.statusLine(answer) == "HTTP/1.1 200 OK", "\(answer)")
        #expect(answer.contains(#""cloud-edge-bps":"#), "\(answer)")
        #expect(await gma.exitStatus(within: 60) == 0, "\(gma.stderr)")
        #expect(gma.stderr.contains("gma netprober stopped"))
    }

    /// Whether an `iperf3 --client … --port PORT` process runs (read from /proc, no signal sent).
    static func iperf3ClientRuns(port: Int) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.contains { entry in
            guard Int(entry) != nil, let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { return false }
            let words = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.contains("--client") && words.contains(String(port))
        }
    }

    // MARK: support

    static func milliseconds(_ duration: Duration) -> Double {
        (Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) * 1e-15).rounded() / 1
    }

    /// Polls `condition` every 50 ms; false only after the 60 s hang guard.
    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<1200 {
            if await condition() { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return await condition()
    }
}
