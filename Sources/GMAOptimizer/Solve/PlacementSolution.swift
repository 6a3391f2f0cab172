/// How a solve ended (`gma solve` JSON `status`).
public enum SolveStatus: String, Sendable, Codable {
    /// Proven cheapest placement that meets the target.
    case optimal
    /// Meets the target; the budget ran out before optimality was proven (gap reported).
    case feasible
    /// The exact solver failed or was skipped; the greedy answer is returned.
    case fallback
    /// No allowed placement meets the target: offload returns the smallest delay, unoffload the current placement.
    case infeasible
}

public enum SolverKind: String, Sendable, Codable, CaseIterable {
    /// ILP within the budget, greedy fallback.
    case auto
    case ilp
    case greedy
}

/// What the caller allows and how long it may take.
public struct SolveOptions: Sendable {
    /// Wall-clock budget of the whole solve (s).
    public var timeLimitSeconds: Double
    /// Relative MIP gap at which the ILP may stop.
    public var relativeGap: Double
    /// Offload may also remove current edge services (free re-placement) instead of only adding.
    public var allowRemoval: Bool
    /// Above this many services, `auto` skips the ILP and runs the greedy.
    public var maxILPServices: Int
    /// When the budget started (a caller that parses input first passes the time right after parsing); nil: when
    /// the solve starts. The budget bounds everything from then on.
    public var budgetStart: ContinuousClock.Instant?
    /// Greedy: how many hops beyond the edge frontier a candidate group may reach.
    public var greedyDepth: Int

    public init(
        timeLimitSeconds: Double = 2,
        relativeGap: Double = 0,
        allowRemoval: Bool = false,
        maxILPServices: Int = 1000,
        greedyDepth: Int = 2
    ) {
        self.timeLimitSeconds = timeLimitSeconds
        self.relativeGap = relativeGap
        self.allowRemoval = allowRemoval
        self.maxILPServices = maxILPServices
        self.greedyDepth = greedyDepth
        self.budgetStart = nil
    }
}

/// A placement chosen by a solver, with the model's figures for it (never the solver's own).
public struct PlacementSolution: Sendable {
    public var status: SolveStatus
    /// The solver that produced the placement: "ilp" or "greedy".
    public var solver: String
    public var edgeServices: [String]
    public var added: [String]
    public var removed: [String]
    public var evaluation: PlacementEvaluation
    /// The target is met, re-checked with the model.
    public var feasible: Bool
    /// Best known lower bound on the hourly cost (ILP only).
    public var bound: Double?
    /// Relative gap between the cost and the bound (ILP only).
    public var gap: Double?
    public var seconds: Double
    /// Branch-and-bound nodes (ILP) or candidate evaluations (greedy).
    public var nodes: Int
    /// Why the ILP was not used or failed, when `status` is `fallback`; that the budget ran out, when it did.
    public var note: String?
    /// The time budget ran out before the solver finished: the placement is the best it had found by then.
    public var budgetLimited = false

    /// Builds a solution from an edge set, evaluating it with the model.
    public init(
        model: PlacementModel, atEdge: [Bool], status: SolveStatus, solver: String,
        bound: Double? = nil, gap: Double? = nil, seconds: Double, nodes: Int, note: String? = nil
    ) {
        self.init(
            model: model, evaluation: model.evaluate(atEdge), status: status, solver: solver, bound: bound, gap: gap,
            seconds: seconds, nodes: nodes, note: note)
    }

    /// The same from the model's evaluation of the edge set (`evaluation.atEdge`), when the caller has it already:
    /// re-evaluating costs milliseconds at tens of thousands of services, after the budget has run out.
    init(
        model: PlacementModel, evaluation: PlacementEvaluation, status: SolveStatus, solver: String,
        bound: Double? = nil, gap: Double? = nil, seconds: Double, nodes: Int, note: String? = nil
    ) {
        let atEdge = evaluation.atEdge
        let current = model.current.atEdge
        self.status = status
        self.solver = solver
        self.edgeServices = model.names(of: atEdge)
        self.added = model.serviceNames.indices.filter { atEdge[$0] && !current[$0] }.map { model.serviceNames[$0] }
        self.removed = model.serviceNames.indices.filter { !atEdge[$0] && current[$0] }.map { model.serviceNames[$0] }
        self.evaluation = evaluation
        self.feasible = model.meetsTarget(delaySeconds: evaluation.delaySeconds)
        self.bound = bound
        self.gap = gap
        self.seconds = seconds
        self.nodes = nodes
        self.note = note
    }

    /// The `gma solve --format json` object.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("status", .string(status.rawValue)),
            ("solver", .string(solver)),
            ("edgeServices", .strings(edgeServices)),
            ("added", .strings(added)),
            ("removed", .strings(removed)),
            ("costPerHour", evaluation.cost.json),
            ("delaySeconds", .number(evaluation.delaySeconds)),
            ("rho", .number(evaluation.rho)),
            ("feasible", .bool(feasible)),
            ("bound", bound.map(JSONValue.number) ?? .null),
            ("gap", gap.map(JSONValue.number) ?? .null),
            ("seconds", .number(seconds)),
            ("nodes", .integer(nodes)),
        ]
        if let note { members.append(("note", .string(note))) }
        if budgetLimited { members.append(("budgetLimited", .bool(true))) }
        return .object(members)
    }
}

extension PlacementModel {
    /// Which services a solver may change, from the action, `locked` and `allowRemoval` (issue semantics):
    /// offload only adds, unoffload only removes, locked services never move.
    public func movable(allowRemoval: Bool) -> (mayAdd: [Bool], mayRemove: [Bool]) {
        let services = problem.services
        let mayAdd = services.map { !$0.locked && !$0.atEdge && problem.action == .offload }
        let mayRemove = services.map {
            !$0.locked && $0.atEdge && (problem.action == .unoffload || allowRemoval)
        }
        return (mayAdd, mayRemove)
    }
}
