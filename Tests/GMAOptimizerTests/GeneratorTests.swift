import Foundation
import GMAOptimizer
import Testing

/// `gma generate`: the reference simulators' distributions, reproducible from the seed.
@Suite struct GeneratorTests {
    @Test func seededStreamIsFixed() {
        // Values of xoshiro256** seeded by SplitMix64(42), from an independent implementation: a change here
        // changes every generated problem.
        var random = SeededRandom(seed: 42)
        #expect(random.next() == 1_546_998_764_402_558_742)
        #expect(random.next() == 6_990_951_692_964_543_102)
        #expect(random.next() == 12_544_586_762_248_559_009)
    }

    @Test func integersStayInRange() {
        var random = SeededRandom(seed: 7)
        for _ in 0..<10_000 {
            let value = random.integer(200_000, 2_000_000)
            #expect(value >= 200_000 && value < 2_000_000)
        }
    }

    @Test func sameSeedSameProblem() throws {
        let a = AppGenerator(services: 120, seed: 5).problem()
        let b = AppGenerator(services: 120, seed: 5).problem()
        #expect(a == b)
        #expect(try a.encoded() == b.encoded())
        #expect(AppGenerator(services: 120, seed: 6).problem() != a)
    }

    @Test(arguments: [1, 2, 10, 200, 1000])
    func drawsLikeTheSimulators(services n: Int) throws {
        let problem = AppGenerator(services: n, seed: 3).problem()
        #expect(problem.services.count == n)
        #expect(problem.services.map(\.name) == (0..<n).map { "s\($0)" })
        #expect(problem.calls.first == Call(from: "user", to: "s0", perRequest: 1))
        // Every service but s0 is called by earlier services only: a DAG rooted at s0.
        var callers = [Int](repeating: 0, count: n)
        for call in problem.calls.dropFirst() {
            let from = Int(call.from.dropFirst())!
            let to = Int(call.to.dropFirst())!
            #expect(from < to)
            #expect(call.perRequest >= 0.1 && call.perRequest < 0.5)
            callers[to] += 1
        }
        #expect(callers.dropFirst().allSatisfy { $0 >= 1 })
        for (i, s) in problem.services.enumerated() {
            if i == 0 { #expect(s.responseBytes == 2e6) } else { #expect(s.responseBytes >= 2e5 && s.responseBytes < 2e6) }
            #expect(s.cpuUsageCores.cloud >= 25 && s.cpuUsageCores.cloud < 200)
            #expect(s.cpuUsageCores.edge == 0)
            #expect(s.memoryUsageBytes.cloud == 2 * s.cpuUsageCores.cloud * 1e9)
            #expect(!s.atEdge && !s.locked)
        }
        let model = try PlacementModel(problem)
        // Internal delays are rescaled to 0.05 s in total; the target is the cloud-only delay − 0.1 s.
        #expect(close(model.cloudOnly.internalDelaySeconds, 0.05, tolerance: 1e-12))
        #expect(close(problem.target.delayReductionSeconds!, max(model.cloudOnly.delaySeconds - 0.1, 0), tolerance: 1e-12))
        #expect(model.cloudOnly.cost.total > 0)
    }

    @Test func fanInIsParetoDistributed() {
        let problem = AppGenerator(services: 3000, seed: 1).problem()
        var callers: [String: Int] = [:]
        for call in problem.calls { callers[call.to, default: 0] += 1 }
        let multi = callers.values.filter { $0 >= 2 }.count
        // Shape 10: P(fan-in ≥ 2) = 1.5^-10 ≈ 1.7%.
        let share = Double(multi) / 3000
        #expect(share > 0.005 && share < 0.04, "share with two or more callers: \(share)")
        // Preferential attachment: the busiest caller has far more callees than the average (≈ 1).
        var callees: [String: Int] = [:]
        for call in problem.calls { callees[call.from, default: 0] += 1 }
        #expect(callees.values.max()! >= 20)
    }

    @Test func networkAndRateOptionsShapeTheTarget() throws {
        var generator = AppGenerator(services: 80, seed: 2)
        generator.rttSeconds = 0.04
        generator.bitsPerSecond = 10e9
        generator.requestsPerSecond = 20
        let problem = generator.problem()
        #expect(problem.network.rttSeconds == 0.04)
        #expect(problem.network.cloudToEdgeBitsPerSecond == 10e9)
        #expect(problem.userRequestsPerSecond == 20)
        #expect(problem.services.allSatisfy { $0.cpuUsageCores.cloud >= 10 && $0.cpuUsageCores.cloud < 80 })
        let model = try PlacementModel(problem)
        #expect(close(problem.target.delayReductionSeconds!, max(model.cloudOnly.delaySeconds - 0.1, 0), tolerance: 1e-12))
    }

    @Test func unoffloadStartsFromTheGreedyPlacement() throws {
        var generator = AppGenerator(services: 150, seed: 4)
        generator.action = .unoffload
        let problem = generator.problem()
        #expect(problem.action == .unoffload)
        #expect(problem.services.contains { $0.atEdge })
        #expect(problem.userRequestsPerSecond < 50)
        let model = try PlacementModel(problem)
        // The allowed delay is 0.1 s: the current placement meets it with the slack the target gives.
        #expect(close(model.current.delaySeconds + problem.target.maxDelayIncreaseSeconds!, 0.1, tolerance: 1e-12))
        let solution = GreedyPlacer(model: model, options: SolveOptions()).solve()
        #expect(solution.added.isEmpty)
        #expect(solution.feasible)
    }

    @Test func fiveThousandServices() throws {
        let problem = AppGenerator(services: 5000, seed: 9).problem()
        let model = try PlacementModel(problem)
        #expect(model.serviceCount == 5000)
        #expect(model.cloudOnly.delaySeconds > 0.1)
    }
}

