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

    /// No wall-clock budget that counts: GLPK's search is deterministic, so without a deadline the answer cannot
    /// depend on how loaded the machine is (the plain program takes up to a few CPU-minutes here).
    static func exact(_ model: PlacementModel, strengthened: Bool) -> ExactPlacer.Outcome {
        let budget = 1e6
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

    /// Both programs solved without an incumbent: the same proven optimal cost, or both infeasible.
    static func expectSameOptimum(_ model: PlacementModel, _ label: String) {
        let strengthened = exact(model, strengthened: true)
        let plain = exact(model, strengthened: false)
        switch (strengthened, plain) {
        case (.solved(let a, let aProven, _, _), .solved(let b, let bProven, _, _)):
            #expect(aProven && bProven, "\(label): both must be proven optimal")
            let costA = model.evaluate(a).cost.total
            let costB = model.evaluate(b).cost.total
            #expect(close(costA, costB), "\(label): strengthened \(costA) vs plain \(costB)")
            #expect(model.meetsTarget(delaySeconds: model.evaluate(a).delaySeconds))
        case (.infeasible, .infeasible):
            break
        default:
            Issue.record("\(label): strengthened \(strengthened) vs plain \(plain)")
        }
    }

    /// Random cyclic apps where every service also calls itself 0.5 times per invocation, so its invocations are
    /// 1/(1 − 0.5) = 2 times what its callers send: the program's flow balance must count the self-calls, or it
    /// prices edge replicas of multi-caller services at half their usage. Brute force over all 2^7 edge sets.
    @Test(arguments: Array(0..<24))
    func ilpMatchesBruteForceWithHeavySelfCalls(seed: Int) throws {
        var problem = RandomApps.problem(seed: UInt64(500 + seed), services: 7)
        problem.calls.removeAll { $0.from == $0.to }
        problem.calls += problem.services.map { Call(from: $0.name, to: $0.name, perRequest: 0.5) }
        guard let cloudOnly = try? PlacementModel(problem).cloudOnly else { return }  // a divergent cycle: rejected
        // Modest targets (10–55 % of the cloud-only network delay), so partial edge sets can be optimal.
        let share = 0.1 + 0.05 * Double(seed % 10)
        problem.target = Target(delayReductionSeconds: cloudOnly.networkDelaySeconds * share)
        let model = try PlacementModel(problem)
        let best = RandomApps.bruteForce(model)
        switch Self.exact(model, strengthened: true) {
        case .solved(let placement, let proven, _, _):
            #expect(proven)
            let cost = model.evaluate(placement).cost.total
            #expect(best.map { close(cost, $0) } == true, "seed \(500 + seed): ILP \(cost) vs brute force \(String(describing: best))")
        case .infeasible:
            #expect(best == nil, "seed \(500 + seed): brute force found \(String(describing: best))")
        case .failed(let reason, _):
            Issue.record("seed \(500 + seed): \(reason)")
        }
    }

    /// Generated apps of 30–80 services (the reference generator's shape), offload and the unoffload derived
    /// from it.
    @Test(arguments: Array(0..<12))
    func strengthenedAndPlainProgramsAgree(seed: Int) throws {
        let services = 30 + (seed * 5) % 51
        let offload = AppGenerator(services: services, seed: UInt64(1000 + seed)).problem()
        let problem = seed.isMultiple(of: 3) ? AppGenerator.problem(unoffloadFrom: offload) : offload
        Self.expectSameOptimum(try PlacementModel(problem), "\(services) services, seed \(1000 + seed)")
    }

    /// Every fixture instance small enough for the plain program (it needs minutes from about 60 services on).
    static let plainProgramInstances = Fixtures.referenceInstances.filter { name in
        let size = name.split(separator: "-").first { $0.hasPrefix("M") }.flatMap { Int($0.dropFirst()) }
        return (size ?? .max) - 1 <= 40
    }

    @Test(arguments: plainProgramInstances)
    func strengthenedAndPlainProgramsAgreeOnFixtures(instance: String) throws {
        Self.expectSameOptimum(try Fixtures.model(instance), instance)
    }

    /// A 90-service instance where a replica-sum row one too high changes the optimum (798.4968 instead of
    /// 798.4749 $/h): the cut binds here, so an invalid version of it cannot hide.
    @Test func strengthenedAndPlainProgramsAgreeWhereTheReplicaSumBinds() throws {
        Self.expectSameOptimum(try Fixtures.model("offload-M091-t02"), "offload-M091-t02")
    }
}
