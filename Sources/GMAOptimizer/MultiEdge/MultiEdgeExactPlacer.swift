/// The exact K-edge placement (docs/milp.md §14): the outer-approximation loop of `ExactPlacer` on the joint
/// program, refining in each round every edge whose true delay misses its test.
struct MultiEdgeExactPlacer {
    let model: MultiEdgeModel
    let options: SolveOptions
    /// Absolute deadline on `GLPKSolver.now()`'s clock.
    let deadline: Double
    let maximumRounds = 12
    var strengthened = true

    enum Outcome {
        case solved(placements: [[Bool]], proven: Bool, bound: Double?, nodes: Int)
        case infeasible(nodes: Int)
        case failed(reason: String, nodes: Int)
    }

    func solve(incumbent: [[Bool]]?) -> Outcome {
        for edge in model.edges where edge.lambda == 0 && !edge.meetsTarget(delaySeconds: edge.cloudOnly.delaySeconds) {
            return .infeasible(nodes: 0)
        }
        var formulation = MultiEdgeFormulation(model: model, strengthened: strengthened)
        if formulation.hasNegativeBudget { return .infeasible(nodes: 0) }
        if let incumbent {
            let evaluation = model.evaluate(cleaned(incumbent))
            for e in model.edges.indices where model.edges[e].lambda > 0 {
                _ = formulation.addTangent(edge: e, at: formulation.blocks[e].load(of: evaluation.perEdge[e]))
            }
        }
        var nodes = 0
        for _ in 0..<maximumRounds {
            let start = incumbent.flatMap { formulation.point(for: cleaned($0)) }
            let outcome = GLPKSolver.solve(
                formulation.milp,
                settings: MILPSettings(deadline: deadline, relativeGap: options.relativeGap, incumbent: start))
            nodes += outcome.nodes
            switch outcome.status {
            case .error: return .failed(reason: "GLPK error: \(outcome.message)", nodes: nodes)
            case .infeasible: return .infeasible(nodes: nodes)
            case .unknown: return .failed(reason: "the time budget ran out before GLPK found a placement", nodes: nodes)
            case .optimal, .feasible:
                let placements = cleaned(formulation.placements(from: outcome.solution))
                let evaluation = model.evaluate(placements)
                if model.meetsTargets(evaluation) {
                    return .solved(
                        placements: placements, proven: outcome.status == .optimal && options.relativeGap == 0,
                        bound: outcome.bound, nodes: nodes)
                }
                if outcome.deadlineHit || GLPKSolver.now() >= deadline {
                    return .failed(reason: "the time budget ran out while refining the delay model", nodes: nodes)
                }
                var added = false
                for (e, edge) in model.edges.enumerated() where !edge.meetsTarget(delaySeconds: evaluation.delaysSeconds[e]) {
                    added = formulation.addTangent(edge: e, at: formulation.blocks[e].load(of: evaluation.perEdge[e])) || added
                }
                if !added {
                    return .failed(
                        reason: "the delay model and the program disagree at a tangent point (numerical limit)", nodes: nodes)
                }
            }
        }
        return .failed(reason: "no confirmed placement after \(maximumRounds) rounds", nodes: nodes)
    }

    /// Drops, per edge, added edge services that none of that edge's requests reach: they cost and change nothing.
    func cleaned(_ placements: [[Bool]]) -> [[Bool]] {
        placements.indices.map { e in
            let evaluation = model.edges[e].evaluate(placements[e])
            let current = model.edges[e].current.atEdge
            return placements[e].indices.map { placements[e][$0] && (current[$0] || evaluation.edgeCalls[$0] > 0) }
        }
    }
}
