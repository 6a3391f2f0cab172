import Foundation
import GMATestSupport
import Testing

@testable import GMAOptimizer

/// The program written with `--write-lp` is a valid CPLEX LP file: GLPK's own glpsol solves it to the
/// objective our in-process solve finds.
@Suite struct LPExportTests {
    static let glpsol = "/usr/bin/glpsol"

    /// Solves the LP file with glpsol and returns the objective its report prints.
    static func glpsolObjective(lp: String, report: String) throws -> Double {
        #expect(try ChildProcess(glpsol, ["--lp", lp, "-o", report]).wait() == 0)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("Objective:") })
        return try #require(line.split(separator: " ").compactMap { Double($0) }.first)
    }

    @Test(arguments: ["offload-small-M12-t02", "offload-M051-t01", "unoffload-lambda-M101-t01"])
    func glpsolAgreesWithInProcessSolve(instance: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.glpsol), "glpsol missing: run scripts/setup")
        let model = try Fixtures.model(instance)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-lp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lp = directory.appendingPathComponent("model.lp").path
        let report = directory.appendingPathComponent("report.txt").path
        #expect(PlacementSolver.writeProgram(model, options: SolveOptions(), to: lp) == nil)

        let value = try Self.glpsolObjective(lp: lp, report: report)

        let formulation = PlacementFormulation(model: model, allowRemoval: false)
        let ours = GLPKSolver.solve(formulation.milp, settings: MILPSettings(deadline: GLPKSolver.now() + 30))
        #expect(ours.status == .optimal)
        // glpsol prints the objective with 10 significant digits.
        #expect(close(value, ours.objective, tolerance: 1e-8), "glpsol \(value) vs \(ours.objective)")
    }
}
