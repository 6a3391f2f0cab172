import Dispatch
import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl

/// Blocking solves leave Swift's cooperative pool (docs/architecture.md).
@Suite struct BuiltInSolverTests {
    /// More blocked solves than the pool has threads: each waits until a task on the pool lets it go. On the
    /// pool they would hold every thread and the task that releases them could never run; on the solver's
    /// own queue they run one by one while the pool stays free. The 60 s is a guard against a hang, not a
    /// measured time: a pass never waits for it.
    @Test func blockingSolvesDoNotHoldTheCooperativePool() async {
        let count = ProcessInfo.processInfo.activeProcessorCount + 2
        let release = DispatchSemaphore(value: 0)
        let released = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask { await SolverQueue.shared.run { release.wait(timeout: .now() + 60) == .success } }
            }
            group.addTask {
                for _ in 0..<count { release.signal() }
                return true
            }
            var all: [Bool] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(released.count == count + 1)
        #expect(released.allSatisfy { $0 }, "every solve was released by a task on the pool")
    }

    /// The built-in solver gives the placement `PlacementSolver` gives, through the queue.
    @Test func theBuiltInSolverAnswersAsTheOptimizerDoes() async throws {
        let model = try PlacementModel(ControllerTestWorld.settings().template)
        let direct = PlacementSolver.solve(model, using: .ilp, options: SolveOptions())
        let queued = await BuiltInSolver(.ilp).solve(model, options: SolveOptions())
        #expect(queued.edgeServices == direct.edgeServices)
        #expect(queued.status == direct.status)
    }
}
