import Foundation
import GMAOptimizer

extension JointDecider {
    /// The joint decision for `roles` (nil: the edge could not be read and stays out of the problem; its
    /// placement does not change). `consolidating`: a cost-only move, applied only when it saves the policy's
    /// share and every edge keeps its prediction under its limit.
    public func decide(
        _ observations: [PlacementDecider.Observation?], roles: [EdgeRole?], consolidating: Bool = false, at time: Date
    ) async -> JointDecision {
        var decision = JointDecision(
            time: time, edgeNames: edgeNames,
            decisions: edgeNames.indices.map { e in
                ControllerDecision(time: observations[e]?.time ?? time, action: .none, reason: "not read this cycle")
            }, reason: "")
        var lanes: [Lane] = []
        var left: [String] = []
        for e in edgeNames.indices {
            guard let o = observations[e], let role = roles[e] else {
                left.append(edgeNames[e])
                continue
            }
            decision.decisions[e] = ControllerDecision(
                time: o.time, action: .none, reason: "", meanDelaySeconds: o.snapshot.userDelaySeconds,
                quantileDelaySeconds: o.snapshot.userDelayQuantileSeconds, userRequestsPerSecond: o.snapshot.userRequestsPerSecond)
            decision.decisions[e].readFailures = TelemetryReadFailures.lines(o.snapshot)
            switch lane(e, o, role: role) {
            case .success(let lane): lanes.append(lane)
            case .failure(let failure):
                decision.decisions[e].reason = failure.message
                left.append(edgeNames[e])
            }
        }
        let acting = lanes.filter { if case .act = $0.role { true } else { false } }.map { edgeNames[$0.index] }
        if consolidating {
            decision.reason = "joint consolidation"
        } else {
            decision.reason = acting.isEmpty ? "no edge in alarm" : "joint decision for \(acting.joined(separator: ", "))"
        }
        if !left.isEmpty { decision.reason += "; left out (placement unchanged): \(left.joined(separator: ", "))" }
        guard !lanes.isEmpty, consolidating || !acting.isEmpty else {
            decision.reason += "; no edge to decide for"
            return decision
        }
        let problem = jointProblem(lanes)
        guard var solved = await solve(problem, lanes: lanes, consolidating: consolidating, reason: &decision.reason)
        else { return decision }
        if !consolidating { solved = await heldAsTheyAre(unless: solved, lanes: lanes, reason: &decision.reason) }
        decision.problem = solved.problem
        decision.solution = solved.solution
        finish(&decision, lanes: lanes, solved: solved, consolidating: consolidating)
        return decision
    }

    /// A joint answer with the problem it answers and the joint cost of every edge's current placement.
    struct Solved {
        var problem: MultiEdgeProblem
        var solution: MultiEdgeSolution
        var costNow: Double
    }

    /// One solve, and for an offload edge whose target no placement meets (or whose answer leaves its link
    /// saturated) a second one planned on the model's own delay, as a single edge's (docs/controller.md §4).
    func solve(_ problem: MultiEdgeProblem, lanes: [Lane], consolidating: Bool, reason: inout String) async -> Solved? {
        var options = deciders[0].settings.solveOptions
        options.allowRemoval = options.allowRemoval || consolidating
        let model: MultiEdgeModel
        do {
            model = try MultiEdgeModel(problem, allowRemoval: options.allowRemoval)
        } catch {
            reason += "; no placement computed: the joint problem is invalid: \(error.description)"
            return nil
        }
        let first = Solved(problem: problem, solution: await solver.solve(model, options: options), costNow: model.current.cost.total)
        var second = problem
        var replanned: [String] = []
        for (k, lane) in lanes.enumerated() where lane.role == .act(.offload) {
            let answer = first.solution
            guard !answer.edgeFeasible[k] || answer.evaluation.perEdge[k].rho >= 1, let goal = lane.goal else { continue }
            let reduction = model.edges[k].current.delaySeconds - goal
            guard reduction > 0 else { continue }
            second.areas[k].target = Target(delayReductionSeconds: reduction)
            replanned.append(edgeNames[lane.index])
        }
        guard !replanned.isEmpty, let model2 = try? MultiEdgeModel(second, allowRemoval: options.allowRemoval) else {
            return first
        }
        let again = await solver.solve(model2, options: options)
        guard again.feasible else { return first }
        reason += "; planned on the model's own delay for \(replanned.joined(separator: ", "))"
        return Solved(problem: second, solution: again, costNow: first.costNow)
    }

    /// The answer with every held edge left as it is, unless moving them saves at least the consolidation's
    /// minimum share of the joint cost: a held edge is not in alarm, so changing it is a consolidation, and
    /// small savings are not worth an action (the twin's follow-the-sun run swapped a held edge's services back
    /// and forth on every other edge's decision, for fractions of a percent; docs/multi-edge.md §9).
    func heldAsTheyAre(unless solved: Solved, lanes: [Lane], reason: inout String) async -> Solved {
        let held = lanes.indices.filter {
            if case .hold = lanes[$0].role { solved.solution.placements[$0] != lanes[$0].model.current.atEdge } else { false }
        }
        guard !held.isEmpty else { return solved }
        var frozen = solved.problem
        for k in held {
            frozen.areas[k].target = Target(maxDelayIncreaseSeconds: 0)
            for i in frozen.areas[k].services.indices { frozen.areas[k].services[i].locked = true }
        }
        let options = deciders[0].settings.solveOptions
        guard let model = try? MultiEdgeModel(frozen, allowRemoval: options.allowRemoval) else { return solved }
        let alone = await solver.solve(model, options: options)
        let minimum = deciders[0].settings.policy.consolidation.minimumSaving
        let moved = solved.solution.evaluation.cost.total
        let kept = alone.evaluation.cost.total
        guard alone.feasible || !solved.solution.feasible, moved > (1 - minimum) * kept else { return solved }
        let names = held.map { edgeNames[lanes[$0].index] }.joined(separator: ", ")
        reason += String(
            format: "; %@ kept as they are (moving them saves %.1f %%, less than %.0f %%)", names,
            100 * (1 - moved / max(kept, 1e-12)), 100 * minimum)
        return Solved(problem: frozen, solution: alone, costNow: solved.costNow)
    }

    /// Applies the guard and turns the joint answer into each edge's decision and operations.
    func finish(_ decision: inout JointDecision, lanes: [Lane], solved: Solved, consolidating: Bool) {
        let solution = solved.solution
        let current = lanes.map(\.model.current.atEdge)
        let predicted = lanes.indices.map {
            lanes[$0].mean + solution.evaluation.perEdge[$0].delaySeconds - lanes[$0].model.current.delaySeconds
        }
        let limits: [Double?] = lanes.map { lane in
            switch lane.role {
            case .act: nil
            case .hold(let headroom): lane.mean + headroom
            case .frozen: lane.mean
            }
        }
        let (placements, dropped) = JointGuard.kept(
            proposed: solution.placements, current: current, predicted: predicted, limits: limits)
        let droppedNames = dropped.map { edgeNames[lanes[$0].index] }
        if consolidating && !dropped.isEmpty {
            decision.reason += "; not applied: the answer would push \(droppedNames.joined(separator: ", ")) over its limit"
            return
        }
        for k in dropped {
            decision.reason += "; \(edgeNames[lanes[k].index]) kept its placement (predicted \(ms(predicted[k])) over its limit \(ms(limits[k])))"
        }
        let cost = solution.evaluation.cost.total
        if consolidating {
            let policy = deciders[0].settings.policy.consolidation
            guard cost <= (1 - policy.minimumSaving) * solved.costNow else {
                decision.reason += String(
                    format: "; saves %.1f %%, less than %.0f %%", 100 * (1 - cost / max(solved.costNow, 1e-12)),
                    100 * policy.minimumSaving)
                return
            }
        }
        decision.reason += String(
            format: "; %@ answer (%@): joint cost %.3f → %.3f $/h", solution.solver, solution.status.rawValue, solved.costNow, cost)
        // The cloud is shared: a second edge giving a service back scales from the count the first one set.
        var cloudPlanned: [String: Int] = [:]
        for (k, lane) in lanes.enumerated() {
            edgeDecision(
                &decision.decisions[lane.index], lane: lane, atEdge: placements[k], solution: solution,
                cloudPlanned: &cloudPlanned, consolidating: consolidating)
        }
    }
}
