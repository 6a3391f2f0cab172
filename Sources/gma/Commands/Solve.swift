import ArgumentParser
import Foundation
import GMAOptimizer

struct Solve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Choose the cheapest edge placement that meets the problem's delay target.",
        discussion: """
            auto runs the exact integer program on GLPK within the time limit and falls back to the greedy; \
            ilp always tries the program; greedy runs the heuristic only. Every figure printed is the model's.

              gma solve problem.json
              gma solve problem.json --solver greedy --format json
              gma solve problem.json --time-limit 500ms --write-lp model.lp
            """
    )

    @Argument(help: "A gma/v1 problem file (- for standard input).")
    var problem: String

    @OptionGroup var input: ProblemInputOptions

    @OptionGroup var solverOptions: SolverOptions

    @Flag(name: .long, help: "Offload may also remove current edge services (free re-placement).")
    var allowRemoval = false

    @Option(name: .long, help: "Write the integer program in CPLEX LP format to this file.")
    var writeLp: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingUserErrors {
            let parsed = try InputFiles.problem(at: problem, maximumBytes: input.maxInputSize)
            // The budget bounds everything after parsing, building the model included.
            var options = solverOptions.solveOptions
            options.budgetStart = .now
            let model = PlacementModel(parsed)
            options.allowRemoval = allowRemoval
            if let writeLp {
                if let failure = PlacementSolver.writeProgram(model, options: options, to: writeLp) {
                    throw UserFacingError("\(writeLp): \(failure)")
                }
            }
            let solution = PlacementSolver.solve(model, using: solverOptions.solver, options: options)
            switch output.format {
            case .json: print(solution.json.rendered(pretty: true))
            case .text: print(SolutionText(model: model, solution: solution).rendered)
            }
        }
    }
}
