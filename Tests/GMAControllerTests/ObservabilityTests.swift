import Foundation
@testable import GMAControl
@testable import GMAObservability
import GMAOptimizer
@testable import GMATelemetry
import Logging
import Testing


/// gma's own metrics: exposition, health endpoints, and a real Prometheus scraping them.
@Suite struct ObservabilityTests {
    static let band = DelayBand(offloadSeconds: 0.12, unoffloadSeconds: 0.08, offloadQuantileSeconds: 0.2)

    static func get(_ url: URL) async throws -> (Int, String) {
        let (status, body) = try await TestHTTP.get(url)
        return (status, String(decoding: body, as: UTF8.self))
    }

    /// The value of one series in the text exposition.
    static func value(_ series: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            let field = line.dropFirst(series.count + 1).trimmingCharacters(in: .whitespaces)
            return field.lowercased() == "nan" ? .nan : Double(field)
        }
        return nil
    }

    @Test func metricsFollowEventsAndUnknownIsNaN() {
        let metrics = ControllerMetrics(band: Self.band)
        let t = Date(timeIntervalSince1970: 1_767_225_600)
        metrics.record(.observed(time: t, state: .camping, meanDelaySeconds: nil, quantileDelaySeconds: nil))
        var text = metrics.exposition()
        #expect(Self.value(#"gma_edge_user_delay_seconds{statistic="mean"}"#, in: text)?.isNaN == true)
        #expect(!metrics.isReady)
        metrics.record(.observed(time: t, state: .camping, meanDelaySeconds: 0.15, quantileDelaySeconds: 0.3))
        metrics.record(.transition(time: t, from: .camping, to: .offloadAlarm, reason: "test"))
        metrics.record(.skipped(time: t, state: .offloadAlarm, reason: "telemetry failed: boom"))
        text = metrics.exposition()
        #expect(metrics.isReady)
        #expect(Self.value(#"gma_edge_user_delay_seconds{statistic="mean"}"#, in: text) == 0.15)
        #expect(Self.value(#"gma_state{state="offload-alarm"}"#, in: text) == 1)
        #expect(Self.value(#"gma_state{state="camping"}"#, in: text) == 0)
        #expect(Self.value(#"gma_threshold_seconds{threshold="offload"}"#, in: text) == 0.12)
        #expect(Self.value(#"gma_skipped_cycles_total{cause="telemetry"}"#, in: text) == 1)
    }

    @Test func severalEdgesCarryTheEdgeLabel() {
        let metrics = ControllerMetrics(band: Self.band, edges: ["edge1", "edge2"])
        let t = Date(timeIntervalSince1970: 1_767_225_600)
        metrics.record(.observed(time: t, state: .camping, meanDelaySeconds: 0.15, quantileDelaySeconds: 0.3), edge: "edge2")
        metrics.record(.transition(time: t, from: .camping, to: .offloadAlarm, reason: "test"), edge: "edge2")
        metrics.record(.decided(ControllerDecision(time: t, action: .offload, reason: "test")), edge: "edge1")
        metrics.record(.skipped(time: t, state: .camping, reason: "telemetry failed: boom"), edge: "edge1")
        let text = metrics.exposition()
        #expect(Self.value(#"gma_edge_user_delay_seconds{edge="edge2",statistic="mean"}"#, in: text) == 0.15)
        #expect(Self.value(#"gma_edge_user_delay_seconds{edge="edge1",statistic="mean"}"#, in: text)?.isNaN == true)
        #expect(Self.value(#"gma_state{edge="edge2",state="offload-alarm"}"#, in: text) == 1)
        #expect(Self.value(#"gma_state{edge="edge1",state="camping"}"#, in: text) == 1)
        #expect(Self.value(#"gma_decisions_total{edge="edge1",action="offload"}"#, in: text) == 1)
        #expect(Self.value(#"gma_skipped_cycles_total{edge="edge1",cause="telemetry"}"#, in: text) == 1)
        #expect(Self.value(#"gma_threshold_seconds{threshold="offload"}"#, in: text) == 0.12, "the band is shared")
        // The journal names the edge too.
        let line = ControllerDecision(time: t, action: .offload, reason: "r").json(commands: [], edge: "edge1").rendered()
        #expect(line.contains(#""edge":"edge1""#))
    }

    @Test func healthAndReadiness() async throws {
        let metrics = ControllerMetrics(band: Self.band)
        let endpoints = try ObservabilityEndpoints(address: "127.0.0.1:0", metrics: metrics)
        try await endpoints.start()
        do {
            try await checkHealthAndReadiness(endpoints, metrics)
        } catch {
            await endpoints.stop()
            throw error
        }
        await endpoints.stop()
    }

    private func checkHealthAndReadiness(_ endpoints: ObservabilityEndpoints, _ metrics: ControllerMetrics) async throws {
        let base = URL(string: "http://127.0.0.1:\(endpoints.port)")!
        #expect(try await Self.get(base.appendingPathComponent("healthz")).0 == 200)
        #expect(try await Self.get(base.appendingPathComponent("readyz")).0 == 503)
        metrics.record(.observed(time: Date(), state: .camping, meanDelaySeconds: 0.1, quantileDelaySeconds: nil))
        #expect(try await Self.get(base.appendingPathComponent("readyz")).0 == 200)
        let (status, body) = try await Self.get(base.appendingPathComponent("metrics"))
        #expect(status == 200)
        #expect(body.contains("# TYPE gma_state gauge"))
    }

    @Test func prometheusScrapesTheMetrics() async throws {
        let metrics = ControllerMetrics(band: Self.band)
        metrics.record(.observed(time: Date(), state: .camping, meanDelaySeconds: 0.093, quantileDelaySeconds: 0.2))
        let endpoints = try ObservabilityEndpoints(address: "127.0.0.1:0", metrics: metrics)
        try await endpoints.start()
        let scraped: Result<Double, any Error>
        do { scraped = .success(try await Self.scrapedDelay(port: endpoints.port)) } catch { scraped = .failure(error) }
        await endpoints.stop()
        #expect(try scraped.get() == 0.093)
    }

    /// A real Prometheus scrapes 127.0.0.1:port; the mean delay it stored.
    static func scrapedDelay(port: Int) async throws -> Double {
        let configuration = """
            global: {scrape_interval: 1s}
            scrape_configs:
              - {job_name: gma, scrape_interval: 1s, scrape_timeout: 900ms, static_configs: [{targets: ["127.0.0.1:\(port)"]}]}
            """
        return try await PrometheusFixture.with(openMetrics: "", configuration: configuration) { url in
            let client = PrometheusClient(PrometheusConnection(baseURL: url))
            // Prometheus applies new targets after a few seconds; poll, bounded.
            for _ in 0..<120 {
                let result = try? await client.query(#"gma_edge_user_delay_seconds{job="gma",statistic="mean"}"#, at: nil)
                if let sample = result?.samples.first { return sample.value }
                try await Task.sleep(nanoseconds: 250_000_000)
            }
            return Double.nan
        }
    }

    @Test func jsonLogLinesAreObjects() throws {
        let lines = LogLines()
        var logger = Logger(label: "gma.test") { JSONLogHandler(label: $0, level: .info, write: { lines.append($0) }) }
        logger[metadataKey: "cycle"] = "7"
        logger.info("decision", metadata: ["action": "offload"])
        logger.debug("hidden")
        #expect(lines.all.count == 1)
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(lines.all[0].utf8)) as? [String: Any])
        #expect(object["message"] as? String == "decision")
        #expect(object["level"] as? String == "info")
        #expect(object["action"] as? String == "offload")
        #expect(object["cycle"] as? String == "7")
    }
}

final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }
    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
