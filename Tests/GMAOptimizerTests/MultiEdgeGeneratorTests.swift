import Foundation
import Testing

@testable import GMAOptimizer

/// `gma generate --edges K` and the program `--write-lp` writes for a `gma/v2` problem.
@Suite struct MultiEdgeGeneratorTests {
    @Test func edgesShareTheAppAndSpreadRateAndRTT() throws {
        var app = AppGenerator(services: 40, seed: 9)
        app.requestsPerSecond = 50
        app.rttSeconds = 0.08
        let problem = MultiEdgeGenerator(app: app, edges: 3).problem()
        let single = app.offloadProblem()
        #expect(problem.issues().isEmpty)
        #expect(problem.areas.map(\.name) == ["edge1", "edge2", "edge3"])
        #expect(problem.calls == single.calls)
        #expect(Set(problem.areas.map(\.userRequestsPerSecond)).count == 3)
        for area in problem.areas {
            let factor = area.userRequestsPerSecond / 50
            #expect((0.5...1.5).contains(factor))
            #expect((0.04...0.12).contains(area.network.rttSeconds))
            // Usage per request is the app's: each edge's users cause it at their own rate.
            #expect(close(area.services[7].cpuUsageCores.cloud, single.services[7].cpuUsageCores.cloud * factor))
            // The single-edge generator's target, on this edge's own cloud-only delay.
            let model = try MultiEdgeModel(problem)
            let e = problem.areas.firstIndex { $0.name == area.name }!
            #expect(close(area.target.delayReductionSeconds!, max(model.edges[e].cloudOnly.delaySeconds - 0.1, 0)))
        }
        #expect(MultiEdgeGenerator(app: app, edges: 3).problem() == problem)
    }

    @Test func glpsolSolvesTheWrittenJointProgramToTheSameObjective() throws {
        try #require(FileManager.default.isExecutableFile(atPath: LPExportTests.glpsol), "glpsol missing: run scripts/setup")
        let model = try MultiEdgeModel(MultiEdgeGenerator(app: AppGenerator(services: 25, seed: 4), edges: 3).problem())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-lp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lp = directory.appendingPathComponent("model.lp").path
        let report = directory.appendingPathComponent("report.txt").path
        #expect(MultiEdgeSolver.writeProgram(model, to: lp) == nil)
        let value = try LPExportTests.glpsolObjective(lp: lp, report: report)
        let ours = GLPKSolver.solve(MultiEdgeFormulation(model: model).milp, settings: MILPSettings(deadline: GLPKSolver.now() + 60))
        #expect(ours.status == .optimal)
        #expect(close(value, ours.objective, tolerance: 1e-8), "glpsol \(value) vs \(ours.objective)")
        // The program names every edge's columns apart.
        let program = try String(contentsOfFile: lp, encoding: .utf8)
        #expect(program.contains("x_0_e1") && program.contains("x_0_e3") && program.contains("delay_e2"))
    }
}
