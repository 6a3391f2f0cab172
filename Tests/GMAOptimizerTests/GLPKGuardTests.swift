import Foundation
import Testing

@testable import GMAOptimizer

/// GLPK's fatal errors and hostile numbers come back as errors; the process and later solves carry on.
@Suite(.serialized) struct GLPKGuardTests {
    static func knapsack() -> MILPModel {
        var m = MILPModel()
        let values = [10.0, 13, 18, 31, 7, 15]
        let weights = [11.0, 15, 20, 35, 10, 33]
        let columns = values.indices.map { m.addColumn("v\($0)", kind: .binary, cost: -values[$0]) }
        m.addRow("capacity", columns.indices.map { .init(column: columns[$0], coefficient: weights[$0]) }, upper: 47)
        return m
    }

    static func settings() -> MILPSettings { MILPSettings(deadline: GLPKSolver.now() + 10) }

    @Test func solvesAKnapsack() {
        let outcome = GLPKSolver.solve(Self.knapsack(), settings: Self.settings())
        #expect(outcome.status == .optimal)
        #expect(outcome.objective == -41)
    }

    @Test func fatalGLPKErrorIsCaughtAndTheNextSolveWorks() {
        var broken = Self.knapsack()
        broken.appendUncheckedEntry(row: 0, column: 99, value: 1)  // GLPK: column index out of range
        let outcome = GLPKSolver.solve(broken, settings: Self.settings())
        #expect(outcome.status == .error)
        #expect(outcome.message.contains("out of range"), "\(outcome.message)")
        let next = GLPKSolver.solve(Self.knapsack(), settings: Self.settings())
        #expect(next.status == .optimal)
        #expect(next.objective == -41)
    }

    @Test func nonFiniteNumbersAreRefusedBeforeGLPK() {
        var m = Self.knapsack()
        m.addRow("nan", [.init(column: 0, coefficient: .nan)], upper: 1)
        let outcome = GLPKSolver.solve(m, settings: Self.settings())
        #expect(outcome.status == .error)
        #expect(outcome.message.contains("refused"))
    }

    /// Validation rejects such values now (issue 14); modelled anyway, every solver still answers.
    @Test func hugeValuesInAProblemDoNotCrash() throws {
        var problem = try Fixtures.problem("offload-small-M08-t00")
        problem.services[1].cpuUsageCores.cloud = 1e300
        problem.services[2].responseBytes = 1e250
        problem.userRequestsPerSecond = 1e200
        #expect(throws: ProblemError.self) { try PlacementModel(problem) }
        let model = PlacementModel(validated: problem)
        for kind in SolverKind.allCases {
            let solution = PlacementSolver.solve(model, using: kind, options: SolveOptions(timeLimitSeconds: 2))
            #expect(solution.edgeServices.count <= problem.services.count)
        }
    }

    @Test func deadlineInThePastEndsTheSearch() {
        let outcome = GLPKSolver.solve(Self.knapsack(), settings: MILPSettings(deadline: GLPKSolver.now() - 1))
        #expect(outcome.status != .error)
    }
}
