import Foundation
import Testing

@testable import GMAOptimizer

/// Every `gma/v1` fixture read as `gma/v2` with one edge (docs/problem-format.md §11, docs/multi-edge.md §7): the
/// file, its translation written and read back, and the joint model and program at K = 1 all give today's answers.
@Suite struct MultiEdgeEquivalenceTests {
    static let instances = Fixtures.referenceInstances

    /// The v1 file and its v2 translation (encoded, then decoded as a file) give the same placement and cost.
    @Test(arguments: instances)
    func v1AndItsTranslationSolveAlike(instance: String) throws {
        let v1 = try Fixtures.problem(instance)
        let translated = try MultiEdgeProblem(singleEdge: v1).encoded()
        let v2 = try MultiEdgeProblem.decode(from: translated, source: instance)
        #expect(v2.areas.count == 1)
        #expect(v2.edgeProblem(0, includingIngress: true) == v1)
        // Reading the v1 file through the v2 reader is the same translation.
        #expect(try MultiEdgeProblem.decode(from: Fixtures.data("instances/\(instance).json"), source: instance) == v2)

        let options = SolveOptions(timeLimitSeconds: 60)
        for kind in [SolverKind.greedy, .ilp] {
            let single = PlacementSolver.solve(try PlacementModel(v1), using: kind, options: options)
            let multi = try MultiEdgeSolver.solve(v2, using: kind, options: options)
            #expect(multi.placements == [single.evaluation.atEdge], "\(kind)")
            #expect(close(multi.evaluation.cost.total, single.evaluation.cost.total), "\(kind)")
            #expect(multi.status == single.status, "\(kind)")
        }
    }

    /// The joint model at K = 1 (the shared-cloud sum over one edge) is the single-edge model bit for bit.
    @Test(arguments: instances)
    func jointModelAtOneEdgeIsTheSingleEdgeModel(instance: String) throws {
        let v1 = try Fixtures.problem(instance)
        let single = try PlacementModel(v1)
        let joint = try MultiEdgeModel(MultiEdgeProblem(singleEdge: v1))
        var bits = RandomApps.Bits(state: UInt64(instance.utf8.reduce(0) { $0 &* 31 &+ Int($1) }.magnitude))
        let placements = [single.current.atEdge, single.cloudOnly.atEdge] + (0..<4).map { _ in bits.placement(single.serviceCount, density: 30) }
        for placement in placements {
            let a = single.evaluate(placement)
            let b = joint.evaluate([placement])
            #expect(a.cost == b.cost)
            #expect(a.replicasCloud == b.replicasCloud)
            #expect(a.delaySeconds == b.perEdge[0].delaySeconds)
            #expect(single.meetsTarget(delaySeconds: a.delaySeconds) == joint.meetsTargets(b))
        }
    }

    /// The joint program at K = 1 proves the single-edge program's optimum (instances up to 61 services).
    @Test(arguments: instances.filter { name in ["M06", "M08", "M10", "M12", "M021", "M041", "M061"].contains { name.contains($0) } })
    func jointProgramAtOneEdgeProvesTheSameOptimum(instance: String) throws {
        let v1 = try Fixtures.problem(instance)
        let options = SolveOptions(timeLimitSeconds: 60)
        let single = PlacementSolver.solve(try PlacementModel(v1), using: .ilp, options: options)
        let joint = MultiEdgeSolver.solve(try MultiEdgeModel(MultiEdgeProblem(singleEdge: v1)), using: .ilp, options: options)
        #expect(joint.status == single.status, "\(joint.note ?? "")")
        #expect(close(joint.evaluation.cost.total, single.evaluation.cost.total, tolerance: 1e-9))
        #expect(joint.feasible == single.feasible)
    }
}
