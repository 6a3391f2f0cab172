import Foundation

/// The deterministic greedy placement (`--solver greedy`, and the ILP's incumbent and fallback).
///
/// Offload adds the connected groups at the edge frontier with the least cost increase per unit of delay
/// reduction until the target holds, then lowers the cost by removals, cost-saving additions and swaps that keep
/// the target. Unoffload mirrors it: it removes the groups with the best cost saving per unit of delay increase.
/// Candidates are scored incrementally (`IncrementalEvaluator`); the returned figures are the model's own.
/// It never claims optimality: the status is `.feasible` or `.infeasible`.
public struct GreedyPlacer: Sendable {
    public let model: PlacementModel
    public let options: SolveOptions

    public init(model: PlacementModel, options: SolveOptions) {
        self.model = model
        self.options = options
    }

    /// Solves within `options.timeLimitSeconds` from now (or from `options.budgetStart`).
    public func solve() -> PlacementSolution {
        solve(deadline: PlacementSolver.deadline(of: options))
    }

    /// Solves by `deadline` (on `GLPKSolver.now()`'s clock; `.infinity` for a search that always runs to its end).
    /// When the deadline cuts the search short, the answer is its best placement so far, `budgetLimited`.
    func solve(deadline: Double) -> PlacementSolution {
        let start = DispatchTime.now().uptimeNanoseconds
        func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        if GLPKSolver.now() >= deadline {
            // No time to set up a search: the current placement is the incumbent, and the model has its figures.
            let current = model.current
            let feasible = model.meetsTarget(delaySeconds: current.delaySeconds)
            return Self.budgetLimited(
                PlacementSolution(
                    model: model, evaluation: current, status: feasible ? .feasible : .infeasible, solver: "greedy",
                    seconds: seconds(), nodes: 0))
        }
        var search = GreedySearch(model: model, options: options, deadline: deadline)
        let outcome = search.run()
        // Offload: the smallest delay found; unoffload: nothing changes. Both are evaluated already.
        let unchanged = outcome == .infeasible && model.problem.action == .unoffload
        let solution = PlacementSolution(
            model: model, evaluation: unchanged ? model.current : search.state.evaluation,
            status: outcome == .feasible ? .feasible : .infeasible, solver: "greedy", seconds: seconds(),
            nodes: search.trials)
        return search.budgetExhausted ? Self.budgetLimited(solution) : solution
    }

    /// A solution the deadline cut short, flagged and explained.
    private static func budgetLimited(_ solution: PlacementSolution) -> PlacementSolution {
        var flagged = solution
        flagged.budgetLimited = true
        flagged.note =
            solution.status == .feasible
            ? "the time budget ran out during the greedy search: its best placement so far"
            : "the time budget ran out before the greedy met the target: its best placement so far"
        return flagged
    }
}
