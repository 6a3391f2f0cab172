/// The K-edge greedy (docs/greedy.md §8): every edge's single-edge greedy on its own, then a descent on the joint
/// cost over single (service, edge) changes that keeps every edge's test.
struct MultiEdgeGreedy {
    let model: MultiEdgeModel
    let options: SolveOptions

    struct Result {
        var placements: [[Bool]]
        var evaluation: MultiEdgeEvaluation
        var trials: Int
        var budgetLimited: Bool
    }

    /// Solves by `deadline` (on `GLPKSolver.now()`'s clock): half of the time for the independent answers.
    func solve(deadline: Double) -> Result {
        let k = model.edgeCount
        var placements: [[Bool]] = []
        var trials = 0
        for e in 0..<k {
            let now = GLPKSolver.now()
            let share = now + max(deadline - now, 0) / Double(2 * (k - e))
            var edgeOptions = options
            edgeOptions.allowRemoval = model.allowRemoval[e]
            let answer = GreedyPlacer(model: model.edges[e], options: edgeOptions).solve(deadline: share)
            placements.append(answer.evaluation.atEdge)
            trials += answer.nodes
        }
        var descent = JointDescent(model: model, placements: placements)
        let finished = descent.run(deadline: deadline)
        return Result(
            placements: descent.placements, evaluation: descent.evaluation, trials: trials + descent.trials,
            budgetLimited: !finished)
    }
}

/// First-improvement descent over single (service, edge) changes, scored with the shared cloud
/// (docs/multi-edge.md §4): a change is kept when it lowers the total shortfall of the edges' tests, or keeps every
/// test and lowers the joint cost.
struct JointDescent {
    let model: MultiEdgeModel
    private(set) var placements: [[Bool]]
    private(set) var evaluation: MultiEdgeEvaluation
    private(set) var trials = 0
    private var shortfall: Double
    private let movable: [[Bool]]

    init(model: MultiEdgeModel, placements: [[Bool]]) {
        self.model = model
        self.placements = placements
        evaluation = model.evaluate(placements)
        shortfall = model.targetShortfall(evaluation)
        movable = model.edges.indices.map { e in
            let (mayAdd, mayRemove) = model.movable(edge: e)
            return zip(mayAdd, mayRemove).map { $0 || $1 }
        }
    }

    /// Sweeps until a sweep changes nothing; false if the deadline stopped it first.
    mutating func run(deadline: Double) -> Bool {
        var improved = true
        while improved {
            improved = false
            for e in placements.indices {
                for b in placements[e].indices where movable[e][b] {
                    if GLPKSolver.now() >= deadline { return false }
                    improved = tryFlip(edge: e, service: b) || improved
                }
            }
        }
        return true
    }

    private mutating func tryFlip(edge e: Int, service b: Int) -> Bool {
        var candidate = placements[e]
        candidate[b].toggle()
        trials += 1
        var perEdge = evaluation.perEdge
        perEdge[e] = model.edges[e].evaluate(candidate)
        // An added copy no request of this edge reaches does nothing: not a move.
        if candidate[b], perEdge[e].edgeCalls[b] == 0 { return false }
        let joint = model.combine(perEdge)
        let missing = model.targetShortfall(joint)
        let better =
            shortfall > 0
            ? missing < shortfall - 1e-12 || (missing <= shortfall && joint.cost.total < evaluation.cost.total - 1e-12)
            : missing == 0 && joint.cost.total < evaluation.cost.total - 1e-12 * max(1, abs(evaluation.cost.total))
        guard better else { return false }
        placements[e] = candidate
        evaluation = joint
        shortfall = missing
        return true
    }
}
