import ArgumentParser
import Foundation

/// Command line of `gma-bench` (swift-argument-parser).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gma-bench",
        abstract: "The ILP and the greedy against the reference SBMP over the public instances and generated apps.",
        discussion: """
            gma-bench                                 the suite: public instances and generated apps
            gma-bench --model-timing 2000             µs per model evaluation on the public offload instances
            gma-bench --multi-edge                    the K-edge cases and the large single-edge ones (BENCHMARKS.md)
            """)

    @Option(help: "gma/v1 problems with .reference.json beside them (default ../shared/bench/instances).")
    var instances: String?

    @Option(help: "ilp (PlacementSolver, one row per budget) and/or greedy (GreedyPlacer), comma-separated.",
            transform: { try BenchCommand.list($0) { ["ilp", "greedy"].contains($0) ? $0 : nil } })
    var solvers: [String] = ["ilp", "greedy"]

    @Option(help: "Time limits of the ILP rows, in seconds, comma-separated.",
            transform: { try BenchCommand.list($0) { Double($0).flatMap { $0 > 0 ? $0 : nil } } })
    var ilpBudgets: [Double] = [0.5, 2]

    @Option(help: "Generated apps (gma generate) of these many services, comma-separated; '' for none.",
            transform: { try BenchCommand.list($0) { Int($0).flatMap { $0 > 0 ? $0 : nil } } })
    var sizes: [Int] = [201, 500, 1000, 2000]

    @Option(help: "Generated apps per size (seeds 1…N).")
    var seeds = 3

    @Option(name: .customLong("repeat"), help: "Greedy runs per problem; the median time counts (the ILP runs once).")
    var repeats = 3

    @Option(name: .customLong("out"), help: "Where records.csv, summary.csv, by-size.csv and bench.svg go (default Benchmarks/results).")
    var output: String?

    @Option(help: "Only public instances whose name contains this text.")
    var filter: String?

    @Flag(help: "Generated apps only.")
    var skipPublic = false

    @Option(help: "Time this many model evaluations per public offload instance instead, and print µs each.")
    var modelTiming: Int?

    @Flag(help: "Run the K-edge cases (K = 3 with 100 services, K = 5 with 200) and single-edge 1,000 and 2,000 instead.")
    var multiEdge = false

    @Option(help: "With --multi-edge: 'multi' (the K-edge cases only), 'single' (the single-edge ones only) or 'all'.")
    var cases = "all"

    @Option(help: "With --multi-edge: the ILP's budget in seconds (the time to proof is what is measured).")
    var ilpBudget = 10.0

    @Option(help: "With --multi-edge: the longer ILP budget that gives the best known cost of the K = 5 cases.")
    var referenceBudget = 60.0

    func validate() throws {
        guard seeds > 0 else { throw ValidationError("--seeds must be positive") }
        guard repeats > 0 else { throw ValidationError("--repeat must be positive") }
        if let modelTiming, modelTiming <= 0 { throw ValidationError("--model-timing must be positive") }
        guard ilpBudget > 0, referenceBudget > 0 else { throw ValidationError("budgets must be positive") }
        guard ["all", "multi", "single"].contains(cases) else { throw ValidationError("--cases: all, multi or single") }
    }

    static func list<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
        try text.split(separator: ",").map {
            guard let v = parse(String($0).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("cannot read '\($0)'")
            }
            return v
        }
    }

    var options: BenchOptions {
        // The repository is three levels above this file; default paths do not depend on the working directory.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return BenchOptions(
            instances: instances
                ?? repository.deletingLastPathComponent().appendingPathComponent("shared/bench/instances").path,
            solvers: solvers, ilpBudgets: ilpBudgets, sizes: sizes, seeds: seeds, repeats: repeats,
            output: output ?? repository.appendingPathComponent("Benchmarks/results").path, filter: filter,
            skipPublic: skipPublic, modelTiming: modelTiming)
    }

    func run() throws {
        if multiEdge {
            let bench = MultiEdgeBench(seeds: seeds, repeats: repeats, ilpBudget: ilpBudget, referenceBudget: referenceBudget)
            print(bench.run(multi: cases != "single", single: cases != "multi"))
            return
        }
        try runBench(options)
    }
}

/// What a suite run needs, from the command line.
struct BenchOptions {
    var instances: String
    var solvers: [String]
    var ilpBudgets: [Double]
    var sizes: [Int]
    var seeds: Int
    var repeats: Int
    var output: String
    var filter: String?
    var skipPublic: Bool
    /// Time the model's evaluation instead of the solvers: this many evaluations per instance.
    var modelTiming: Int?

    /// One row configuration per solver and budget, in the order of the table.
    var configurations: [SolverConfiguration] {
        var list: [SolverConfiguration] = []
        if solvers.contains("ilp") { list += ilpBudgets.map { .ilp(budget: $0) } }
        if solvers.contains("greedy") { list.append(.greedy) }
        return list
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
