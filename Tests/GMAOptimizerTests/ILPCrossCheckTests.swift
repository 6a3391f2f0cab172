import Foundation
import Testing

@testable import GMAOptimizer

/// The ILP checked against answers it did not produce: the exhaustive optimum wherever the reference file has
/// one, the greedy on every fixture instance, and the plain program (no tree reformulation, no reach or
/// replica-sum rows) on generated apps. A cut that removes a feasible placement makes the strengthened
/// program costlier than the plain one, which these tests catch even where SBMP is no better.
@Suite struct ILPCrossCheckTests {
    /// Instances with an exhaustive optimum that `ExactPlacementTests` does not already cover (the main set's
    /// offload M = 11 instances).
    static let otherOptima = Fixtures.referenceInstances.filter {
        ExactPlacementTests.optimumCost($0) != nil && !ExactPlacementTests.withOptimum.contains($0)
    }

    static func exact(_ model: PlacementModel, strengthened: Bool) -> ExactPlacer.Outcome {
        let budget = 120.0
        var placer = ExactPlacer(
            model: model, options: SolveOptions(timeLimitSeconds: budget), deadline: GLPKSolver.now() + budget)
        placer.strengthened = strengthened
        return placer.solve(incumbent: nil)
    }

    @Test func everyInstanceWithAnOptimumIsChecked() {
        // 120 reference files carry an exhaustive optimum (10 of them offload M = 11).
        #expect(Self.otherOptima.count + ExactPlacementTests.withOptimum.count >= 120)
    }

    @Test(arguments: otherOptima)
    func ilpMatchesTheOptimumOfTheMainSet(instance: String) throws {
        let model = try Fixtures.model(instance)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 30))
        let optimum = try #require(ExactPlacementTests.optimumCost(instance))
        #expect(solution.status == .optimal, "\(solution.note ?? "")")
        #expect(close(solution.evaluation.cost.total, optimum, tolerance: 1e-6), "\(solution.evaluation.cost.total) vs \(optimum)")
    }

    @Test(arguments: Fixtures.referenceInstances)
    func ilpIsNeverCostlierThanTheGreedy(instance: String) throws {
        let model = try Fixtures.model(instance)
        let options = SolveOptions(timeLimitSeconds: 30)
        let greedy = PlacementSolver.solve(model, using: .greedy, options: options)
        let ilp = PlacementSolver.solve(model, using: .ilp, options: options)
        if greedy.feasible {
            #expect(ilp.feasible)
            #expect(
                ilp.evaluation.cost.total <= greedy.evaluation.cost.total * (1 + 1e-9),
                "ILP \(ilp.evaluation.cost.total) vs greedy \(greedy.evaluation.cost.total)")
        }
    }

    /// Generated apps of 30–80 services (the reference generator's shape), offload and the unoffload derived
    /// from it: the strengthened and the plain program must prove the same optimal cost.
    @Test(arguments: Array(0..<12))
    func strengthenedAndPlainProgramsAgree(seed: Int) throws {
        let services = 30 + (seed * 5) % 51
        let offload = AppGenerator(services: services, seed: UInt64(1000 + seed)).problem()
        let problem = seed.isMultiple(of: 3) ? AppGenerator.problem(unoffloadFrom: offload) : offload
        let model = try PlacementModel(problem)
        let strengthened = Self.exact(model, strengthened: true)
        let plain = Self.exact(model, strengthened: false)
        switch (strengthened, plain) {
        case (.solved(let a, let aProven, _, _), .solved(let b, let bProven, _, _)):
            #expect(aProven && bProven, "\(services) services: both must be proven optimal")
            let costA = model.evaluate(a).cost.total
            let costB = model.evaluate(b).cost.total
            #expect(close(costA, costB), "\(services) services: strengthened \(costA) vs plain \(costB)")
            #expect(model.meetsTarget(delaySeconds: model.evaluate(a).delaySeconds))
        case (.infeasible, .infeasible):
            break
        default:
            Issue.record("\(services) services: strengthened \(strengthened) vs plain \(plain)")
        }
    }

    @Test(arguments: ["offload-M091-t02", "offload-M051-t03", "unoffload-lambda-M051-t00"])
    func strengthenedAndPlainProgramsAgreeOnFixtures(instance: String) throws {
        let model = try Fixtures.model(instance)
        guard case .solved(let a, true, _, _) = Self.exact(model, strengthened: true),
            case .solved(let b, true, _, _) = Self.exact(model, strengthened: false)
        else {
            Issue.record("\(instance): both programs must be solved to proven optimality")
            return
        }
        #expect(close(model.evaluate(a).cost.total, model.evaluate(b).cost.total))
    }
}
