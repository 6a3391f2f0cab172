import Foundation
import Testing

@testable import GMAOptimizer

/// The greedy placement: the reference's instances, the guarantees (determinism, locked services,
/// unoffload, cycles) and the incremental evaluation it relies on.
@Suite struct GreedyTests {
    static func solve(_ model: PlacementModel, allowRemoval: Bool = false) -> PlacementSolution {
        GreedyPlacer(model: model, options: SolveOptions(allowRemoval: allowRemoval)).solve()
    }

    static func sbmp(_ instance: String) -> (cost: Double, feasible: Bool)? {
        let results = Fixtures.reference(instance)["results"] as? [String: Any]
        guard let sbmp = results?["SBMP"] as? [String: Any],
            let cost = (sbmp["costPerHour"] as? [String: Any])?["total"] as? Double,
            let feasible = sbmp["feasible"] as? Bool
        else { return nil }
        return (cost, feasible)
    }

    static func optimum(_ instance: String) -> Double? {
        let results = Fixtures.reference(instance)["results"] as? [String: Any]
        guard let optimum = results?["optimum"] as? [String: Any], optimum["feasible"] as? Bool == true else { return nil }
        return (optimum["costPerHour"] as? [String: Any])?["total"] as? Double
    }

    // MARK: - Reference instances

    @Test(arguments: Fixtures.referenceInstances)
    func meetsTheTargetWhereSBMPDoes(instance: String) throws {
        let model = try Fixtures.model(instance)
        let solution = Self.solve(model)
        #expect(solution.solver == "greedy")
        #expect(solution.status != .optimal)
        #expect(solution.status == (solution.feasible ? .feasible : .infeasible))
        if let sbmp = Self.sbmp(instance), sbmp.feasible {
            #expect(solution.feasible, "SBMP meets the target of \(instance), the greedy does not")
        }
        // The figures are the model's own, not the incremental estimates.
        let exact = model.evaluate(try model.edgeSet(named: solution.edgeServices))
        #expect(exact.cost.total == solution.evaluation.cost.total)
        #expect(exact.delaySeconds == solution.evaluation.delaySeconds)
        #expect(solution.nodes > 0)
    }

    @Test func costIsAtMostSBMPsOnNinetyFivePercent() throws {
        var compared = 0
        var atMost = 0
        var worse: [String] = []
        for instance in Fixtures.referenceInstances {
            guard let sbmp = Self.sbmp(instance), sbmp.feasible else { continue }
            let cost = Self.solve(try Fixtures.model(instance)).evaluation.cost.total
            compared += 1
            if cost <= sbmp.cost * (1 + 1e-9) { atMost += 1 } else { worse.append(instance) }
        }
        #expect(compared >= 150)
        #expect(Double(atMost) >= 0.95 * Double(compared), "cost above SBMP's on \(worse)")
    }

    @Test func closeToTheExhaustiveOptimum() throws {
        var ratios: [Double] = []
        for instance in Fixtures.referenceInstances {
            guard let optimum = Self.optimum(instance) else { continue }
            let solution = Self.solve(try Fixtures.model(instance))
            #expect(solution.feasible, "\(instance) has a feasible optimum")
            // Nothing cheaper than the exhaustive optimum can meet the target.
            #expect(solution.evaluation.cost.total >= optimum * (1 - 1e-9), "\(instance) below the optimum")
            ratios.append(solution.evaluation.cost.total / optimum)
        }
        ratios.sort()
        #expect(ratios.count >= 50)
        #expect(ratios[ratios.count / 2] <= 1.01, "median ratio to the optimum \(ratios[ratios.count / 2])")
        #expect(ratios.last! <= 1.05, "worst ratio to the optimum \(ratios.last!)")
    }

    @Test func sameInputSameOutput() throws {
        for instance in ["offload-M201-t00", "offload-small-M12-t03", "unoffload-delay-M051-t00"] {
            let model = try Fixtures.model(instance)
            let first = Self.solve(model)
            let second = Self.solve(try Fixtures.model(instance))
            #expect(first.edgeServices == second.edgeServices, "\(instance)")
            #expect(first.evaluation.cost.total == second.evaluation.cost.total)
            #expect(first.nodes == second.nodes)
        }
    }

    // MARK: - What may move

    @Test func offloadOnlyAddsAndLockedNeverMove() throws {
        var problem = try Fixtures.problem("offload-M051-t00")
        // Lock a few of the entry service's callees and put two others at the edge already.
        let entryCallees = problem.calls.filter { $0.from == "s0" }.map(\.to)
        let locked = Set(entryCallees.prefix(2))
        for i in problem.services.indices where locked.contains(problem.services[i].name) {
            problem.services[i].locked = true
        }
        for name in ["s0", entryCallees.last!] {
            let i = problem.services.firstIndex { $0.name == name }!
            problem.services[i].atEdge = true
        }
        let model = try PlacementModel(problem)
        let solution = Self.solve(model)
        #expect(solution.removed.isEmpty)
        #expect(Set(solution.edgeServices).isDisjoint(with: locked))
        #expect(Set(solution.edgeServices).isSuperset(of: ["s0", entryCallees.last!]))
    }

    @Test func allowRemovalMayRemoveButNotLocked() throws {
        var problem = try Fixtures.problem("unoffload-lambda-M051-t00")
        problem.action = .offload
        problem.target = Target(delayReductionSeconds: 0)
        let edge = problem.services.indices.filter { problem.services[$0].atEdge }
        let lockedIndex = edge.last!
        problem.services[lockedIndex].locked = true
        let model = try PlacementModel(problem)
        let without = Self.solve(model)
        #expect(without.removed.isEmpty)
        let with = Self.solve(model, allowRemoval: true)
        #expect(with.feasible)
        #expect(with.edgeServices.contains(problem.services[lockedIndex].name))
        #expect(with.evaluation.cost.total <= without.evaluation.cost.total)
    }

    @Test(arguments: Fixtures.referenceInstances.filter { $0.hasPrefix("unoffload") })
    func unoffloadOnlyRemovesAndSavesAtLeastWhatSBMPSaves(instance: String) throws {
        let model = try Fixtures.model(instance)
        let solution = Self.solve(model)
        #expect(solution.added.isEmpty)
        #expect(Set(solution.edgeServices).isSubset(of: Set(model.names(of: model.current.atEdge))))
        #expect(solution.feasible)
        #expect(solution.evaluation.cost.total <= model.current.cost.total + 1e-9)
        if let sbmp = Self.sbmp(instance), sbmp.feasible {
            #expect(solution.evaluation.cost.total <= sbmp.cost * (1 + 1e-9), "\(instance)")
        }
    }

    @Test func unoffloadOverItsLimitKeepsTheCurrentPlacement() throws {
        var problem = try Fixtures.problem("unoffload-delay-M021-t00")
        let model = try PlacementModel(problem)
        problem.target = Target(maxDelayIncreaseSeconds: -(model.current.delaySeconds - model.cloudOnly.delaySeconds) - 1)
        let over = try PlacementModel(problem)
        #expect(!over.meetsTarget(delaySeconds: over.current.delaySeconds))
        let solution = Self.solve(over)
        #expect(solution.status == .infeasible)
        #expect(solution.edgeServices == over.names(of: over.current.atEdge))
    }

    @Test func infeasibleOffloadReturnsTheSmallestDelayFound() throws {
        var problem = try Fixtures.problem("offload-M031-t00")
        problem.target = Target(delayReductionSeconds: 10)
        let model = try PlacementModel(problem)
        let solution = Self.solve(model)
        #expect(solution.status == .infeasible)
        #expect(!solution.feasible)
        #expect(solution.evaluation.delaySeconds < model.current.delaySeconds)
        // At least as good as the best single group the frontier offers.
        let frontier = model.evaluate(try model.edgeSet(named: ["s0"]))
        #expect(solution.evaluation.delaySeconds <= max(frontier.delaySeconds, model.current.delaySeconds))
    }

    // MARK: - Cycles and self-calls

    @Test(arguments: 1...24)
    func cyclicAppsMatchTheBruteForceFeasibility(seed: Int) throws {
        let model = try PlacementModel(RandomApps.problem(seed: UInt64(seed), services: 9))
        let solution = Self.solve(model)
        let optimum = RandomApps.bruteForce(model)
        #expect(solution.feasible == (optimum != nil), "seed \(seed)")
        if let optimum, solution.feasible {
            #expect(solution.evaluation.cost.total >= optimum * (1 - 1e-9))
            #expect(solution.evaluation.cost.total <= optimum * 1.1, "seed \(seed): \(solution.evaluation.cost.total) vs \(optimum)")
        }
    }

    @Test func selfCallingEntryService() throws {
        var problem = RandomApps.problem(seed: 5, services: 6)
        problem.calls.append(Call(from: "s0", to: "s0", perRequest: 0.3))
        let model = try PlacementModel(problem)
        let solution = Self.solve(model)
        #expect(solution.feasible == (RandomApps.bruteForce(model) != nil))
        #expect(solution.status != .optimal)
    }

    // MARK: - Incremental evaluation

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func trialsAgreeWithTheModel(seed: Int) throws {
        let model = try PlacementModel(RandomApps.problem(seed: UInt64(100 + seed), services: 12))
        try Self.checkTrials(model, seed: UInt64(seed))
    }

    @Test func trialsAgreeWithTheModelOnAReferenceInstance() throws {
        try Self.checkTrials(try Fixtures.model("offload-M101-t00"), seed: 9)
    }

    /// Random committed placements and random groups: every trial must match a full evaluation.
    static func checkTrials(_ model: PlacementModel, seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let n = model.serviceCount
        var start = [Bool](repeating: false, count: n)
        for i in 0..<n where random.unit() < 0.4 { start[i] = true }
        var state = IncrementalEvaluator(model: model, atEdge: start)
        for step in 0..<40 {
            let size = 1 + random.integer(0, 3)
            var group: [Int] = []
            while group.count < size {
                let v = random.integer(0, n)
                if !group.contains(v) { group.append(v) }
            }
            let trial = state.trial(flipping: group[...])
            var flipped = state.edgeSet
            for v in group { flipped[v].toggle() }
            let exact = model.evaluate(flipped)
            #expect(close(trial.cost, exact.cost.total, tolerance: 1e-9), "step \(step): cost \(trial.cost) vs \(exact.cost.total)")
            #expect(close(trial.delay, exact.delaySeconds, tolerance: 1e-9), "step \(step): delay \(trial.delay) vs \(exact.delaySeconds)")
            if step % 3 == 0 { state.commit(flipping: group) }
        }
    }

    // MARK: - Scale

    @Test func generatedTwoThousandServiceApp() throws {
        let model = try PlacementModel(AppGenerator(services: 2000, seed: 11).problem())
        let solution = Self.solve(model)
        #expect(solution.status == .feasible)
        #expect(solution.feasible)
        #expect(!solution.edgeServices.isEmpty)
        #expect(solution.removed.isEmpty)
    }
}
