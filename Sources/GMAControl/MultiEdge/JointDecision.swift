import Foundation
import GMAOptimizer

/// What one edge asks of a joint decision (docs/multi-edge.md §6 and §9).
public enum EdgeRole: Sendable, Equatable {
    /// In alarm, confirmed: the state machine commands this action at this edge.
    case act(PlacementActionKind)
    /// Not in alarm: its placement may change either way while its delay stays within `headroomSeconds` of
    /// the measured one (the distance to the offload threshold, or to the consolidation ceiling).
    case hold(headroomSeconds: Double)
    /// May not change this decision (its services are locked in the joint problem).
    case frozen
}

/// One joint decision: every edge's own decision and the joint problem and answer behind them.
public struct JointDecision: Sendable {
    public var time: Date
    public var edgeNames: [String]
    /// Per edge, in lane order: its action, reason, single-edge view of the problem and placement, operations.
    public var decisions: [ControllerDecision]
    public var problem: MultiEdgeProblem?
    public var solution: MultiEdgeSolution?
    /// Why the decision was taken and what it does jointly (cost before and after).
    public var reason: String

    public init(time: Date, edgeNames: [String], decisions: [ControllerDecision], reason: String) {
        self.time = time
        self.edgeNames = edgeNames
        self.decisions = decisions
        self.reason = reason
    }

    /// Whether any edge's placement changes.
    public var changesAnything: Bool { decisions.contains { !$0.operations.isEmpty } }
}

/// The guard of the joint decision (docs/multi-edge.md §9): an edge that is not in alarm keeps its current
/// placement unless the answer's predicted delay for its users stays at or below its limit. The solver's
/// targets already say so; the guard holds even when an answer misses them (a budget cut, an infeasible
/// round, a plug-in), so that one edge's alarm never pushes another out of its band.
public enum JointGuard {
    /// The placements to apply: `proposed[e]` where edge e acts or its prediction is within its limit,
    /// `current[e]` otherwise. `predicted[e]` is the measured delay plus the model's change; `limits[e]` nil
    /// for an edge in alarm (whatever its answer, it is the one that acts).
    public static func kept(proposed: [[Bool]], current: [[Bool]], predicted: [Double], limits: [Double?]) -> (
        placements: [[Bool]], dropped: [Int]
    ) {
        var placements = proposed
        var dropped: [Int] = []
        for e in proposed.indices where proposed[e] != current[e] {
            guard let limit = limits[e] else { continue }
            // A relative margin absorbs the rounding of "measured + model change" against the limit it was solved to.
            if !(predicted[e] <= limit + 1e-9 * max(1, abs(limit))) {
                placements[e] = current[e]
                dropped.append(e)
            }
        }
        return (placements, dropped)
    }
}
