import Foundation
import GMAOptimizer
import Testing

/// The delay-target test (`meetsTarget`, `delayLimitSeconds`) at and around its boundaries.
///
/// Unoffload follows the reference: `void − new ≥ max(void − (current + increase), 0)`, with `void` the
/// cloud-only delay. Below the cloud-only delay that is `new ≤ current + increase`; when even cloud-only meets
/// the limit the floor at zero turns it into `new ≤ void`, a stricter bound than the limit itself.
@Suite struct FeasibilityRuleTests {
    static func unoffload(limitAboveVoid margin: Double) throws -> PlacementModel {
        var problem = try Fixtures.problem("unoffload-delay-M021-t00")
        let model = try PlacementModel(problem)
        // current + increase = void + margin.
        let increase = model.cloudOnly.delaySeconds + margin - model.current.delaySeconds
        problem.target = Target(maxDelayIncreaseSeconds: increase)
        return try PlacementModel(problem)
    }

    @Test func unoffloadBelowTheCloudOnlyDelayIsBoundByTheLimit() throws {
        // limit = void − 20 ms: feasible up to the limit, not 1 ms beyond.
        let model = try Self.unoffload(limitAboveVoid: -0.020)
        let void = model.cloudOnly.delaySeconds
        #expect(abs(model.delayLimitSeconds - (void - 0.020)) < 1e-12)
        #expect(model.meetsTarget(delaySeconds: void - 0.021))
        #expect(!model.meetsTarget(delaySeconds: void - 0.019))
    }

    @Test func unoffloadWhoseLimitCloudOnlyMeetsIsBoundByTheCloudOnlyDelay() throws {
        // limit = void + 50 ms: max(void − limit, 0) = max(−50 ms, 0) = 0, so the test is void − new ≥ 0.
        // A delay 10 ms above void is under the limit but infeasible; void itself is feasible.
        let model = try Self.unoffload(limitAboveVoid: 0.050)
        let void = model.cloudOnly.delaySeconds
        #expect(model.delayLimitSeconds == void)
        #expect(model.meetsTarget(delaySeconds: void))
        #expect(!model.meetsTarget(delaySeconds: void + 0.010))
    }

    @Test func offloadMustReduceByTheTarget() throws {
        // offload-M021-t00 asks for 0.11 s less than the current (cloud-only) delay.
        let model = try Fixtures.model("offload-M021-t00")
        let current = model.current.delaySeconds
        #expect(abs(model.delayLimitSeconds - (current - 0.11)) < 1e-12)
        #expect(model.meetsTarget(delaySeconds: current - 0.111))
        #expect(!model.meetsTarget(delaySeconds: current - 0.109))
    }
}
