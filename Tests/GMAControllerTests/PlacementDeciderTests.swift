import Foundation
import GMAController
import GMAOptimizer
import Testing

/// How the decider turns the measured delay into the problem's target.
@Suite struct PlacementDeciderTests {
    static func observation(_ world: ControllerTestWorld, network: NetworkConditions) async throws -> PlacementDecider.Observation {
        PlacementDecider.Observation(
            time: world.clock.now(), snapshot: try await world.snapshot(at: nil), edgeServices: world.edge,
            hpa: try await world.hpaStatus(), network: network)
    }

    @Test func relativeTargetWhenTheModelExplainsPartOfTheDelay() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        let decider = PlacementDecider(settings: ControllerTestWorld.settings())
        let decision = decider.decide(try await Self.observation(world, network: ControllerTestWorld.network.conditions))
        let problem = try #require(decision.problem)
        // Midpoint of [80, 120] ms is 100 ms: reduce by 50 ms relative to the model's current delay.
        #expect(abs((problem.target.delayReductionSeconds ?? 0) - 0.050) < 1e-12)
        #expect(decision.placement?.feasible == true)
    }

    @Test func absoluteTargetWhenTheModelPredictsMoreThanMeasured() async throws {
        // 50 req/s × 5 kB × 8 = 2 Mbit/s over a 2.1 Mbit/s link: ρ ≈ 0.95, the model's transfer term explodes
        // while clients measure only 150 ms.
        let world = ControllerTestWorld { _ in 0.150 }
        let saturated = NetworkConditions(rttSeconds: 0.05, cloudToEdgeBitsPerSecond: 2.1e6, edgeToCloudBitsPerSecond: 2.1e6)
        let decider = PlacementDecider(settings: ControllerTestWorld.settings())
        let decision = decider.decide(try await Self.observation(world, network: saturated))
        let problem = try #require(decision.problem)
        let placement = try #require(decision.placement)
        #expect(decision.reason.contains("absolute target"))
        #expect(placement.feasible)
        #expect(placement.evaluation.delaySeconds <= 0.100 + 1e-12, "the model's own delay reaches the 100 ms target")
        #expect(try PlacementModel(problem).current.delaySeconds > 0.150)
    }
}
