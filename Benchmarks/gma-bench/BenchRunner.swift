import Foundation
import GMAOptimizer

enum SolverConfiguration: Hashable {
    case ilp(budget: Double)
    case greedy

    var label: String {
        switch self {
        case .ilp(let budget): return "ilp@\(String(format: "%g", budget))s"
        case .greedy: return "greedy"
        }
    }

    func solve(_ model: PlacementModel) -> PlacementSolution {
        switch self {
        case .ilp(let budget):
            return PlacementSolver.solve(model, using: .ilp, options: SolveOptions(timeLimitSeconds: budget))
        case .greedy:
            return GreedyPlacer(model: model, options: SolveOptions()).solve()
        }
    }
}

/// One solver's result on one problem.
struct BenchRecord {
    var benchCase: BenchCase
    var solver: String
    var status: SolveStatus
    var feasible: Bool
    var cost: Double
    var delay: Double
    var edgeServices: Int
    /// Median wall-clock time of the solve calls (s).
    var seconds: Double
    var nodes: Int
}

/// Peak resident memory (VmHWM), resettable on Linux so each solver's peak over a group can be told apart.
enum PeakMemory {
    static func reset() {
        // Writing 5 to clear_refs resets the high-water mark (Linux ≥ 4.0); elsewhere the peak is process-wide.
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
    }

    /// Peak resident bytes (VmHWM), or nil where /proc is not available.
    static func peakBytes() -> Double? { statusField("VmHWM:") }

    /// Current resident bytes (VmRSS).
    static func residentBytes() -> Double? { statusField("VmRSS:") }

    private static func statusField(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 * 1024 }
        }
        return nil
    }
}

struct BenchRunner {
    let options: BenchOptions

    /// Runs every configuration over every case, group by group; peaks are per (group, configuration).
    func run(
        _ cases: [BenchCase], progress: (String) -> Void
    ) -> (records: [BenchRecord], peaks: [String: (peak: Double, added: Double)]) {
        var records: [BenchRecord] = []
        var peaks: [String: (peak: Double, added: Double)] = [:]
        let groups = Dictionary(grouping: cases.indices) { BenchGroup.key(cases[$0]) }
        for key in groups.keys.sorted() {
            for configuration in options.configurations {
                PeakMemory.reset()
                let resident = PeakMemory.residentBytes()
                let started = Date()
                for i in groups[key]! {
                    records.append(run(configuration, on: cases[i]))
                }
                if let peak = PeakMemory.peakBytes(), let resident {
                    peaks["\(key)|\(configuration.label)"] = (peak, max(peak - resident, 0))
                }
                progress(
                    "\(key) \(configuration.label): \(groups[key]!.count) problems in "
                        + "\(BenchFormat.number(Date().timeIntervalSince(started), digits: 1)) s")
            }
        }
        return (records, peaks)
    }

    private func run(_ configuration: SolverConfiguration, on benchCase: BenchCase) -> BenchRecord {
        let runs = configuration == .greedy ? options.repeats : 1
        var times: [Double] = []
        var solution: PlacementSolution?
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            solution = configuration.solve(benchCase.model)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let s = solution!
        return BenchRecord(
            benchCase: benchCase, solver: configuration.label, status: s.status, feasible: s.feasible,
            cost: s.evaluation.cost.total, delay: s.evaluation.delaySeconds, edgeServices: s.edgeServices.count,
            seconds: BenchStatistics.percentile(times, 0.5), nodes: s.nodes)
    }
}
