import Foundation
import GMAOptimizer

extension JointDecider {
    /// Edge `lane`'s part of the joint answer: its action, its view of the placement (its users' figures,
    /// its own target) and its operations, replica counts from its HPAs and the cloud counts already planned.
    func edgeDecision(
        _ decision: inout ControllerDecision, lane: Lane, atEdge: [Bool], solution: MultiEdgeSolution,
        cloudPlanned: inout [String: Int], consolidating: Bool
    ) {
        let mine = PlacementSolution(
            model: lane.model, atEdge: atEdge, status: solution.status, solver: solution.solver, bound: nil, gap: nil,
            seconds: solution.seconds, nodes: solution.nodes, note: solution.note)
        decision.problem = lane.model.problem
        decision.placement = mine
        var hpa = lane.observation.hpa
        for (service, replicas) in cloudPlanned {
            hpa[service, default: ServiceHPAStatus()].cloud?.currentReplicas = replicas
        }
        let operations = deciders[lane.index].operations(added: mine.added, removed: mine.removed, hpa: hpa)
        for case .scale(let service, .cloud, let replicas) in operations { cloudPlanned[service] = replicas }
        decision.operations = operations
        let moved = operations.isEmpty ? "no change here" : "adds \(names(mine.added)), removes \(names(mine.removed))"
        switch lane.role {
        case .act(let kind):
            decision.action = operations.isEmpty ? .none : kind
            decision.reason = "\(lane.reason): \(moved)"
        case .hold, .frozen:
            decision.action = operations.isEmpty ? .none : .consolidate
            decision.reason = "\(consolidating ? "consolidation" : lane.reason): \(moved)"
        }
        decision.reason += String(
            format: "; predicted %@ (model %@ → %@)", ms(lane.mean + mine.evaluation.delaySeconds - lane.model.current.delaySeconds),
            ms(lane.model.current.delaySeconds), ms(mine.evaluation.delaySeconds))
    }

    private func names(_ services: [String]) -> String { services.isEmpty ? "none" : services.joined(separator: " ") }
}
