import Foundation

/// Placeholder greedy (replaced by the full heuristic): adds, one at a time, the allowed service with the
/// best delay reduction per unit of cost until the target is met.
public struct GreedyPlacer: Sendable {
    public let model: PlacementModel
    public let options: SolveOptions

    public init(model: PlacementModel, options: SolveOptions) {
        self.model = model
        self.options = options
    }

    public func solve() -> PlacementSolution {
        let start = DispatchTime.now().uptimeNanoseconds
        var set = model.current.atEdge
        let (mayAdd, _) = model.movable(allowRemoval: options.allowRemoval)
        var current = model.evaluate(set)
        var evaluations = 0
        while !model.meetsTarget(delaySeconds: current.delaySeconds) {
            var best: (index: Int, score: Double, evaluation: PlacementEvaluation)?
            for i in set.indices where mayAdd[i] && !set[i] {
                set[i] = true
                let e = model.evaluate(set)
                set[i] = false
                evaluations += 1
                let gain = current.delaySeconds - e.delaySeconds
                guard gain > 0 else { continue }
                let score = max(e.cost.total - current.cost.total, 1e-12) / gain
                if best == nil || score < best!.score { best = (i, score, e) }
            }
            guard let chosen = best else { break }
            set[chosen.index] = true
            current = chosen.evaluation
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let feasible = model.meetsTarget(delaySeconds: current.delaySeconds)
        return PlacementSolution(
            model: model, atEdge: feasible ? set : model.current.atEdge, status: feasible ? .feasible : .infeasible,
            solver: "greedy", seconds: seconds, nodes: evaluations)
    }
}
