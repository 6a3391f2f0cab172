/// Entry point of every placement solve: picks the solver, bounds it by the budget, falls back to the greedy.
public enum PlacementSolver {
    /// The absolute deadline of a solve with these options, on `GLPKSolver.now()`'s clock.
    static func deadline(of options: SolveOptions) -> Double {
        var origin = GLPKSolver.now()
        if let begun = options.budgetStart {
            let spent = begun.duration(to: .now).components
            origin -= max(Double(spent.seconds) + Double(spent.attoseconds) * 1e-18, 0)
        }
        return origin + max(options.timeLimitSeconds, 0)
    }

    public static func solve(_ model: PlacementModel, using kind: SolverKind, options: SolveOptions) -> PlacementSolution {
        let deadline = deadline(of: options)
        let origin = deadline - max(options.timeLimitSeconds, 0)
        let tryILP = kind == .ilp || (kind == .auto && model.serviceCount <= options.maxILPServices)
        // The greedy is the ILP's incumbent and fallback: when the ILP follows, it gets half of what is left.
        let now = GLPKSolver.now()
        let greedy = GreedyPlacer(model: model, options: options)
            .solve(deadline: tryILP ? now + max(deadline - now, 0) / 2 : deadline)
        if kind == .greedy { return greedy }
        func elapsed() -> Double { GLPKSolver.now() - origin }
        func fallback(_ reason: String, nodes: Int) -> PlacementSolution {
            var answer = greedy
            answer.status = greedy.feasible ? .fallback : .infeasible
            answer.note = [reason, greedy.note].compactMap { $0 }.joined(separator: "; ")
            answer.seconds = elapsed()
            answer.nodes = greedy.nodes + nodes
            return answer
        }
        if !tryILP {
            return fallback(
                "\(model.serviceCount) services exceed --max-ilp-services \(options.maxILPServices)", nodes: 0)
        }
        if GLPKSolver.now() >= deadline {
            return fallback("the time budget ran out before the ILP started", nodes: 0)
        }
        let exact = ExactPlacer(model: model, options: options, deadline: deadline)
        switch exact.solve(incumbent: greedy.feasible ? model.edgeSetOrCurrent(greedy.edgeServices) : nil) {
        case .solved(let placement, let proven, let bound, let nodes):
            var answer = PlacementSolution(
                model: model, atEdge: placement, status: proven ? .optimal : .feasible, solver: "ilp",
                bound: bound, seconds: elapsed(), nodes: nodes)
            let cost = answer.evaluation.cost.total
            if let bound {
                answer.bound = min(bound, cost)
                answer.gap = proven ? 0 : max(cost - bound, 0) / max(abs(cost), 1e-12)
            }
            return answer
        case .infeasible(let nodes):
            // The model confirmed the greedy's placement, so GLPK's proof is wrong: its numbers were out of range.
            if greedy.feasible {
                return fallback("GLPK reported no feasible placement, but the greedy's meets the target", nodes: nodes)
            }
            return infeasibleAnswer(model, greedy: greedy, seconds: elapsed(), nodes: nodes)
        case .failed(let reason, let nodes):
            return fallback(reason, nodes: nodes)
        }
    }

    /// No allowed placement meets the target: offload returns the smallest delay it knows, unoffload the current.
    static func infeasibleAnswer(
        _ model: PlacementModel, greedy: PlacementSolution, seconds: Double, nodes: Int
    ) -> PlacementSolution {
        var placement = model.current.atEdge
        if model.problem.action == .offload {
            let (mayAdd, _) = model.movable(allowRemoval: false)
            let everything = placement.indices.map { placement[$0] || mayAdd[$0] }
            let candidates = [placement, everything, model.edgeSetOrCurrent(greedy.edgeServices)]
            placement = candidates.min { model.evaluate($0).delaySeconds < model.evaluate($1).delaySeconds }!
        }
        return PlacementSolution(
            model: model, atEdge: placement, status: .infeasible, solver: "ilp", seconds: seconds, nodes: nodes,
            note: "no allowed placement meets the delay target")
    }
}

extension PlacementModel {
    /// The edge set of names known to come from this model (a solver's answer).
    func edgeSetOrCurrent(_ names: [String]) -> [Bool] {
        (try? edgeSet(named: names)) ?? current.atEdge
    }
}

extension PlacementSolver {
    /// Writes the first-round integer program in CPLEX LP format. Returns a message on failure.
    public static func writeProgram(_ model: PlacementModel, options: SolveOptions, to path: String) -> String? {
        let formulation = PlacementFormulation(model: model, allowRemoval: options.allowRemoval)
        return GLPKSolver.writeLP(formulation.milp, to: path)
    }
}
