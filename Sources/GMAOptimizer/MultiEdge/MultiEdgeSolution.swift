/// A K-edge placement chosen by a solver, with the multi-edge model's figures for it (docs/multi-edge.md).
public struct MultiEdgeSolution: Sendable {
    public var status: SolveStatus
    /// "ilp" or "greedy".
    public var solver: String
    public var edgeNames: [String]
    /// `placements[e][b]`: service b has a copy at edge e.
    public var placements: [[Bool]]
    /// Per edge: the services at the edge, those added and those removed, by name.
    public var edgeServices: [[String]]
    public var added: [[String]]
    public var removed: [[String]]
    /// The joint figures; `evaluation.perEdge[e].delaySeconds` is edge e's delay.
    public var evaluation: MultiEdgeEvaluation
    /// Per edge: its test holds (docs/multi-edge.md §6).
    public var edgeFeasible: [Bool]
    public var bound: Double?
    public var gap: Double?
    public var seconds: Double
    public var nodes: Int
    public var note: String?
    public var budgetLimited = false

    /// Every edge meets its test.
    public var feasible: Bool { edgeFeasible.allSatisfy { $0 } }

    init(
        model: MultiEdgeModel, evaluation: MultiEdgeEvaluation, status: SolveStatus, solver: String, seconds: Double,
        nodes: Int, note: String? = nil
    ) {
        self.status = status
        self.solver = solver
        edgeNames = model.edgeNames
        placements = evaluation.placements
        let names = model.edges[0].serviceNames
        var atEdge: [[String]] = []
        var added: [[String]] = []
        var removed: [[String]] = []
        for (e, placement) in placements.enumerated() {
            let current = model.edges[e].current.atEdge
            atEdge.append(names.indices.filter { placement[$0] }.map { names[$0] })
            added.append(names.indices.filter { placement[$0] && !current[$0] }.map { names[$0] })
            removed.append(names.indices.filter { !placement[$0] && current[$0] }.map { names[$0] })
        }
        edgeServices = atEdge
        self.added = added
        self.removed = removed
        self.evaluation = evaluation
        edgeFeasible = model.edges.indices.map { model.edges[$0].meetsTarget(delaySeconds: evaluation.perEdge[$0].delaySeconds) }
        self.seconds = seconds
        self.nodes = nodes
        self.note = note
    }

    /// A single-edge solution read as K = 1 (its evaluation includes the ingress constant, as the joint cost does).
    init(single: PlacementSolution, edgeName: String) {
        status = single.status
        solver = single.solver
        edgeNames = [edgeName]
        placements = [single.evaluation.atEdge]
        edgeServices = [single.edgeServices]
        added = [single.added]
        removed = [single.removed]
        let e = single.evaluation
        evaluation = MultiEdgeEvaluation(
            perEdge: [e], cpuUsageCloud: e.cpuUsageCloud, memoryUsageCloud: e.memoryUsageCloud,
            replicasCloud: e.replicasCloud, cost: e.cost)
        edgeFeasible = [single.feasible]
        bound = single.bound
        gap = single.gap
        seconds = single.seconds
        nodes = single.nodes
        note = single.note
        budgetLimited = single.budgetLimited
    }

    /// The `gma solve --format json` object of a `gma/v2` problem: the joint figures and one entry per edge.
    public var json: JSONValue {
        let edges: [JSONValue] = edgeNames.indices.map { e in
            let figures = evaluation.perEdge[e]
            return .object([
                ("name", .string(edgeNames[e])),
                ("edgeServices", .strings(edgeServices[e])),
                ("added", .strings(added[e])),
                ("removed", .strings(removed[e])),
                ("delaySeconds", .number(figures.delaySeconds)),
                ("rho", .number(figures.rho)),
                ("edgeCostPerHour", .number(figures.cost.edge)),
                ("networkCostPerHour", .number(figures.cost.network)),
                ("feasible", .bool(edgeFeasible[e])),
            ])
        }
        var members: [(String, JSONValue)] = [
            ("status", .string(status.rawValue)),
            ("solver", .string(solver)),
            ("costPerHour", evaluation.cost.json),
            ("feasible", .bool(feasible)),
            ("edges", .array(edges)),
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
