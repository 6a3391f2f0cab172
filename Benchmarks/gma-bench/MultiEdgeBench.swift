import Foundation
import GMAOptimizer

/// The speed goals of the K-edge work (BENCHMARKS.md, "Several edges"): generated apps over K edges and large
/// single-edge apps, solved by the ILP (time to proof within `ilpBudget`) and the greedy (median of `repeats`).
struct MultiEdgeBench {
    let seeds: Int
    let repeats: Int
    let ilpBudget: Double
    let referenceBudget: Double

    struct Row {
        var label: String
        var ilpSeconds: [Double] = []
        var proven = 0
        var gaps: [Double] = []
        var greedySeconds: [Double] = []
        /// Greedy cost over the best known cost, per problem.
        var greedyRatios: [Double] = []
        var problems = 0
    }

    func run(multi: Bool, single: Bool) -> String {
        var rows: [Row] = []
        for (edges, services) in [(3, 100), (5, 200)] where multi {
            rows.append(multiEdgeRow(edges: edges, services: services))
        }
        for services in [1000, 2000] where single { rows.append(singleEdgeRow(services: services)) }
        var lines = [
            "ILP budget \(ilpBudget) s; best known = min(ILP at \(referenceBudget) s, ILP in budget, greedy); greedy: median of \(repeats)",
            "| case | problems | ILP proven | ILP p50 s | ILP max s | max gap | greedy p50 s | greedy max s | greedy / best known (max) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows {
            func p(_ values: [Double], _ q: Double) -> String {
                values.isEmpty ? "–" : String(format: "%.3f", BenchStatistics.percentile(values, q))
            }
            let gap = row.gaps.max().map { String(format: "%.2f %%", $0 * 100) } ?? "–"
            let ratio = row.greedyRatios.max().map { String(format: "%.4f", $0) } ?? "–"
            lines.append(
                "| \(row.label) | \(row.problems) | \(row.proven)/\(row.problems) | \(p(row.ilpSeconds, 0.5)) | "
                    + "\(p(row.ilpSeconds, 1)) | \(gap) | \(p(row.greedySeconds, 0.5)) | \(p(row.greedySeconds, 1)) | \(ratio) |")
        }
        return lines.joined(separator: "\n")
    }

    private func log(_ message: String) { FileHandle.standardError.write(Data("gma-bench: \(message)\n".utf8)) }

    private func timed<T>(_ body: () -> T) -> (T, Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = body()
        return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    private func multiEdgeRow(edges: Int, services: Int) -> Row {
        var row = Row(label: "K = \(edges), \(services) services")
        for seed in 1...seeds {
            let problem = MultiEdgeGenerator(app: AppGenerator(services: services, seed: UInt64(seed)), edges: edges).problem()
            guard let model = try? MultiEdgeModel(problem) else { continue }
            row.problems += 1
            let (ilp, ilpTime) = timed { MultiEdgeSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: ilpBudget)) }
            var greedyTimes: [Double] = []
            var greedy: MultiEdgeSolution?
            for _ in 0..<repeats {
                let (answer, time) = timed { MultiEdgeSolver.solve(model, using: .greedy, options: SolveOptions(timeLimitSeconds: ilpBudget)) }
                greedy = answer
                greedyTimes.append(time)
            }
            var best = ilp.feasible ? ilp.evaluation.cost.total : .infinity
            if ilp.status != .optimal {
                let reference = MultiEdgeSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: referenceBudget))
                if reference.feasible { best = min(best, reference.evaluation.cost.total) }
            }
            if let greedy, greedy.feasible { best = min(best, greedy.evaluation.cost.total) }
            record(&row, ilp: ilp.status, gap: ilp.gap, ilpTime: ilpTime, greedyTimes: greedyTimes,
                   greedyCost: greedy.flatMap { $0.feasible ? $0.evaluation.cost.total : nil }, best: best)
            log("K=\(edges) n=\(services) seed \(seed): ilp \(ilp.status.rawValue) \(String(format: "%.3f", ilpTime)) s gap \(ilp.gap ?? -1), greedy \(String(format: "%.4f", BenchStatistics.percentile(greedyTimes, 0.5))) s \(greedy?.evaluation.cost.total ?? .nan) vs best \(best)")
        }
        return row
    }

    private func singleEdgeRow(services: Int) -> Row {
        var row = Row(label: "1 edge, \(services) services")
        for seed in 1...seeds {
            guard let model = try? PlacementModel(AppGenerator(services: services, seed: UInt64(seed)).problem()) else { continue }
            row.problems += 1
            let (ilp, ilpTime) = timed { PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: ilpBudget)) }
            var greedyTimes: [Double] = []
            var greedy: PlacementSolution?
            for _ in 0..<repeats {
                let (answer, time) = timed { GreedyPlacer(model: model, options: SolveOptions(timeLimitSeconds: ilpBudget)).solve() }
                greedy = answer
                greedyTimes.append(time)
            }
            var best = ilp.feasible ? ilp.evaluation.cost.total : .infinity
            if let greedy, greedy.feasible { best = min(best, greedy.evaluation.cost.total) }
            record(&row, ilp: ilp.status, gap: ilp.gap, ilpTime: ilpTime, greedyTimes: greedyTimes,
                   greedyCost: greedy.flatMap { $0.feasible ? $0.evaluation.cost.total : nil }, best: best)
            log("1 edge n=\(services) seed \(seed): ilp \(ilp.status.rawValue) \(String(format: "%.3f", ilpTime)) s gap \(ilp.gap ?? -1) \(ilp.note ?? "")")
        }
        return row
    }

    private func record(
        _ row: inout Row, ilp status: SolveStatus, gap: Double?, ilpTime: Double, greedyTimes: [Double],
        greedyCost: Double?, best: Double
    ) {
        row.ilpSeconds.append(ilpTime)
        if status == .optimal { row.proven += 1 }
        if let gap { row.gaps.append(gap) }
        row.greedySeconds.append(BenchStatistics.percentile(greedyTimes, 0.5))
        if let greedyCost, best.isFinite { row.greedyRatios.append(greedyCost / best) }
    }
}
