import Foundation
import GMAOptimizer

/// gma-bench: the ILP and the greedy against the reference SBMP over the public instances and generated apps.
func runBench(_ options: BenchOptions) throws {
    func log(_ message: String) { FileHandle.standardError.write(Data("gma-bench: \(message)\n".utf8)) }
    if let evaluations = options.modelTiming {
        print(try ModelTiming.run(instances: options.instances, evaluations: evaluations))
        return
    }
    var cases: [BenchCase] = []
    if !options.skipPublic {
        cases += try BenchCase.publicCases(in: options.instances, filter: options.filter)
        log("\(cases.count) public instances from \(options.instances)")
    }
    if !options.sizes.isEmpty {
        let generated = try BenchCase.generatedCases(sizes: options.sizes, seeds: options.seeds)
        log("\(generated.count) generated apps (\(options.sizes.map(String.init).joined(separator: ", ")) services)")
        cases += generated
    }
    guard !cases.isEmpty else { throw BenchError("no problems to run") }
    let (records, peaks) = BenchRunner(options: options).run(cases, progress: log)
    let summary = BenchSummary(records: records, peaks: peaks, options: options)
    print("solvers: \(options.configurations.map(\.label).joined(separator: ", ")); greedy time = median of \(options.repeats) runs")
    print(summary.table)
    try summary.write(records: records, to: options.output)
    try SVGPlot(bySize: summary.bySize).render().write(toFile: "\(options.output)/bench.svg", atomically: true, encoding: .utf8)
    log("wrote records.csv, summary.csv, by-size.csv and bench.svg to \(options.output)")
}

BenchCommand.main()
