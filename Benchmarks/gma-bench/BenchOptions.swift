import Foundation

/// Command line of `gma-bench` (no argument-parser dependency: the target only depends on GMAOptimizer).
struct BenchOptions {
    var instances: String
    var solvers: [String] = ["ilp", "greedy"]
    var ilpBudgets: [Double] = [0.5, 2]
    var sizes: [Int] = [201, 500, 1000, 2000]
    var seeds = 3
    var repeats = 3
    var output: String
    var filter: String?
    var skipPublic = false
    /// Time the model's evaluation instead of the solvers: this many evaluations per instance.
    var modelTiming: Int?

    static let usage = """
        usage: gma-bench [--instances DIR] [--solvers ilp,greedy] [--ilp-budgets 0.5,2] [--sizes 201,500,1000,2000]
                         [--seeds 3] [--repeat 3] [--out DIR] [--filter TEXT] [--skip-public]
               gma-bench --model-timing N [--instances DIR]

          --instances DIR   gma/v1 problems with .reference.json beside them (default ../shared/bench/instances)
          --solvers LIST    ilp (PlacementSolver, one row per budget) and/or greedy (GreedyPlacer)
          --ilp-budgets S   time limits of the ILP rows, in seconds
          --sizes LIST      generated apps (gma generate) of these many services; '' for none
          --seeds N         generated apps per size (seeds 1…N)
          --repeat K        greedy runs per problem; the median time counts (the ILP runs once)
          --out DIR         where records.csv, summary.csv, by-size.csv and bench.svg go (default Benchmarks/results)
          --filter TEXT     only public instances whose name contains TEXT
          --skip-public     generated apps only
          --model-timing N  time N model evaluations per public offload instance instead, and print µs each
        """

    init(arguments: [String]) throws {
        // The repository is three levels above this file; default paths do not depend on the working directory.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        instances = repository.deletingLastPathComponent().appendingPathComponent("shared/bench/instances").path
        output = repository.appendingPathComponent("Benchmarks/results").path
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let v = rest.popFirst() else { throw BenchError("\(flag) needs a value") }
            return v
        }
        func list<T>(_ flag: String, _ parse: (String) -> T?) throws -> [T] {
            let text = try value(flag)
            return try text.split(separator: ",").map {
                guard let v = parse(String($0).trimmingCharacters(in: .whitespaces)) else {
                    throw BenchError("\(flag): cannot read '\($0)'")
                }
                return v
            }
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--instances": instances = try value(flag)
            case "--solvers":
                solvers = try list(flag) { ["ilp", "greedy"].contains($0) ? $0 : nil }
            case "--ilp-budgets": ilpBudgets = try list(flag) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
            case "--sizes": sizes = try list(flag) { Int($0).flatMap { $0 > 0 ? $0 : nil } }
            case "--seeds": seeds = try Int(value(flag)).flatMap { $0 > 0 ? $0 : nil } ?? { throw BenchError("--seeds: a positive count") }()
            case "--repeat": repeats = try Int(value(flag)).flatMap { $0 > 0 ? $0 : nil } ?? { throw BenchError("--repeat: a positive count") }()
            case "--out": output = try value(flag)
            case "--filter": filter = try value(flag)
            case "--skip-public": skipPublic = true
            case "--model-timing":
                modelTiming = try Int(value(flag)).flatMap { $0 > 0 ? $0 : nil } ?? { throw BenchError("--model-timing: a positive count") }()
            case "-h", "--help": throw BenchError(Self.usage)
            default: throw BenchError("unknown option \(flag)\n\(Self.usage)")
            }
        }
    }

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
