import Foundation
import Testing

@testable import GMAOptimizer

/// Issue 14, "The solver": the greedy was not bounded by the time limit (10,000 services with 0.1 s took 0.4 s).
/// The deadline now bounds the whole search; when it passes, the greedy answers with its best placement so far and
/// says so. These tests give deadlines that have already passed, so they hold however fast the machine is; the
/// wall-clock figures are in BENCHMARKS.md ("Budget at scale").
@Suite("Greedy: bounded by the deadline")
struct GreedyBudgetTests {
    /// A placement is valid when it only moves services the action allows, and its figures are the model's.
    static func expectValid(_ solution: PlacementSolution, _ model: PlacementModel) throws {
        let set = try model.edgeSet(named: solution.edgeServices)
        let (mayAdd, mayRemove) = model.movable(allowRemoval: false)
        for i in set.indices where set[i] != model.current.atEdge[i] {
            #expect(set[i] ? mayAdd[i] : mayRemove[i], "\(model.serviceNames[i]) moved against the action")
        }
        let figures = model.evaluate(set)
        #expect(solution.evaluation.cost.total == figures.cost.total)
        #expect(solution.evaluation.delaySeconds == figures.delaySeconds)
        #expect(solution.feasible == model.meetsTarget(delaySeconds: figures.delaySeconds))
    }

    /// Offload with the deadline already gone: nothing was tried, so the incumbent is the current placement,
    /// which misses the target (the cloud-only delay is 0.1 s above it).
    @Test func expiredDeadlineOffloadReturnsTheCurrentPlacementFlagged() throws {
        let model = try Fixtures.model("offload-small-M06-t00")
        let solution = GreedyPlacer(model: model, options: SolveOptions()).solve(deadline: 0)
        try Self.expectValid(solution, model)
        #expect(solution.budgetLimited)
        #expect(solution.added.isEmpty && solution.removed.isEmpty)
        #expect(solution.status == .infeasible)
        #expect(solution.note == "the time budget ran out before the greedy met the target: its best placement so far")
        #expect(solution.json.rendered(pretty: false).contains("\"budgetLimited\":true"))
    }

    /// Unoffload starts inside its limit: the current placement is an incumbent that meets the target.
    @Test func expiredDeadlineUnoffloadReturnsAFeasibleIncumbent() throws {
        let model = try Fixtures.model("unoffload-delay-small-M06-t00")
        #expect(model.meetsTarget(delaySeconds: model.current.delaySeconds))
        let solution = GreedyPlacer(model: model, options: SolveOptions()).solve(deadline: 0)
        try Self.expectValid(solution, model)
        #expect(solution.budgetLimited)
        #expect(solution.status == .feasible && solution.feasible)
        #expect(solution.note == "the time budget ran out during the greedy search: its best placement so far")
    }

    /// Without a deadline the same search runs to its end and is not flagged; it finds a placement that meets
    /// the target, which the cut-short search above had no time to.
    @Test func unboundedSearchIsNotFlagged() throws {
        let model = try Fixtures.model("offload-small-M06-t00")
        let solution = GreedyPlacer(model: model, options: SolveOptions()).solve(deadline: .infinity)
        #expect(!solution.budgetLimited && solution.note == nil)
        #expect(solution.feasible)
    }

    /// The budget counts from `budgetStart` (the CLI passes the time right after parsing): a start further back
    /// than the limit leaves nothing, so `auto` neither searches nor starts the ILP, and says why.
    @Test func budgetSpentBeforeTheSolveSkipsTheILP() throws {
        let model = try Fixtures.model("offload-small-M06-t00")
        var options = SolveOptions(timeLimitSeconds: 1)
        options.budgetStart = .now - .seconds(60)
        let solution = PlacementSolver.solve(model, using: .auto, options: options)
        try Self.expectValid(solution, model)
        #expect(solution.solver == "greedy")
        #expect(solution.budgetLimited)
        #expect(solution.note?.hasPrefix("the time budget ran out before the ILP started; ") == true, "\(solution.note ?? "")")
        #expect(solution.seconds >= 60)
    }
}
