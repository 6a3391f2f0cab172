import Foundation
import Testing

@testable import GMATelemetry

@Suite("Telemetry: net prober and netinfo.yaml")
struct TelemetryNetworkTests {
    static let reply = #"{"cloud-edge-bps": 199123456, "edge-cloud-bps": 199123456, "edge-cloud-rtt": 0.75}"#

    @Test func proberReplyIsParsedUnrounded() async throws {
        let server = try StubHTTPServer([.respond(status: 200, body: Self.reply)])
        defer { server.stop() }
        let url = URL(string: "\(server.url)/get?server_ip=10.236.97.127&bandwidth_mbps=200&duration=2")!
        let m = try await NetproberClient(url: url).probe()
        // Sub-millisecond RTT and odd bit rates survive (docs/differences.md D20).
        #expect(m == NetworkMeasurement(rttSeconds: 0.00075, cloudToEdgeBitsPerSecond: 199_123_456, edgeToCloudBitsPerSecond: 199_123_456))
        #expect(server.requests.first?.hasPrefix("GET /get?server_ip=10.236.97.127&bandwidth_mbps=200&duration=2 ") == true)
    }

    @Test func proberFailuresAreTyped() async throws {
        let failing = try StubHTTPServer([.respond(status: 500, body: #"{"error": "Ping failed"}"#)])
        defer { failing.stop() }
        await #expect(throws: NetproberError.httpStatus(url: "\(failing.url)/get", status: 500, message: "Ping failed")) {
            _ = try await NetproberClient(url: URL(string: "\(failing.url)/get")!).probe()
        }
        // The README's string values are not what the prober sends; they are rejected, not guessed.
        for body in [#"{"cloud-edge-bps": "199Mbps", "edge-cloud-bps": "199Mbps", "edge-cloud-rtt": "20ms"}"#,
                     #"{"cloud-edge-bps": 0, "edge-cloud-bps": 1, "edge-cloud-rtt": 1}"#, "garbage"] {
            let server = try StubHTTPServer([.respond(status: 200, body: body)])
            defer { server.stop() }
            await #expect(throws: NetproberError.self) { _ = try await NetproberClient(url: server.url).probe() }
        }
        let hanging = try StubHTTPServer([.hang])
        defer { hanging.stop() }
        await #expect(throws: NetproberError.self) {
            _ = try await NetproberClient(url: hanging.url, timeoutSeconds: 1).probe()
        }
    }

    @Test func netinfoFileTakesTheFirstNetInfoDocument() throws {
        let text = """
            kind: Something
            spec: {edge-cloud-rtt: 1s}
            ---
            apiVersion: gma/v0
            kind: NetInfo
            spec:
              cloud-edge-bps: 199Mbps
              edge-cloud-bps: 1.5Gbps
              edge-cloud-rtt: 161ms
            ---
            kind: NetInfo
            spec: {edge-cloud-rtt: 5ms}
            """
        let file = try NetInfoFile.parse(text)
        #expect(file == NetInfoFile(rttSeconds: 0.161, cloudToEdgeBitsPerSecond: 199e6, edgeToCloudBitsPerSecond: 1.5e9))
        #expect(try NetInfoFile.parse("kind: NetInfo\nspec: {edge-cloud-rtt: 2}") == NetInfoFile(rttSeconds: 2))
        #expect(throws: NetInfoFile.LoadError.noNetInfoDocument(path: "netinfo.yaml")) { try NetInfoFile.parse("kind: Other") }
        #expect(throws: NetInfoFile.LoadError.invalidValue(path: "netinfo.yaml", key: "cloud-edge-bps", value: "1000mbps")) {
            try NetInfoFile.parse("kind: NetInfo\nspec: {cloud-edge-bps: 1000mbps}")
        }
        #expect(throws: NetInfoFile.LoadError.missing(path: "/nonexistent/netinfo.yaml")) {
            try NetInfoFile.load(path: "/nonexistent/netinfo.yaml")
        }
    }

    struct ScriptedProbe: NetworkProbe {
        let result: NetworkMeasurement?
        func measure() async throws -> NetworkMeasurement {
            guard let result else { throw NetproberError.transport(url: "stub", message: "down") }
            return result
        }
    }

    @Test func providerKeepsLastKnownValues() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gma-netinfo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("netinfo.yaml").path
        let defaults = NetworkInfo(rttSeconds: 0.08, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9)

        // Missing file: defaults stay, with a note; nothing is written.
        let noFile = NetworkInfoProvider(initial: defaults, netinfoPath: path, probe: nil)
        let r0 = await noFile.refresh()
        #expect(r0.info == defaults && !r0.fileApplied && r0.problems.count == 1)
        #expect(!FileManager.default.fileExists(atPath: path))

        try Data("kind: NetInfo\nspec: {edge-cloud-rtt: 20ms}\n".utf8).write(to: URL(fileURLWithPath: path))
        let fromFile = await noFile.refresh()
        #expect(fromFile.fileApplied && fromFile.info.rttSeconds == 0.02 && fromFile.info.source == .file)
        #expect(fromFile.info.cloudToEdgeBitsPerSecond == 1e9)

        // A probe overrides; an unchanged file does not undo it; a failed probe keeps it.
        let measured = NetworkMeasurement(rttSeconds: 0.01, cloudToEdgeBitsPerSecond: 5e8, edgeToCloudBitsPerSecond: 4e8)
        let probing = NetworkInfoProvider(initial: defaults, netinfoPath: path, probe: ScriptedProbe(result: measured))
        let p1 = await probing.refresh()
        #expect(p1.probeApplied && p1.info.rttSeconds == 0.01 && p1.info.source == .probe)
        let p2 = await probing.refresh()
        #expect(!p2.fileApplied && p2.info.rttSeconds == 0.01)

        let failing = NetworkInfoProvider(initial: defaults, netinfoPath: nil, probe: ScriptedProbe(result: nil))
        let f = await failing.refresh()
        #expect(f.info == defaults && !f.probeApplied && f.problems.count == 1)

        // A broken file after a good one: the good values stay.
        try Data("kind: NetInfo\nspec: {edge-cloud-rtt: soon}\n".utf8).write(to: URL(fileURLWithPath: path))
        let broken = await noFile.refresh()
        #expect(broken.info.rttSeconds == 0.02 && broken.problems.count == 1)
    }
}
