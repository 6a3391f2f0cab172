import Foundation
import Testing

@testable import GMAOptimizer

/// Group moves of the greedy's cost descent and unoffload, on the embedded twin's decisions: the app where a
/// whole edge subtree goes back to the cloud at once, and where the link saturates along the way.
@Suite struct GreedyGroupMoveTests {
    static let twinFixtures = ["twin-mubench-offload", "twin-mubench-unoffload"]

    static func twin(_ name: String) throws -> PlacementModel {
        try PlacementModel(try PlacementProblem.decode(from: Fixtures.data("twin/\(name).json"), source: name))
    }

    @Test(arguments: twinFixtures)
    func twinReachesTheILPOptimum(fixture: String) throws {
        let model = try Self.twin(fixture)
        let ilp = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 30))
        #expect(ilp.status == .optimal)
        let greedy = GreedyPlacer(model: model, options: SolveOptions()).solve()
        #expect(greedy.feasible)
        let (cost, optimum) = (greedy.evaluation.cost.total, ilp.evaluation.cost.total)
        #expect(close(cost, optimum, tolerance: 1e-9), "\(fixture): greedy \(cost) \(greedy.edgeServices), ILP \(optimum) \(ilp.edgeServices)")
        #expect(Set(greedy.edgeServices) == ["s0", "s1", "s2", "s3", "s4", "s9"])
    }

    /// With everything at the twin's edge, taking back `s3` alone saturates the 20 Mbit/s link: the trial must
    /// see the capped per-call delay of the flipped placement, not the committed one's.
    @Test func saturatingTrialSeesTheFlippedPlacement() throws {
        let model = try Self.twin("twin-mubench-offload")
        var state = IncrementalEvaluator(model: model, atEdge: [Bool](repeating: true, count: model.serviceCount))
        var flipped = state.edgeSet
        flipped[3] = false
        let exact = model.evaluate(flipped)
        #expect(exact.rho == 1)
        let trial = state.trial(flipping: [3][...])
        #expect(close(trial.delay, exact.delaySeconds), "trial \(trial.delay) vs model \(exact.delaySeconds)")
        #expect(close(trial.cost, exact.cost.total))
        #expect(!model.meetsTarget(delaySeconds: trial.delay))
    }

    @Test(arguments: twinFixtures)
    func trialsAgreeWithTheModelOnTheTwin(fixture: String) throws {
        for seed in 1...4 { try GreedyTests.checkTrials(try Self.twin(fixture), seed: UInt64(seed)) }
    }

    /// Removal groups: every invoked edge service whose edge subtree is small, however deep, and the edge callers
    /// of a shared edge service together.
    @Test func removalGroupsReachDeepSubtreesAndSharedCallees() throws {
        var problem = try PlacementProblem.decode(from: Fixtures.data("twin/twin-mubench-unoffload.json"), source: "twin")
        // s5 gets a second edge caller.
        problem.calls.append(Call(from: "s2", to: "s5", perRequest: 0.3))
        let model = try PlacementModel(problem)
        let state = IncrementalEvaluator(model: model, atEdge: model.current.atEdge)
        var builder = GroupBuilder(model: model, free: [Bool](repeating: true, count: model.serviceCount), depth: 2)
        var groups = CandidateGroups()
        builder.removals(from: state, into: &groups)
        let sets = (0..<groups.count).map { Array(groups[$0]) }
        // s1 has two levels of edge services below it (s5, then s6 and s7): too deep for a bottom removal.
        #expect(sets.contains([1]))
        #expect(sets.contains([1, 2]))
        // Each of s0's callees has s0 as its only edge caller: no caller group holds it.
        #expect(!sets.contains { $0.count > 1 && $0.contains(0) })
        #expect(sets.allSatisfy { $0.count <= GroupBuilder.maxSharedCallers })
    }

    /// The twin's plateau (`gma simulate` on a slow ramp): the Lagrangian start leaves s6 and s7 at the edge with no
    /// edge caller. The optimum swaps s8 for s5, and the descent only prices that swap right once s6 and s7 are
    /// gone: left at the edge they come back with s5 and the swap looks dearer (2.407 $/h kept before the fix).
    @Test func plateauSwapIsPricedWithoutRevivingUninvokedServices() throws {
        let model = try Self.twin("twin-mubench-plateau-offload")
        let optimum = try #require(RandomApps.bruteForce(model))
        let greedy = GreedyPlacer(model: model, options: SolveOptions()).solve()
        #expect(greedy.feasible)
        #expect(close(greedy.evaluation.cost.total, optimum, tolerance: 1e-9), "greedy \(greedy.evaluation.cost.total) \(greedy.edgeServices), optimum \(optimum)")
        #expect(Set(greedy.edgeServices) == ["s0", "s1", "s2", "s3", "s4", "s5", "s9"])
        // Hand-checked with `gma evaluate`: 2.3664 $/h at 83.91 ms under the 86.88 ms limit.
        #expect(abs(optimum - 2.3664) < 5e-5)
    }
}
