import Foundation
import Testing

@testable import GMAOptimizer

/// The joint solvers against exhaustive enumeration, and a two-edge case worked by hand.
@Suite struct MultiEdgeSolverTests {
    static let cases: [(seed: UInt64, services: Int, edges: Int)] =
        (1...20).map { ($0, 6, 2) } + (31...40).map { ($0, 4, 3) } + (41...50).map { ($0, 5, 3) }

    /// Over every per-edge subset of the movable services: the ILP proves the exhaustive optimum, and the
    /// greedy never reports a cost below it (nor claims feasibility when nothing is feasible).
    @Test(arguments: cases.indices)
    func ilpMatchesBruteForce(index: Int) throws {
        let c = Self.cases[index]
        let model = try MultiEdgeModel(MultiEdgeApps.problem(seed: c.seed, services: c.services, edges: c.edges))
        let optimum = MultiEdgeApps.bruteForce(model)
        let options = SolveOptions(timeLimitSeconds: 1e6)
        let ilp = MultiEdgeSolver.solve(model, using: .ilp, options: options)
        let greedy = MultiEdgeSolver.solve(model, using: .greedy, options: options)
        if let optimum {
            #expect(ilp.status == .optimal, "\(ilp.note ?? "")")
            #expect(close(ilp.evaluation.cost.total, optimum, tolerance: 1e-9), "ilp \(ilp.evaluation.cost.total) vs \(optimum)")
            if greedy.feasible { #expect(greedy.evaluation.cost.total >= optimum * (1 - 1e-12)) }
        } else {
            #expect(ilp.status == .infeasible)
            #expect(!greedy.feasible)
        }
    }

    @Test func theCasesMixFeasibleAndInfeasibleProblems() throws {
        let optima = try Self.cases.map { c in
            MultiEdgeApps.bruteForce(try MultiEdgeModel(MultiEdgeApps.problem(seed: c.seed, services: c.services, edges: c.edges)))
        }
        #expect(optima.filter { $0 != nil }.count >= Self.cases.count / 2)
    }

    /// Two edges, one service `a` called once per request, Q = 1 core in both areas, h = 0.5, no memory or network
    /// price. Each edge's users cause 0.4 cores of cloud usage; the cloud costs 1 per core-hour, edge1 0.6, edge2 0.7.
    /// Both edges `hold` with no allowed increase: an edge copy removes the RTT, so every placement passes.
    ///
    /// * nothing moves: cloud usage 0.8 → ⌈0.8/0.5⌉ = 2 replicas → 2.0/h;
    /// * a at edge1: edge1 0.4/0.5 → 1 replica (0.6), cloud 0.4 → ⌈0.8⌉ = 1 (1.0) → 1.6/h;
    /// * a at edge2: 0.7 + 1.0 = 1.7/h;  at both: 0.6 + 0.7 + 1 (the cloud keeps one replica) = 2.3/h.
    ///
    /// The joint optimum is a at edge1 only, 1.6/h. Each edge alone sees only its 0.4 cores in the cloud, one
    /// replica whether or not it moves, so moving would only add its edge replica: two independent solves keep
    /// everything in the cloud, 2.0/h jointly.
    @Test func sharedCloudReplicasMakeTheJointAnswerDiffer() throws {
        let problem = try MultiEdgeProblem.decode(from: MultiEdgeFormatTests.text(), source: "hand")
        var hold = problem
        hold.areas[0].action = .hold
        hold.areas[0].target = Target(maxDelayIncreaseSeconds: 0)
        for area in hold.areas { #expect(area.services[0].cpuUsageCores.cloud == 0.4) }
        hold.services[0].hpaCpuThreshold = 0.5
        let model = try MultiEdgeModel(hold)
        #expect(close(model.current.cost.total, 2.0))
        for kind in [SolverKind.ilp, .greedy] {
            let joint = MultiEdgeSolver.solve(model, using: kind, options: SolveOptions(timeLimitSeconds: 1e6))
            #expect(joint.placements == [[true], [false]], "\(kind)")
            #expect(close(joint.evaluation.cost.total, 1.6), "\(kind)")
            #expect(joint.evaluation.replicasCloud == [1])
        }
        #expect(joint(model, [[false], [true]]) == 1.7 && joint(model, [[true], [true]]) == 2.3)
        // Independently: each edge's own problem alone keeps a in the cloud.
        let independent = try (0..<2).map { e in
            var alone = hold
            alone.areas = [hold.areas[e]]
            return try MultiEdgeSolver.solve(alone, using: .ilp, options: SolveOptions(timeLimitSeconds: 1e6)).placements[0]
        }
        #expect(independent == [[false], [false]])
        #expect(close(joint(model, independent), 2.0))
    }

    private func joint(_ model: MultiEdgeModel, _ placements: [[Bool]]) -> Double {
        (model.evaluate(placements).cost.total * 1e9).rounded() / 1e9
    }
}
