import Foundation
import Testing

@testable import GMATwin

/// A lead on the twin (docs/controller.md §8.1): on a slow climb the offload is planned ahead of the rise while the
/// telemetry still reads a delay in the band, once, and earlier than without the lead.
@Suite("Twin: acting ahead of a rise")
struct TwinLeadTests {
    static let climb = """
        name: climb
        seed: 5
        app: mubench
        load:
          - hold: {rate: 60, for: 10m}
          - ramp: {from: 60, to: 260, for: 40m}
        controller:
          offload: 110ms
          unoffload: 70ms
        """

    @Test func aSlowClimbIsOffloadedBeforeTheWindowShowsTheCrossing() async throws {
        let scenario = try Scenario.parse(Self.climb)
        let run = try await TwinSimulation(scenario: scenario).run()
        let offloads = run.actions.filter { $0.text.hasPrefix("offload") }
        #expect(offloads.count == 1, "one offload for the climb: \(offloads.map(\.text))")
        let first = try #require(offloads.first)
        #expect(first.text.contains("planned ahead of a rise"), "\(first.text)")
        // The alarm started on a check in band, and no check before it had seen the delay above the band.
        let start = try #require(run.events.first { $0.kind == .transition && $0.text.contains("in band, but the model puts") })
        #expect(start.time < first.time)
        let seen = run.events.filter { $0.kind == .observation && $0.time <= start.time }.compactMap(\.values.first)
        #expect(!seen.isEmpty && seen.allSatisfy { $0 <= scenario.band.offloadSeconds }, "measured up to the alarm: \(seen.suffix(3))")

        var without = scenario
        without.policy.leadRises = false
        let late = try await TwinSimulation(scenario: without).run().actions.first { $0.text.hasPrefix("offload") }
        #expect(try #require(late).time > first.time)
        #expect(late?.text.contains("planned ahead of a rise") == false)
    }
}
