/// The placement problem as a mixed-integer program that is exact for the model of docs/model.md (the program: docs/milp.md).
///
/// Variables are scaled to stay well conditioned: x_b (binary) places b at the edge; y_b ∈ [0,1] is the
/// share of b's invocations that run at the edge (n_b / Nt_b); on a call a→b, p and q ∈ [0,1] split the
/// edge copy of a's calls between b's edge copy (p ≤ x_b) and its cloud copy (q ≤ 1 − x_b), p + q = y_a.
/// Replica counts are integers with r ≥ usage/(threshold·request). Products of variables never appear.
///
/// Strengthening (each keeps an optimal solution):
/// * a service whose only caller is the user or another such service ("tree") has y_b = x_b exactly,
///   so its replica costs are linear in x_b and it needs no y, p, q or r variables;
/// * reach: an edge copy nobody at the edge calls is useless, so x_b ≤ Σ x_callers;
/// * replica sum: r_edge + r_cloud ≥ max(⌈usage/(threshold·request)⌉, 1) when both areas have the same request.
/// The delay's convex load-spread term is represented by tangents of `DelayCurve` (outer approximation).
struct PlacementFormulation: Sendable {
    /// The edge share of a node's invocations as an expression.
    enum Share: Sendable, Equatable {
        case zero
        case one
        case column(Int)
    }

    enum ServiceForm: Sendable {
        /// No request reaches it: its cost is a constant and its placement is irrelevant.
        case unreached
        /// Single chain to the user: share = x.
        case tree(parent: Int)
        /// `cloudReplicas` is nil when the cloud is shared by several edges (docs/milp.md §14).
        case general(share: Int, edgeReplicas: Int, cloudReplicas: Int?)
    }

    /// What an edge's users add to a service's cloud usage, for the shared cloud of docs/milp.md §14.
    enum CloudTerm: Sendable {
        /// Unreached by this edge's users: their usage stays in the cloud.
        case constant(cloudUsage: Double)
        /// A tree service: all of the usage is at the edge when x = 1, in the cloud when x = 0.
        case tree(placement: Int, usage: Double, edgeReplicas: Double)
        /// A general service: the share y of the usage runs at the edge.
        case general(share: Int, edgeReplicas: Int, usage: Double)
    }

    struct GeneralCall: Sendable {
        var from: Int
        var to: Int
        var p: Int
        var q: Int
    }

    let model: PlacementModel
    /// The program; a multi-edge formulation moves it from block to block while it builds (docs/milp.md §14).
    var milp = MILPModel()
    /// Suffix of every column and row name (`_e2`); empty for a single edge.
    let label: String
    /// The cloud replicas are left to the multi-edge formulation; `cloudTerms` says what this edge adds to them.
    let sharedCloud: Bool
    private(set) var cloudTerms: [CloudTerm] = []
    private(set) var placementColumn: [Int] = []
    private(set) var share: [Share] = []
    private(set) var form: [ServiceForm] = []
    private(set) var generalCalls: [GeneralCall] = []
    /// S: megabytes per user request sent cloud→edge, and z ≥ h(S); nil when λ = 0 (no network delay or cost).
    private(set) var loadColumn: Int?
    private(set) var transferColumn: Int?
    let curve: DelayCurve
    /// Network-delay budget D̄ (s): the delay limit minus the placement-invariant internal delay.
    let networkDelayBudget: Double
    /// Linear expressions for S (MB/request) and G (remote calls/request): terms and constant.
    private var loadTerms: [MILPModel.Term] = []
    private var loadConstant = 0.0
    private var remoteCallTerms: [MILPModel.Term] = []
    private var remoteCallConstant = 0.0
    private(set) var tangentPoints: [Double] = []
    /// Tree reformulation, reach rows and replica-sum rows; off only in tests, to cross-check the cuts against
    /// the plain program (docs/testing.md).
    let strengthened: Bool

    /// Invocations per request with nothing at the edge (the placement-invariant totals Nt).
    private var totalCalls: [Double] { model.cloudOnly.cloudCalls }

    init(
        model: PlacementModel, allowRemoval: Bool, initialTangents: Int = 16, strengthened: Bool = true,
        label: String = "", sharedCloud: Bool = false, into program: MILPModel = MILPModel()
    ) {
        self.model = model
        self.strengthened = strengthened
        self.label = label
        self.sharedCloud = sharedCloud
        milp = program
        curve = DelayCurve(bandwidth: model.bandwidth, lambda: model.lambda)
        // Internal delay does not depend on placement (N_cloud + N_edge = Nt).
        networkDelayBudget = model.delayLimitSeconds - model.cloudOnly.internalDelaySeconds
        build(allowRemoval: allowRemoval)
        if loadColumn != nil {
            let top = maximumLoad
            let count = max(initialTangents, 1)
            for k in 0..<count { addTangent(at: top * Double(k) / Double(count)) }
        }
    }

    /// The largest load S that can meet the delay budget (MB/request).
    var maximumLoad: Double { curve.largestLoad(within: networkDelayBudget) }

    private mutating func build(allowRemoval: Bool) {
        let n = model.serviceCount
        let (mayAdd, mayRemove) = model.movable(allowRemoval: allowRemoval)
        let current = model.current.atEdge
        share = [Share](repeating: .zero, count: n + 1)
        cloudTerms = [CloudTerm](repeating: .constant(cloudUsage: 0), count: n)
        share[n] = .one
        form = [ServiceForm](repeating: .unreached, count: n)
        placementColumn = (0..<n).map { b in
            let lower: Double = current[b] && !mayRemove[b] ? 1 : 0
            let upper: Double = current[b] || mayAdd[b] ? 1 : 0
            return milp.addColumn("x_\(b)\(label)", kind: .binary, lower: lower, upper: upper)
        }
        milp.objectiveConstant = Double(model.ingressCloudReplicas) * model.ingressReplicaPriceCloud
        for component in model.graph.components {
            let cyclic = component.isCyclic && component.members.count > 1
            for b in component.members { place(b, cyclic: cyclic) }
            // Flows into general members, after all members of a cycle have their share column.
            for b in component.members { addFlows(into: b) }
        }
        addNetworkRows()
    }

    /// Adds calls from `a` to `b` served by b's cloud copy, `q` being the caller's edge flow that crosses: their
    /// remote calls and megabytes per user request.
    private mutating func addRemote(from a: Int, to b: Int, rate: Double, q: [MILPModel.Term], constant: Double) {
        let calls = rate * (a == model.serviceCount ? 1 : totalCalls[a])
        let megabytes = calls * model.responseBytes[b] / 1e6
        for t in q {
            remoteCallTerms.append(.init(column: t.column, coefficient: calls * t.coefficient))
            loadTerms.append(.init(column: t.column, coefficient: megabytes * t.coefficient))
        }
        remoteCallConstant += calls * constant
        loadConstant += megabytes * constant
    }

    private func isLive(_ a: Int) -> Bool { share[a] != .zero }

    /// A share times `factor` as terms and a constant.
    private func shareTerms(_ s: Share, times factor: Double) -> ([MILPModel.Term], Double) {
        switch s {
        case .zero: return ([], 0)
        case .one: return ([], factor)
        case .column(let c): return ([.init(column: c, coefficient: factor)], 0)
        }
    }

    /// Decides how service `b` is represented: unreached (a constant cost), a tree service (its share is x_b) or a
    /// general one (a share column and replica columns).
    private mutating func place(_ b: Int, cyclic: Bool) {
        let graph = model.graph
        let n = model.serviceCount
        let x = placementColumn[b]
        let callers = (graph.incomingStart[b]..<graph.incomingStart[b + 1])
            .map { graph.calls[graph.incoming[$0]] }
            .filter { $0.rate > 0 }
        let liveCallers = callers.filter { cyclic || isLive($0.from) }
        guard totalCalls[b] > 0, !liveCallers.isEmpty else {
            // Unreached: fix its placement (an edge copy would do nothing) and charge the constant cost.
            milp.setBounds(x, lower: milp.columnLower[x], upper: milp.columnLower[x])
            form[b] = .unreached
            if sharedCloud {
                cloudTerms[b] = .constant(cloudUsage: model.cloudOnly.cpuUsageCloud[b])
            } else {
                milp.objectiveConstant += model.cloudOnly.replicasCloud[b] * model.replicaPriceCloud[b]
            }
            return
        }
        let onlyCaller = liveCallers.count == 1 ? liveCallers[0].from : nil
        if strengthened, !cyclic, let a = onlyCaller, a == n || isTreeLike(a),
            milp.columnLower[x] == 0 || a == n || milp.columnLower[placementColumn[a]] == 1
        {
            addTree(b, parent: a)
            if a != n {
                milp.addRow(
                    "reach_\(b)\(label)", [.init(column: x, coefficient: 1), .init(column: placementColumn[a], coefficient: -1)],
                    upper: 0)
            }
            // q = share(a) − x_b: the caller's edge flow that b's cloud copy now serves.
            let (callerTerms, callerConstant) = shareTerms(share[a], times: 1)
            addRemote(
                from: a, to: b, rate: liveCallers[0].rate, q: callerTerms + [.init(column: x, coefficient: -1)],
                constant: callerConstant)
            return
        }
        // General service: its edge share follows the flows of its callers' edge copies.
        let y = milp.addColumn("y_\(b)\(label)", kind: .continuous, lower: 0, upper: 1)
        share[b] = .column(y)
        let (re, rc) = addReplicas(b, share: y)
        form[b] = .general(share: y, edgeReplicas: re, cloudReplicas: rc)
        milp.addRow("edge_only_\(b)\(label)", [.init(column: y, coefficient: 1), .init(column: x, coefficient: -1)], upper: 0)
    }

    /// The flow rows of a general service: each live call splits the caller's edge flow into an edge part p and
    /// a crossing part q, and the service's share balances what arrives.
    private mutating func addFlows(into b: Int) {
        guard case .general(let y, _, _) = form[b] else { return }
        let graph = model.graph
        let n = model.serviceCount
        let nt = totalCalls
        let x = placementColumn[b]
        var flowTerms: [MILPModel.Term] = [.init(column: y, coefficient: 1 - graph.selfRate[b])]
        var reach: [MILPModel.Term] = [.init(column: x, coefficient: 1)]
        var userCalls = false
        for k in graph.incomingStart[b]..<graph.incomingStart[b + 1] {
            let call = graph.calls[graph.incoming[k]]
            let a = call.from
            guard call.rate > 0, isLive(a) else { continue }
            let p = milp.addColumn("p_\(a)_\(b)\(label)", kind: .continuous, lower: 0, upper: 1)
            let q = milp.addColumn("q_\(a)_\(b)\(label)", kind: .continuous, lower: 0, upper: 1)
            generalCalls.append(GeneralCall(from: a, to: b, p: p, q: q))
            let (terms, constant) = shareTerms(share[a], times: -1)
            milp.addRow(
                "split_\(a)_\(b)\(label)", [.init(column: p, coefficient: 1), .init(column: q, coefficient: 1)] + terms,
                lower: -constant, upper: -constant)
            milp.addRow("to_edge_\(a)_\(b)\(label)", [.init(column: p, coefficient: 1), .init(column: x, coefficient: -1)], upper: 0)
            milp.addRow("to_cloud_\(a)_\(b)\(label)", [.init(column: q, coefficient: 1), .init(column: x, coefficient: 1)], upper: 1)
            flowTerms.append(.init(column: p, coefficient: -call.rate * (a == n ? 1 : nt[a]) / nt[b]))
            addRemote(from: a, to: b, rate: call.rate, q: [.init(column: q, coefficient: 1)], constant: 0)
            if a == n { userCalls = true } else { reach.append(.init(column: placementColumn[a], coefficient: -1)) }
        }
        milp.addRow("flow_\(b)\(label)", flowTerms, lower: 0, upper: 0)
        if strengthened, !userCalls, milp.columnLower[x] == 0 { milp.addRow("reach_\(b)\(label)", reach, upper: 0) }
    }

    /// S = Σ megabytes·q, z ≥ tangents of h(S), RTT·G + z ≤ D̄; the network is priced on S (ρ < 1 inside).
    private mutating func addNetworkRows() {
        guard model.lambda > 0 else { return }
        let networkPricePerMegabyte = model.networkPricePerGB * model.lambda * 3600 / 1e3
        let s = milp.addColumn("S\(label)", kind: .continuous, lower: 0, upper: max(maximumLoad, 0), cost: networkPricePerMegabyte)
        let z = milp.addColumn("z\(label)", kind: .continuous, lower: 0, upper: .infinity)
        loadColumn = s
        transferColumn = z
        milp.addRow(
            "load\(label)", [.init(column: s, coefficient: 1)] + loadTerms.map { .init(column: $0.column, coefficient: -$0.coefficient) },
            lower: loadConstant, upper: loadConstant)
        let rtt = model.rtt
        milp.addRow(
            "delay\(label)", remoteCallTerms.map { .init(column: $0.column, coefficient: rtt * $0.coefficient) } + [.init(column: z, coefficient: 1)],
            upper: networkDelayBudget - rtt * remoteCallConstant)
    }

    private func isTreeLike(_ a: Int) -> Bool {
        if case .tree = form[a] { return true }
        return false
    }

    private mutating func addTree(_ b: Int, parent: Int) {
        let x = placementColumn[b]
        share[b] = .column(x)
        form[b] = .tree(parent: parent)
        // At the edge all its invocations run there (one edge replica set, the cloud keeps its minimum of one);
        // otherwise all run in the cloud. Same arithmetic as the model so ceilings agree.
        let (edgeReplicas, cloudReplicasIfEdge) = replicas(b, edgeShare: 1)
        let (_, cloudReplicasIfCloud) = replicas(b, edgeShare: 0)
        let atEdgeCost = edgeReplicas * model.replicaPriceEdge[b] + cloudReplicasIfEdge * model.replicaPriceCloud[b]
        if sharedCloud {
            cloudTerms[b] = .tree(placement: x, usage: model.cpuUsageTotal[b], edgeReplicas: edgeReplicas)
            milp.setCost(x, edgeReplicas * model.replicaPriceEdge[b])
            return
        }
        let inCloudCost = cloudReplicasIfCloud * model.replicaPriceCloud[b]
        milp.objectiveConstant += inCloudCost
        milp.setCost(x, atEdgeCost - inCloudCost)
    }

    /// Replica counts when a fraction `edgeShare` (0 or 1) of the invocations runs at the edge (docs/model.md §8).
    private func replicas(_ b: Int, edgeShare: Double) -> (edge: Double, cloud: Double) {
        let usage = model.cpuUsageTotal[b]
        let h = model.hpaThreshold[b]
        let edgeUsage = usage * edgeShare
        let cloudUsage = usage * (1 - edgeShare)
        let edge = ((edgeUsage / h) / model.cpuRequestEdge[b]).rounded(.up)
        let cloud = max(((cloudUsage / h) / model.cpuRequestCloud[b]).rounded(.up), 1)
        return (edge, cloud)
    }

    private mutating func addReplicas(_ b: Int, share y: Int) -> (Int, Int?) {
        let usage = model.cpuUsageTotal[b]
        let h = model.hpaThreshold[b]
        let edgeNeed = (usage / h) / model.cpuRequestEdge[b]
        let cloudNeed = (usage / h) / model.cpuRequestCloud[b]
        let re = milp.addColumn("re_\(b)\(label)", kind: .integer, lower: 0, upper: .infinity, cost: model.replicaPriceEdge[b])
        milp.addRow("edge_replicas_\(b)\(label)", [.init(column: re, coefficient: 1), .init(column: y, coefficient: -edgeNeed)], lower: 0)
        if sharedCloud {
            cloudTerms[b] = .general(share: y, edgeReplicas: re, usage: usage)
            return (re, nil)
        }
        let rc = milp.addColumn("rc_\(b)\(label)", kind: .integer, lower: 1, upper: .infinity, cost: model.replicaPriceCloud[b])
        milp.addRow("cloud_replicas_\(b)\(label)", [.init(column: rc, coefficient: 1), .init(column: y, coefficient: cloudNeed)], lower: cloudNeed)
        if strengthened, edgeNeed == cloudNeed {
            milp.addRow(
                "replica_sum_\(b)\(label)", [.init(column: re, coefficient: 1), .init(column: rc, coefficient: 1)],
                lower: max(edgeNeed.rounded(.up), 1))
        }
        return (re, rc)
    }

    // MARK: - Outer approximation

    mutating func addTangent(at s: Double) {
        guard let sColumn = loadColumn, let z = transferColumn else { return }
        let point = min(max(s, 0), max(maximumLoad, 0))
        if tangentPoints.contains(where: { abs($0 - point) <= 1e-12 * max(1, point) }) { return }
        tangentPoints.append(point)
        let t = curve.tangent(at: point)
        milp.addRow(
            "tangent_\(tangentPoints.count)\(label)", [.init(column: z, coefficient: 1), .init(column: sColumn, coefficient: -t.slope)],
            lower: t.intercept)
    }

    // MARK: - Solutions

    func placement(from solution: [Double]) -> [Bool] {
        placementColumn.map { solution[$0] > 0.5 }
    }

    /// A complete, consistent point of the program for a placement (for GLPK's incumbent), or nil if the
    /// placement violates a row (for instance an edge service no edge caller reaches).
    func point(for placement: [Bool]) -> [Double]? {
        var v = [Double](repeating: 0, count: milp.columnCount)
        fill(&v, placement: placement)
        return milp.isFeasible(v, tolerance: 1e-7) ? v : nil
    }

    /// Sets this edge's columns of `v` to the placement's values (the cloud's too, unless it is shared).
    func fill(_ v: inout [Double], placement: [Bool]) {
        let e = model.evaluate(placement)
        let nt = totalCalls
        for (b, x) in placementColumn.enumerated() { v[x] = placement[b] ? 1 : 0 }
        func shareValue(_ a: Int) -> Double {
            switch share[a] {
            case .zero: 0
            case .one: 1
            case .column(let c): v[c]
            }
        }
        for b in 0..<model.serviceCount {
            if case .general(let y, let re, let rc) = form[b] {
                v[y] = min(max(e.edgeCalls[b] / nt[b], 0), 1)
                v[re] = e.replicasEdge[b]
                if let rc { v[rc] = e.replicasCloud[b] }
            }
        }
        for call in generalCalls {
            let flow = shareValue(call.from)
            v[call.p] = placement[call.to] ? flow : 0
            v[call.q] = flow - v[call.p]
        }
        if let s = loadColumn, let z = transferColumn {
            var load = loadConstant
            for t in loadTerms { load += t.coefficient * v[t.column] }
            v[s] = max(load, 0)
            var transfer = 0.0
            for p in tangentPoints {
                let t = curve.tangent(at: p)
                transfer = max(transfer, t.slope * v[s] + t.intercept)
            }
            v[z] = transfer
        }
    }

    /// S of an evaluated placement, in the program's unit (MB per request).
    func load(of evaluation: PlacementEvaluation) -> Double {
        model.lambda > 0 ? evaluation.cloudToEdgeTrafficBitsPerSecond / (8 * model.lambda * 1e6) : 0
    }
}
