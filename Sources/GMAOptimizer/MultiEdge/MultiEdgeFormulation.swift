/// The K-edge program of docs/milp.md §14: the single-edge formulation once per edge on one shared program, the
/// cloud replicas taken out of the edges and counted once per service over the sum of their cloud shares.
struct MultiEdgeFormulation: Sendable {
    let model: MultiEdgeModel
    /// One block per edge; their columns live in `milp` (each block's own copy is emptied once built).
    private(set) var blocks: [PlacementFormulation] = []
    private(set) var milp: MILPModel
    /// Per service, the shared cloud replica column, when the count depends on more than one binary choice.
    private(set) var cloudColumn: [Int?]
    /// Per service priced per subset: its λ columns (subset bit t = share t at the edge) and the shares' columns.
    private(set) var subsetColumns: [[Int]]
    private(set) var subsetShares: [[Int]]

    init(model: MultiEdgeModel, strengthened: Bool = true) {
        self.model = model
        var program = MILPModel()
        program.objectiveConstant = model.ingressCloudCost
        for e in model.edges.indices {
            var block = PlacementFormulation(
                model: model.edges[e], allowRemoval: model.allowRemoval[e], strengthened: strengthened,
                label: "_e\(e + 1)", sharedCloud: true, into: program)
            program = block.milp
            block.milp = MILPModel()
            blocks.append(block)
        }
        milp = program
        cloudColumn = [Int?](repeating: nil, count: model.serviceCount)
        subsetColumns = [[Int]](repeating: [], count: model.serviceCount)
        subsetShares = [[Int]](repeating: [], count: model.serviceCount)
        for b in 0..<model.serviceCount { addCloud(b, strengthened: strengthened) }
    }

    /// Whether some edge's delay budget is negative: no placement can meet its test.
    var hasNegativeBudget: Bool {
        blocks.contains { $0.model.lambda > 0 && $0.networkDelayBudget < 0 }
    }

    /// The cloud replicas of service b (docs/milp.md §14): a constant, a two-point cost on one tree choice, or an
    /// integer column over every edge's variable share, with the summed replica cut.
    private mutating func addCloud(_ b: Int, strengthened: Bool) {
        let reference = model.edges[0]
        let h = reference.hpaThreshold[b]
        let request = reference.cpuRequestCloud[b]
        let price = reference.replicaPriceCloud[b]
        var constantUsage = model.cloudOnlyCPU[b]
        var shares: [(column: Int, usage: Double)] = []
        var edgeReplicaTerms: [MILPModel.Term] = []
        var trees = 0
        for block in blocks {
            switch block.cloudTerms[b] {
            case .constant(let usage):
                constantUsage += usage
            case .tree(let x, let usage, let edgeReplicas):
                if milp.columnLower[x] == milp.columnUpper[x] {
                    constantUsage += usage * (1 - milp.columnLower[x])
                } else {
                    shares.append((x, usage))
                    edgeReplicaTerms.append(.init(column: x, coefficient: edgeReplicas))
                    trees += 1
                }
            case .general(let y, let re, let usage):
                shares.append((y, usage))
                edgeReplicaTerms.append(.init(column: re, coefficient: 1))
            }
        }
        if shares.isEmpty {
            milp.objectiveConstant += model.cloudReplicas(b, usage: constantUsage) * price
            return
        }
        if shares.count == 1, trees == 1 {
            // One binary choice: the replica count takes one of two values, so its cost is linear in x.
            let x = shares[0].column
            let ifEdge = model.cloudReplicas(b, usage: constantUsage + shares[0].usage * 0)
            let ifCloud = model.cloudReplicas(b, usage: constantUsage + shares[0].usage * 1)
            milp.objectiveConstant += ifCloud * price
            milp.setCost(x, milp.objective[x] + (ifEdge - ifCloud) * price)
            return
        }
        if trees == shares.count, shares.count <= Self.largestSubsetChoice {
            addSubsetChoice(b, shares: shares, constantUsage: constantUsage, price: price)
            return
        }
        let rc = milp.addColumn("rc_\(b)", kind: .integer, lower: 1, upper: .infinity, cost: price)
        cloudColumn[b] = rc
        var terms: [MILPModel.Term] = [.init(column: rc, coefficient: 1)]
        var need = (constantUsage / h) / request
        for share in shares {
            let shareNeed = (share.usage / h) / request
            terms.append(.init(column: share.column, coefficient: shareNeed))
            need += shareNeed
        }
        milp.addRow("cloud_replicas_\(b)", terms, lower: need)
        // Edge and cloud replicas together cover the whole need when both areas request the same CPU (§5's cut).
        if strengthened, reference.cpuRequestEdge[b] == request {
            let total = shares.count == 1 && constantUsage == 0 ? need : need - 1e-9 * max(1, need)
            milp.addRow(
                "replica_sum_\(b)", [.init(column: rc, coefficient: 1)] + edgeReplicaTerms,
                lower: max(total.rounded(.up), 1))
        }
    }

    /// Up to this many binary choices, a service's cloud replicas are priced per subset of edges (2^k columns).
    static let largestSubsetChoice = 6

    /// The cloud replicas of a service whose every variable share is a tree choice x_e, priced exactly per subset S
    /// of the edges that hold a copy: λ_S ≥ 0, Σ λ_S = 1, x_e = Σ_{S ∋ e} λ_S, cost Σ λ_S · replicas(S) · price.
    /// With x binary exactly one λ is 1; the relaxation is the convex envelope of the replica step function, which a
    /// single integer count over Σ need_e · x_e is not (docs/milp.md §14).
    private mutating func addSubsetChoice(
        _ b: Int, shares: [(column: Int, usage: Double)], constantUsage: Double, price: Double
    ) {
        let k = shares.count
        var choice: [MILPModel.Term] = []
        var membership = [[MILPModel.Term]](repeating: [], count: k)
        for subset in 0..<(1 << k) {
            var usage = constantUsage
            for (t, share) in shares.enumerated() where subset & (1 << t) == 0 { usage += share.usage }
            let replicas = model.cloudReplicas(b, usage: usage)
            let column = milp.addColumn("cloud_\(b)_s\(subset)", kind: .continuous, lower: 0, upper: 1, cost: replicas * price)
            subsetColumns[b].append(column)
            choice.append(.init(column: column, coefficient: 1))
            for t in 0..<k where subset & (1 << t) != 0 { membership[t].append(.init(column: column, coefficient: -1)) }
        }
        milp.addRow("cloud_choice_\(b)", choice, lower: 1, upper: 1)
        for (t, share) in shares.enumerated() {
            milp.addRow("cloud_member_\(b)_\(t)", [.init(column: share.column, coefficient: 1)] + membership[t], lower: 0, upper: 0)
        }
        subsetShares[b] = shares.map(\.column)
    }

    /// Adds a tangent of edge e's delay curve at load `s`; false if it was there already.
    mutating func addTangent(edge e: Int, at s: Double) -> Bool {
        let before = blocks[e].tangentPoints.count
        swap(&blocks[e].milp, &milp)
        blocks[e].addTangent(at: s)
        swap(&blocks[e].milp, &milp)
        return blocks[e].tangentPoints.count > before
    }

    func placements(from solution: [Double]) -> [[Bool]] {
        blocks.map { $0.placement(from: solution) }
    }

    /// A complete, consistent point of the program for one placement per edge, or nil if it violates a row.
    func point(for placements: [[Bool]]) -> [Double]? {
        var v = [Double](repeating: 0, count: milp.columnCount)
        for (e, block) in blocks.enumerated() { block.fill(&v, placement: placements[e]) }
        let evaluation = model.evaluate(placements)
        for (b, column) in cloudColumn.enumerated() {
            if let column { v[column] = evaluation.replicasCloud[b] }
        }
        for b in subsetColumns.indices where !subsetColumns[b].isEmpty {
            var subset = 0
            for (t, column) in subsetShares[b].enumerated() where v[column] > 0.5 { subset |= 1 << t }
            v[subsetColumns[b][subset]] = 1
        }
        return milp.isFeasible(v, tolerance: 1e-7) ? v : nil
    }
}
