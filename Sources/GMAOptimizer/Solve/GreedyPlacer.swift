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
        var search = GreedySearch(model: model, options: options, deadline: deadline)
        let outcome = search.run()
        let placement: [Bool]
        switch outcome {
        case .feasible: placement = search.state.edgeSet
        case .infeasible:
            // Offload: the smallest delay found; unoffload: nothing changes.
            placement = model.problem.action == .offload ? search.state.edgeSet : model.current.atEdge
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var solution = PlacementSolution(
            model: model, atEdge: placement, status: outcome == .feasible ? .feasible : .infeasible,
            solver: "greedy", seconds: seconds, nodes: search.trials)
        if search.budgetExhausted {
            solution.budgetLimited = true
            solution.note =
                outcome == .feasible
                ? "the time budget ran out during the greedy search: its best placement so far"
                : "the time budget ran out before the greedy met the target: its best placement so far"
        }
        return solution
    }
}
