import Foundation
import GMACharts
import GMATestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import GMATwin

/// The bundled scenarios under the real controller: what they are meant to show.
@Suite("Twin: bundled scenarios")
struct TwinScenarioRunTests {
    static func path(_ name: String) -> String {
        RepositoryFiles.examples.appendingPathComponent("twin/\(name).yaml").path
    }

    /// The crowd is the hold at the highest rate; it has left once the rate is back at the first one.
    @Test func flashCrowdOffloadsDuringTheCrowdAndUnoffloadsAfterIt() async throws {
        let scenario = try Scenario.load(path: Self.path("flash-crowd"))
        let run = try await TwinSimulation(scenario: scenario).run()
        let base = scenario.load.rate(at: 0)
        let peak = run.samples.map(\.userRequestsPerSecond).max() ?? 0
        let crowd = run.samples.filter { $0.userRequestsPerSecond > base }
        let crowdStart = try #require(crowd.first?.time)
        let crowdEnd = try #require(crowd.last?.time)
        let peakHold = run.samples.filter { $0.userRequestsPerSecond == peak }.map(\.time)

        let offloads = run.actions.filter { $0.text.hasPrefix("offload") }
        let unoffloads = run.actions.filter { $0.text.hasPrefix("unoffload") }
        #expect(offloads.count >= 1 && unoffloads.count >= 1, "\(run.summary.text)")
        #expect(offloads.allSatisfy { $0.time > crowdStart && $0.time < (peakHold.last ?? 0) },
                "offloads during the crowd: \(offloads.map(\.time))")
        #expect(unoffloads.allSatisfy { $0.time > crowdEnd }, "unoffloads after the crowd: \(unoffloads.map(\.time))")

        // During the crowd's hold, once the placement serves, the delay is never above the band again and gma
        // does not act again (the twin's truth may sit just under the band: its RTT and service times are not
        // the model's, docs/twin.md §2).
        let firstOffload = try #require(offloads.first?.time)
        let settled = run.samples.filter {
            $0.time >= firstOffload + scenario.twin.rolloutSeconds + 60 && peakHold.contains($0.time)
        }
        #expect(!settled.isEmpty)
        let above = settled.filter { $0.delaySeconds > scenario.band.offloadSeconds }
        #expect(above.isEmpty, "above the band during the crowd: \(above.map { ($0.time, $0.delaySeconds) })")
        #expect(offloads.count == 1, "one offload for the crowd: \(offloads.map(\.text))")
        // It is confirmed on the rise, before the telemetry window has caught up with the crowd's rate, and
        // planned for the rise carried on (docs/controller.md §8.1).
        let rampSeconds = 60.0
        #expect(firstOffload < crowdStart + rampSeconds + scenario.twin.telemetryWindowSeconds, "offload at \(firstOffload)")
        #expect(offloads[0].text.contains("carried along the rise"), "\(offloads[0].text)")
        // At the end the edge is empty again and the delay is inside the band.
        let last = try #require(run.samples.last)
        #expect(last.servingAtEdge.isEmpty, "\(last.servingAtEdge)")
        #expect(last.delaySeconds >= scenario.band.unoffloadSeconds && last.delaySeconds <= scenario.band.offloadSeconds)
    }

    /// Several seeds: the actions do not hang on one draw of the noise.
    @Test(arguments: [1, 2, 3] as [UInt64]) func flashCrowdActionsHoldForOtherSeeds(_ seed: UInt64) async throws {
        var scenario = try Scenario.load(path: Self.path("flash-crowd"))
        scenario.twin.seed = seed
        let summary = try await TwinSimulation(scenario: scenario).run().summary
        #expect(summary.offloads == 1 && summary.unoffloads == 1, "seed \(seed): \(summary.text)")
    }

    @Test func timelinePlotIsWellFormedAndNamesItsParts() async throws {
        let scenario = try Scenario.load(path: Self.path("flash-crowd"))
        let run = try await TwinSimulation(scenario: scenario).run()
        let svg = TimelinePlot(run: run).svg
        let data = try #require(svg.data(using: .utf8))
        let parser = XMLParser(data: data)
        #expect(parser.parse(), "the SVG parses as XML: \(String(describing: parser.parserError))")
        for part in ["user delay (ms)", "request rate (req/s)", "cost ($/h)", "simulated time (min)", "offload at 120 ms",
                     "unoffload at 80 ms", "off scale: mean up to 10 000 ms", "oracle"] {
            #expect(svg.contains(part), "\(part)")
        }
    }

    @Test(arguments: [
        (156.0, 50.0, 200.0), (240, 50, 250), (520, 200, 600), (10, 2, 10), (15.1, 5, 20), (0.62, 0.2, 0.8),
        (3.25, 1, 4),
    ] as [(Double, Double, Double)])
    func axisScaleHasRoundTicks(_ value: Double, _ step: Double, _ top: Double) {
        let scale = AxisScale(max: value)
        #expect(abs(scale.step - step) < 1e-12 && abs(scale.max - top) < 1e-12, "\(value): step \(scale.step), top \(scale.max)")
        #expect(scale.ticks.first == 0 && scale.ticks.count >= 3)
    }

    @Test func axisLabelsUseTheDecimalsOfTheStep() {
        #expect(AxisScale(max: 12.5, divisions: 5).label(7.5) == "7.5")
        #expect(AxisScale(max: 1.2).label(0.25) == "0.25")
        #expect(AxisScale(max: 600).label(200) == "200")
    }

    /// The oracle's columns: one value per tick, the sample's; the summary's mean is theirs.
    @Test func timelineCSVCarriesTheOracle() async throws {
        let scenario = try Scenario.parse("app: mubench\nload:\n  - hold: {rate: 240, for: 10m}\n", file: "oracle.yaml")
        let run = try await TwinSimulation(scenario: scenario).run()
        let lines = run.csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = try #require(lines.first)
        let cost = try #require(header.firstIndex(of: "oracle_cost_per_hour"))
        let count = try #require(header.firstIndex(of: "oracle_edge_count"))
        #expect(lines.count == run.samples.count + 1)
        for (row, sample) in zip(lines.dropFirst(), run.samples) {
            #expect(row[cost] == String(format: "%.4f", sample.oracleCostPerHour) && row[count] == "\(sample.oracleEdgeCount)")
        }
        // 240 req/s fills the cloud-only link: the oracle has services at the edge.
        #expect(run.samples.allSatisfy { $0.oracleEdgeCount > 0 })
        let mean = run.samples.map(\.oracleCostPerHour).reduce(0, +) / Double(run.samples.count)
        #expect(abs(run.summary.meanOracleCostPerHour - mean) < 1e-12)
        #expect(run.summary.text.contains("oracle"))
    }
}
