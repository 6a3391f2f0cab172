/// Entry point of a K-edge solve (docs/multi-edge.md §8): one edge without cloud-only usage goes to the
/// single-edge solvers unchanged; otherwise the multi-edge greedy, then the joint program within the budget.
public enum MultiEdgeSolver {
    public static func solve(_ problem: MultiEdgeProblem, using kind: SolverKind, options: SolveOptions) throws(ProblemError)
        -> MultiEdgeSolution
    {
        if problem.edgeCount == 1, !problem.hasCloudOnlyUsage {
            let single = try PlacementModel(problem.edgeProblem(0, includingIngress: true))
            return MultiEdgeSolution(
                single: PlacementSolver.solve(single, using: kind, options: options), edgeName: problem.areas[0].name)
        }
        return solve(try MultiEdgeModel(problem, allowRemoval: options.allowRemoval), using: kind, options: options)
    }

    /// Solves with the joint model (used for K ≥ 2, or cloud-only usage; tests also call it at K = 1).
    public static func solve(_ model: MultiEdgeModel, using kind: SolverKind, options: SolveOptions) -> MultiEdgeSolution {
        let deadline = PlacementSolver.deadline(of: options)
        let origin = deadline - max(options.timeLimitSeconds, 0)
        func elapsed() -> Double { GLPKSolver.now() - origin }
        let tryILP = kind == .ilp || (kind == .auto && model.serviceCount * model.edgeCount <= options.maxILPServices)
        let now = GLPKSolver.now()
        let greedy = MultiEdgeGreedy(model: model, options: options)
            .solve(deadline: tryILP ? now + max(deadline - now, 0) / 2 : deadline)
        let greedyFeasible = model.meetsTargets(greedy.evaluation)
        func greedyAnswer(_ status: SolveStatus, note: String?, nodes: Int) -> MultiEdgeSolution {
            var answer = MultiEdgeSolution(
                model: model, evaluation: greedy.evaluation, status: greedyFeasible ? status : .infeasible,
                solver: "greedy", seconds: elapsed(), nodes: greedy.trials + nodes, note: note)
            answer.budgetLimited = greedy.budgetLimited
            return answer
        }
        if kind == .greedy { return greedyAnswer(.feasible, note: nil, nodes: 0) }
        if !tryILP {
            let size = "\(model.serviceCount) services × \(model.edgeCount) edges"
            return greedyAnswer(.fallback, note: "\(size) exceed --max-ilp-services \(options.maxILPServices)", nodes: 0)
        }
        let exact = MultiEdgeExactPlacer(model: model, options: options, deadline: deadline)
        switch exact.solve(incumbent: greedyFeasible ? greedy.placements : nil) {
        case .solved(let placements, let proven, let bound, let nodes):
            var answer = MultiEdgeSolution(
                model: model, evaluation: model.evaluate(placements), status: proven ? .optimal : .feasible,
                solver: "ilp", seconds: elapsed(), nodes: nodes)
            let cost = answer.evaluation.cost.total
            if let bound {
                answer.bound = min(bound, cost)
                answer.gap = proven ? 0 : max(cost - bound, 0) / max(abs(cost), 1e-12)
            }
            return answer
        case .infeasible(let nodes):
            if greedyFeasible {
                return greedyAnswer(.fallback, note: "GLPK reported no feasible placement, but the greedy's meets every target", nodes: nodes)
            }
            return greedyAnswer(.infeasible, note: "no allowed placement meets every edge's delay target", nodes: nodes)
        case .failed(let reason, let nodes):
            return greedyAnswer(.fallback, note: reason, nodes: nodes)
        }
    }

    /// Writes the first-round joint program in CPLEX LP format. Returns a message on failure.
    public static func writeProgram(_ model: MultiEdgeModel, to path: String) -> String? {
        GLPKSolver.writeLP(MultiEdgeFormulation(model: model).milp, to: path)
    }
}
