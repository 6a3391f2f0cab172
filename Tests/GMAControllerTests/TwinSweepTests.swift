import Foundation
import GMATestSupport
import Testing

@testable import GMATwin

@Suite("Twin: the λ sweep under the real controller")
struct TwinSweepTests {
    static let scenarioPath = RepositoryFiles.examples.appendingPathComponent("twin/lambda-sweep.yaml").path

    @Test func sweepIsReproducibleAndActsAtMostOncePerStep() async throws {
        let scenario = try Scenario.load(path: Self.scenarioPath)
        let first = try await TwinSimulation(scenario: scenario).run()
        let second = try await TwinSimulation(scenario: scenario).run()
        #expect(first.samples == second.samples, "same seed, same run")
        #expect(first.events == second.events)

        let steps = [0] + scenario.load.stepTimes + [scenario.durationSeconds]
        for (a, b) in zip(steps, steps.dropFirst()) {
            let actions = first.actions.filter { $0.time >= a && $0.time < b }
            #expect(actions.count <= 1, "\(actions.count) actions in the load step [\(a), \(b))")
        }
        let summary = first.summary
        // The whole cycle (docs/twin.md §5): offload as the load rises, and the way back (an unoffload or a
        // consolidation) after the peak.
        #expect(summary.offloads >= 1, "the sweep needs an offload on the way up: \(summary.text)")
        let top = first.samples.max { $0.userRequestsPerSecond < $1.userRequestsPerSecond }?.time ?? 0
        let back = first.actions.filter { $0.time > top && ($0.text.hasPrefix("unoffload") || $0.text.hasPrefix("consolidate")) }
        #expect(!back.isEmpty, "the way back after the peak at \(top) s: \(summary.text)")
        #expect(first.samples.last?.servingAtEdge.isEmpty == true, "cloud-only again at 40 req/s")
    }

    /// After each load step the true delay (the twin's tick, without measurement noise) is back inside
    /// [unoffload, offload] within W + rollout + one sync period of the step, and stays inside until the next
    /// step: the sync period to notice, W of alarm, the rollout (or the shorter removal) to take effect.
    @Test func delayReturnsToTheBandAfterEveryStep() async throws {
        let scenario = try Scenario.load(path: Self.scenarioPath)
        let run = try await TwinSimulation(scenario: scenario).run()
        let band = scenario.band
        let timing = scenario.timing
        let grace = timing.stabilizationWindowSeconds + scenario.twin.rolloutSeconds + timing.syncPeriodSeconds
        let steps = scenario.load.stepTimes
        let ends = steps.dropFirst() + [scenario.durationSeconds]
        var late: [String] = []
        for (step, next) in zip(steps, ends) {
            let deadline = step + grace
            let outside = run.samples.filter {
                $0.time >= deadline && $0.time < next
                    && ($0.delaySeconds > band.offloadSeconds || $0.delaySeconds < band.unoffloadSeconds)
            }
            if let first = outside.first {
                late.append(String(
                    format: "step at %.0f s: %d ticks outside after %.0f s, first at %.0f s (%.1f ms)", step,
                    outside.count, deadline, first.time, first.delaySeconds * 1000))
            }
        }
        #expect(late.isEmpty, "\(late)")
    }

    @Test func rttIncreaseOffloadsAndUnoffloadsAfter() async throws {
        let path = RepositoryFiles.examples.appendingPathComponent("twin/rtt-increase.yaml").path
        let run = try await TwinSimulation(scenario: try Scenario.load(path: path)).run()
        let offloads = run.actions.filter { $0.text.hasPrefix("offload") }
        let unoffloads = run.actions.filter { $0.text.hasPrefix("unoffload") }
        #expect(!offloads.isEmpty && !unoffloads.isEmpty, "\(run.summary.text)")
        if let lastOffload = offloads.last, let firstUnoffload = unoffloads.first {
            #expect(firstUnoffload.time > lastOffload.time, "unoffload comes after the RTT falls back")
        }
    }
}
