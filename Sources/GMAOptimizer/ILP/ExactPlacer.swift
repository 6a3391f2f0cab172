/// The exact placement: the cheapest allowed edge set that meets the delay target, proven by GLPK.
///
/// Outer approximation: solve the program with tangents of the delay curve, evaluate the answer with the
/// model, and if the model says it misses the target, add the tangent at its true load and solve again.
/// Tangents under-estimate the convex curve, so every round is a relaxation, and an answer the model
/// confirms is optimal for the model. Every round is bounded by the caller's deadline.
struct ExactPlacer {
    let model: PlacementModel
    let options: SolveOptions
    /// Absolute deadline on `GLPKSolver.now()`'s clock.
    let deadline: Double
    let maximumRounds = 12
    /// GLPK's MIP presolver. Off by default: measured slower here, and it rules out the greedy incumbent.
    var presolve = false
    /// GLPK search settings (defaults unless measured better; see BENCHMARKS.md).
    var branching: Int32 = 0
    var backtracking: Int32 = 0
    var cuts: Int32 = 0
    /// The formulation's own strengthening (see `PlacementFormulation.strengthened`); off only in tests.
    var strengthened = true

    enum Outcome {
        /// The model confirms the placement meets the target.
        case solved(placement: [Bool], proven: Bool, bound: Double?, nodes: Int)
        /// GLPK proved no allowed placement meets the target.
        case infeasible(nodes: Int)
        /// No answer: GLPK error, or the budget ran out without a confirmed placement.
        case failed(reason: String, nodes: Int)
    }

    func solve(incumbent: [Bool]?) -> Outcome {
        // With no traffic the delay is the placement-invariant internal delay and the network costs nothing.
        if model.lambda == 0, !model.meetsTarget(delaySeconds: model.cloudOnly.delaySeconds) {
            return .infeasible(nodes: 0)
        }
        var formulation = PlacementFormulation(
            model: model, allowRemoval: options.allowRemoval, strengthened: strengthened)
        if model.lambda > 0, formulation.networkDelayBudget < 0 { return .infeasible(nodes: 0) }
        // The optimum's load is usually near the incumbent's, where the evenly spaced tangents are loosest: a tangent
        // there saves the refinement rounds that would otherwise add it (docs/milp.md §9).
        if let incumbent, model.lambda > 0 {
            formulation.addTangent(at: formulation.load(of: model.evaluate(cleaned(incumbent))))
        }
        return iterate(&formulation, incumbent: incumbent)
    }

    private func iterate(_ formulation: inout PlacementFormulation, incumbent: [Bool]?) -> Outcome {
        var nodes = 0
        for _ in 0..<maximumRounds {
            let start = presolve ? nil : incumbent.flatMap { formulation.point(for: cleaned($0)) }
            let outcome = GLPKSolver.solve(
                formulation.milp,
                settings: MILPSettings(
                    deadline: deadline, relativeGap: options.relativeGap, presolve: presolve, incumbent: start,
                    branching: branching, backtracking: backtracking, cuts: cuts))
            nodes += outcome.nodes
            switch outcome.status {
            case .error:
                return .failed(reason: "GLPK error: \(outcome.message)", nodes: nodes)
            case .infeasible:
                return .infeasible(nodes: nodes)
            case .unknown:
                return .failed(reason: "the time budget ran out before GLPK found a placement", nodes: nodes)
            case .optimal, .feasible:
                let placement = cleaned(formulation.placement(from: outcome.solution))
                let evaluation = model.evaluate(placement)
                if model.meetsTarget(delaySeconds: evaluation.delaySeconds) {
                    return .solved(
                        placement: placement, proven: outcome.status == .optimal && options.relativeGap == 0,
                        bound: outcome.bound, nodes: nodes)
                }
                if outcome.deadlineHit || GLPKSolver.now() >= deadline {
                    return .failed(reason: "the time budget ran out while refining the delay model", nodes: nodes)
                }
                let before = formulation.tangentPoints.count
                formulation.addTangent(at: formulation.load(of: evaluation))
                if formulation.tangentPoints.count == before {
                    return .failed(
                        reason: "the delay model and the program disagree at a tangent point (numerical limit)", nodes: nodes)
                }
            }
        }
        return .failed(reason: "no confirmed placement after \(maximumRounds) rounds", nodes: nodes)
    }

    /// Drops added edge services that no request reaches: they cost and change nothing.
    func cleaned(_ placement: [Bool]) -> [Bool] {
        let e = model.evaluate(placement)
        let current = model.current.atEdge
        return placement.indices.map { placement[$0] && (current[$0] || e.edgeCalls[$0] > 0) }
    }
}
