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

    @Argument(help: "A gma/v1 or gma/v2 (several edges) problem file (- for standard input).")
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
            let data = try BoundedFileReader(maximumBytes: input.maxInputSize).contents(of: problem)
            let source = problem == "-" ? "stdin" : problem
            if MultiEdgeProblem.isVersion2(data) { return try solveMultiEdge(data, source: source) }
            let parsed = try PlacementProblem.decodeValidated(from: data, source: source)
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

    /// A `gma/v2` problem (docs/multi-edge.md): the joint solve, with one block of figures per edge.
    private func solveMultiEdge(_ data: Data, source: String) throws {
        let problem = try MultiEdgeProblem.decode(from: data, source: source)
        var options = solverOptions.solveOptions
        options.budgetStart = .now
        options.allowRemoval = allowRemoval
        if let writeLp {
            if let failure = MultiEdgeSolver.writeProgram(try MultiEdgeModel(problem, allowRemoval: allowRemoval), to: writeLp) {
                throw UserFacingError("\(writeLp): \(failure)")
            }
        }
        let solution = try MultiEdgeSolver.solve(problem, using: solverOptions.solver, options: options)
        switch output.format {
        case .json: print(solution.json.rendered(pretty: true))
        case .text:
            let cost = solution.evaluation.cost
            print("\(solution.status.rawValue) (\(solution.solver)): cost \(cost.total)/h (edges \(cost.edge), cloud \(cost.cloud), network \(cost.network))")
            for (e, name) in solution.edgeNames.enumerated() {
                let services = solution.edgeServices[e].isEmpty ? "nothing" : solution.edgeServices[e].joined(separator: ", ")
                print("  \(name): \(services) at the edge; delay \(solution.evaluation.perEdge[e].delaySeconds) s\(solution.edgeFeasible[e] ? "" : " (misses its target)")")
            }
            if let note = solution.note { print("  note: \(note)") }
        }
    }
}
