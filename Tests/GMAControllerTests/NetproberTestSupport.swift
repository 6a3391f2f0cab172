import Foundation
import GMAHTTP

#if canImport(Glibc)
    import Glibc
#endif

@testable import GMANetprober

/// A net prober service behind a real listener on 127.0.0.1, for the HTTP rows.
struct ProberUnderTest {
    let service: NetproberService
    let server: BoundedHTTPServer
    let port: Int

    init(tools: ProbeTools, policy: NetproberPolicy) async throws {
        service = NetproberService(tools: tools, policy: policy)
        server = BoundedHTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), routes: service.routes)
        port = try await server.start()
    }

    func request(_ query: String, headers: String = "") -> String {
        "GET /get?\(query) HTTP/1.1\r\nHost: prober\r\n\(headers)\r\n"
    }

    /// `/get?query` on a fresh connection; the whole answer.
    func get(_ query: String, headers: String = "") async throws -> String {
        try await HTTPTestClient.exchange(port: port, request(query, headers: headers))
    }

    /// Sends `/get?query` and keeps the connection open without reading: the probe runs until `close()`.
    func open(_ query: String) async throws -> HTTPTestClient {
        let text = request(query)
        let port = port
        return try await HTTPTestClient.offPool {
            let client = try HTTPTestClient(port: port)
            client.send(text)
            return client
        }
    }

    func stop() async { await server.stop() }
}

/// Counts tool runs across tasks.
final class ToolRuns: @unchecked Sendable {
    private let lock = NSLock()
    private var runs = 0
    func add() { lock.withLock { runs += 1 } }
    var count: Int { lock.withLock { runs } }
}

/// An `iperf3` that records its process id and then sleeps for ten minutes: a probe that never ends on its
/// own, so only cancellation can stop it.
struct HangingIperf3 {
    let directory: URL
    var path: String { directory.appendingPathComponent("iperf3").path }
    var pidFile: String { directory.appendingPathComponent("pids").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-hanging-iperf3-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = "#!/bin/sh\necho $$ >> '\(directory.path)/pids'\nexec sleep 600\n"
        try script.write(toFile: directory.appendingPathComponent("iperf3").path, atomically: true, encoding: .utf8)
        chmod(directory.appendingPathComponent("iperf3").path, 0o755)
    }

    /// The real iperf3 client code running this program, with its own timeout out of reach (an hour), so
    /// only the probe's cancellation can stop it within a test.
    var tools: ProbeTools {
        var iperf = Iperf3Client(executable: path)
        iperf.graceSeconds = 3600
        let ping = PingClient()
        return ProbeTools(
            throughput: { [iperf] host, port, seconds, reverse in
                try await iperf.measure(host: host, port: port, durationSeconds: seconds, reverse: reverse)
            },
            rtt: { host, count in try await ping.measure(host: host, count: count) })
    }

    var pids: [Int32] {
        ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// Waits (60 s hang guard) for a process started after `previous` (0: any) and returns its id.
    func nextPID(after previous: Int32) async -> Int32? {
        for _ in 0..<1200 {
            let all = pids
            if previous == 0, let first = all.first { return first }
            if let index = all.firstIndex(of: previous), index + 1 < all.count { return all[index + 1] }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return nil
    }

    /// Whether the process still exists (a zombie counts as gone: it no longer runs).
    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        guard let close = status.lastIndex(of: ")") else { return false }
        return !status[status.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

extension HTTPTestClient {
    /// Shuts the connection down now (the client leaves).
    func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }
}
