import ArgumentParser
import GMAOptimizer

struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate one placement of a gma/v1 problem with the cost/delay model.",
        discussion: """
            Prints the model's invocations, delay, utilisation, usage, replicas and cost per hour. \
            --format json prints the `outputs` object of conformance.json.

              gma evaluate problem.json --edge s0,s3
              gma evaluate problem.json --edge '' --format json     # nothing at the edge
            """
    )

    @Argument(help: "A gma/v1 problem file (- for standard input).")
    var problem: String

    @OptionGroup var input: ProblemInputOptions

    @Option(
        name: .long,
        help: "Comma-separated services at the edge. Omitted: the problem's current placement; '' for none.")
    var edge: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingUserErrors {
            let model = PlacementModel(try InputFiles.problem(at: problem, maximumBytes: input.maxInputSize))
            let placement: [Bool]
            if let edge {
                let names = edge.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
                placement = try model.edgeSet(named: names)
            } else {
                placement = model.current.atEdge
            }
            let evaluation = model.evaluate(placement)
            switch output.format {
            case .json: print(model.report(evaluation).rendered(pretty: true))
            case .text: print(EvaluationText(model: model, evaluation: evaluation).rendered)
            }
        }
    }
}
