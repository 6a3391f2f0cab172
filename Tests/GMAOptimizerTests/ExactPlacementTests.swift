import Foundation
import Testing

@testable import GMAOptimizer

/// The exact solver against the reference optimum, the reference SBMP, and brute force.
@Suite struct ExactPlacementTests {
    static let withOptimum = Fixtures.referenceInstances.filter {
        ($0.contains("small") || $0.hasPrefix("unoffload")) && optimumCost($0) != nil
    }

    static func optimumCost(_ instance: String) -> Double? {
        let results = Fixtures.reference(instance)["results"] as? [String: Any]
        let optimum = results?["optimum"] as? [String: Any]
        return (optimum?["costPerHour"] as? [String: Any])?["total"] as? Double
    }

    static func sbmp(_ instance: String) -> (cost: Double, feasible: Bool)? {
        let results = Fixtures.reference(instance)["results"] as? [String: Any]
        guard let sbmp = results?["SBMP"] as? [String: Any],
            let cost = (sbmp["costPerHour"] as? [String: Any])?["total"] as? Double,
            let feasible = sbmp["feasible"] as? Bool
        else { return nil }
        return (cost, feasible)
    }

    @Test func everySmallAndUnoffloadInstanceHasAnOptimum() {
        #expect(Self.withOptimum.count >= 100)
    }

    @Test(arguments: withOptimum)
    func ilpMatchesTheExhaustiveOptimum(instance: String) throws {
        let model = try Fixtures.model(instance)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 30))
        let optimum = try #require(Self.optimumCost(instance))
        #expect(solution.status == .optimal, "\(solution.note ?? "")")
        #expect(solution.feasible)
        #expect(close(solution.evaluation.cost.total, optimum, tolerance: 1e-6), "\(solution.evaluation.cost.total) vs \(optimum)")
    }

    @Test(arguments: Fixtures.referenceInstances)
    func ilpIsNeverCostlierThanSBMP(instance: String) throws {
        let reference = try #require(Self.sbmp(instance))
        guard reference.feasible else { return }
        let model = try Fixtures.model(instance)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 30))
        #expect(solution.feasible)
        #expect(solution.evaluation.cost.total <= reference.cost * (1 + 1e-9), "\(solution.evaluation.cost.total) vs SBMP \(reference.cost)")
    }

    @Test(arguments: 0..<40)
    func ilpMatchesBruteForceOnRandomCyclicApps(seed: Int) throws {
        let problem = RandomApps.problem(seed: UInt64(seed), services: 7)
        let model = try PlacementModel(problem)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: 30))
        let best = RandomApps.bruteForce(model)
        if let best {
            #expect(solution.status == .optimal, "seed \(seed): \(solution.note ?? "")")
            #expect(close(solution.evaluation.cost.total, best, tolerance: 1e-9), "seed \(seed): \(solution.evaluation.cost.total) vs \(best)")
        } else {
            #expect(solution.status == .infeasible)
            #expect(!solution.feasible)
        }
    }

    @Test func lockedServicesNeverMove() throws {
        var problem = try Fixtures.problem("offload-M021-t00")
        let free = try PlacementSolver.solve(PlacementModel(problem), using: .ilp, options: SolveOptions())
        // Lock the last service the free optimum chose: it must stay in the cloud, and a feasible answer
        // of the restricted problem can never beat the free optimum.
        let chosen = try #require(free.edgeServices.last)
        let index = try #require(problem.services.firstIndex { $0.name == chosen })
        problem.services[index].locked = true
        let solution = PlacementSolver.solve(try PlacementModel(problem), using: .ilp, options: SolveOptions())
        #expect(!solution.edgeServices.contains(chosen))
        if solution.feasible {
            #expect(solution.evaluation.cost.total >= free.evaluation.cost.total - 1e-9)
        } else {
            #expect(solution.status == .infeasible)
        }
    }

    @Test func unoffloadOnlyRemovesAndOffloadOnlyAdds() throws {
        for instance in ["unoffload-lambda-M051-t00", "unoffload-delay-M021-t02"] {
            let model = try Fixtures.model(instance)
            let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions())
            #expect(solution.added.isEmpty)
            #expect(Set(solution.edgeServices).isSubset(of: Set(model.problem.currentEdgeServices)))
        }
        var problem = try Fixtures.problem("unoffload-lambda-M051-t00")
        problem.action = .offload
        problem.target = Target(delayReductionSeconds: 0.001)
        let offload = PlacementSolver.solve(try PlacementModel(problem), using: .ilp, options: SolveOptions())
        #expect(offload.removed.isEmpty)
        let free = PlacementSolver.solve(
            try PlacementModel(problem), using: .ilp, options: SolveOptions(allowRemoval: true))
        #expect(free.evaluation.cost.total <= offload.evaluation.cost.total + 1e-9)
    }

    @Test func impossibleTargetIsInfeasible() throws {
        var problem = try Fixtures.problem("offload-M021-t01")
        problem.target = Target(delayReductionSeconds: 10)
        let model = try PlacementModel(problem)
        let solution = PlacementSolver.solve(model, using: .ilp, options: SolveOptions())
        #expect(solution.status == .infeasible)
        #expect(!solution.feasible)
        #expect(solution.evaluation.delaySeconds <= model.current.delaySeconds)
        var unoffload = try Fixtures.problem("unoffload-delay-M021-t00")
        unoffload.target = Target(maxDelayIncreaseSeconds: -10)
        let current = PlacementSolver.solve(try PlacementModel(unoffload), using: .ilp, options: SolveOptions())
        #expect(current.status == .infeasible)
        #expect(current.removed.isEmpty && current.added.isEmpty)
    }

    /// The budget bounds the greedy too (issue 14): a microsecond is gone before it starts, so the answer is its
    /// best placement so far, flagged, and the ILP is not started.
    @Test func exhaustedBudgetReturnsTheGreedysBestSoFar() throws {
        let model = try Fixtures.model("offload-M201-t01")
        let solution = PlacementSolver.solve(model, using: .auto, options: SolveOptions(timeLimitSeconds: 1e-6))
        #expect(solution.budgetLimited)
        #expect(solution.solver == "greedy")
        #expect(solution.status == (solution.feasible ? .fallback : .infeasible))
        #expect(solution.note?.hasPrefix("the time budget ran out before the ILP started") == true)
        #expect(solution.removed.isEmpty)
    }

    @Test func tooLargeForTheILPFallsBackToGreedy() throws {
        let model = try Fixtures.model("offload-M051-t00")
        let solution = PlacementSolver.solve(model, using: .auto, options: SolveOptions(maxILPServices: 10))
        #expect(solution.status == .fallback)
        #expect(solution.solver == "greedy")
        #expect(solution.note?.contains("max-ilp-services") == true)
    }
}
