import Foundation
import GMACharts
import GMAOptimizer

enum BenchStatistics {
    /// Nearest-rank percentile of `values` (q in [0, 1]); NaN when empty.
    static func percentile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }
}

/// Groups of problems: the run and memory group (`key`: set and size) and the rows of the table.
enum BenchGroup {
    static func key(_ c: BenchCase) -> String { "\(c.set)-\(String(format: "%04d", c.services))" }

    /// Table rows: a label and a membership test, in print order.
    static func rows(sizes: [Int]) -> [(label: String, contains: (BenchCase) -> Bool)] {
        var rows: [(String, (BenchCase) -> Bool)] = [
            ("public: all", { $0.set != "generated" }),
            ("public offload, 10-100 services", { $0.set == "offload" && $0.services <= 100 }),
            ("public offload, 110-200 services", { $0.set == "offload" && $0.services > 100 }),
            ("public offload, 200 services (M=201)", { $0.set == "offload" && $0.services == 200 }),
            ("public offload-small, 5-15 services", { $0.set == "offload-small" }),
            ("public unoffload", { $0.set == "unoffload" }),
        ]
        for size in sizes { rows.append(("generated, \(size) services", { $0.set == "generated" && $0.services == size })) }
        return rows
    }
}

/// The figures of one solver over one group of problems.
struct BenchSummaryRow {
    var group: String
    var solver: String
    var problems = 0
    var feasible = 0
    /// Problems where SBMP meets the target and this solver does not.
    var missedWhereSBMPMeets = 0
    var comparedWithSBMP = 0
    var atMostSBMP = 0
    var ratiosToSBMP: [Double] = []
    var ratiosToOptimum: [Double] = []
    /// Cost over the cheapest feasible cost any solver of this run found (the ILP's optimum where it proved one).
    var ratiosToBest: [Double] = []
    var provenOptimal = 0
    var seconds: [Double] = []
    var peakBytes: Double?
    /// Peak minus the resident size when the solver started on the group: what solving added.
    var addedBytes: Double?

    static let csvHeader = [
        "group", "solver", "problems", "feasible_share", "missed_where_sbmp_meets", "cost_le_sbmp_share",
        "median_cost_over_sbmp", "optimum_known", "median_cost_over_optimum", "max_cost_over_optimum",
        "median_cost_over_best", "proven_optimal_share", "p50_ms", "p95_ms", "peak_mb", "added_mb",
    ]

    var csvFields: [String] {
        let f = BenchFormat.self
        return [
            group, solver, "\(problems)", f.share(feasible, problems), "\(missedWhereSBMPMeets)",
            f.share(atMostSBMP, comparedWithSBMP), f.number(BenchStatistics.percentile(ratiosToSBMP, 0.5), digits: 5),
            "\(ratiosToOptimum.count)", f.number(BenchStatistics.percentile(ratiosToOptimum, 0.5), digits: 5),
            f.number(ratiosToOptimum.max() ?? .nan, digits: 5),
            f.number(BenchStatistics.percentile(ratiosToBest, 0.5), digits: 5), f.share(provenOptimal, problems),
            f.number(BenchStatistics.percentile(seconds, 0.5) * 1000, digits: 3),
            f.number(BenchStatistics.percentile(seconds, 0.95) * 1000, digits: 3),
            f.number((peakBytes ?? .nan) / 1e6, digits: 1), f.number((addedBytes ?? .nan) / 1e6, digits: 1),
        ]
    }
}

struct BenchSummary {
    var rows: [BenchSummaryRow] = []
    var bySize: [BenchSummaryRow] = []
    /// SBMP as recorded in the reference files (its time is the reference's Python on the reference machine).
    var reference: [BenchSummaryRow] = []

    init(records: [BenchRecord], peaks: [String: (peak: Double, added: Double)], options: BenchOptions) {
        let best = Dictionary(grouping: records.filter(\.feasible), by: { $0.benchCase.name })
            .mapValues { $0.map(\.cost).min()! }
        let solvers = options.configurations.map(\.label)
        for (label, contains) in BenchGroup.rows(sizes: options.sizes) {
            let members = records.filter { contains($0.benchCase) }
            guard !members.isEmpty else { continue }
            for solver in solvers {
                let own = members.filter { $0.solver == solver }
                let keys = Set(own.map { BenchGroup.key($0.benchCase) })
                let measured = keys.compactMap { peaks["\($0)|\(solver)"] }
                rows.append(
                    Self.summarise(
                        own, group: label, solver: solver, best: best,
                        peak: measured.isEmpty ? nil : (measured.map(\.peak).max()!, measured.map(\.added).max()!)))
            }
            let cases = Dictionary(grouping: members, by: { $0.benchCase.name }).values.map { $0[0].benchCase }
            if cases.contains(where: { $0.sbmp != nil }) { reference.append(Self.referenceRow(cases, group: label)) }
        }
        let keys = Set(records.map { BenchGroup.key($0.benchCase) }).sorted()
        for key in keys {
            let members = records.filter { BenchGroup.key($0.benchCase) == key }
            for solver in solvers {
                let own = members.filter { $0.solver == solver }
                bySize.append(Self.summarise(own, group: key, solver: solver, best: best, peak: peaks["\(key)|\(solver)"]))
            }
            let cases = Dictionary(grouping: members, by: { $0.benchCase.name }).values.map { $0[0].benchCase }
            if cases.contains(where: { $0.sbmp != nil }) { bySize.append(Self.referenceRow(cases, group: key)) }
        }
    }

    private static func summarise(
        _ records: [BenchRecord], group: String, solver: String, best: [String: Double],
        peak: (peak: Double, added: Double)?
    ) -> BenchSummaryRow {
        var row = BenchSummaryRow(group: group, solver: solver)
        row.peakBytes = peak?.peak
        row.addedBytes = peak?.added
        for r in records {
            row.problems += 1
            row.seconds.append(r.seconds)
            if r.feasible { row.feasible += 1 }
            if r.status == .optimal { row.provenOptimal += 1 }
            if let sbmp = r.benchCase.sbmp, sbmp.feasible {
                row.comparedWithSBMP += 1
                if !r.feasible { row.missedWhereSBMPMeets += 1 }
                if r.feasible && r.cost <= sbmp.cost * (1 + 1e-9) { row.atMostSBMP += 1 }
                if r.feasible { row.ratiosToSBMP.append(r.cost / sbmp.cost) }
            }
            if let optimum = r.benchCase.optimum, optimum.feasible, r.feasible {
                row.ratiosToOptimum.append(r.cost / optimum.cost)
            }
            if r.feasible, let b = best[r.benchCase.name] {
                row.ratiosToBest.append(r.cost / b)
            }
        }
        return row
    }

    private static func referenceRow(_ cases: [BenchCase], group: String) -> BenchSummaryRow {
        var row = BenchSummaryRow(group: group, solver: "SBMP (reference)")
        for c in cases {
            guard let sbmp = c.sbmp else { continue }
            row.problems += 1
            if sbmp.feasible { row.feasible += 1 }
            if let seconds = sbmp.seconds { row.seconds.append(seconds) }
            if let optimum = c.optimum, optimum.feasible, sbmp.feasible { row.ratiosToOptimum.append(sbmp.cost / optimum.cost) }
        }
        return row
    }

    /// The printed table: one block per group.
    var table: String {
        let header = [
            "solver", "n", "feasible", "missed", "<=SBMP", "cost/SBMP p50", "cost/opt p50 (n)", "cost/opt max",
            "cost/best p50", "optimal", "p50 ms", "p95 ms", "peak MB", "+MB",
        ]
        var lines: [String] = []
        var group = ""
        let f = BenchFormat.self
        for row in interleaved {
            if row.group != group {
                group = row.group
                lines.append("")
                lines.append("## \(group)")
                lines.append(f.pad(header))
            }
            lines.append(
                f.pad([
                    row.solver, "\(row.problems)", f.percent(row.feasible, row.problems),
                    row.solver.hasPrefix("SBMP") ? "" : "\(row.missedWhereSBMPMeets)",
                    f.percent(row.atMostSBMP, row.comparedWithSBMP),
                    f.number(BenchStatistics.percentile(row.ratiosToSBMP, 0.5), digits: 4),
                    row.ratiosToOptimum.isEmpty
                        ? "" : "\(f.number(BenchStatistics.percentile(row.ratiosToOptimum, 0.5), digits: 4)) (\(row.ratiosToOptimum.count))",
                    f.number(row.ratiosToOptimum.max() ?? .nan, digits: 4),
                    f.number(BenchStatistics.percentile(row.ratiosToBest, 0.5), digits: 4),
                    row.solver.hasPrefix("SBMP") ? "" : f.percent(row.provenOptimal, row.problems),
                    f.number(BenchStatistics.percentile(row.seconds, 0.5) * 1000, digits: 2),
                    f.number(BenchStatistics.percentile(row.seconds, 0.95) * 1000, digits: 2),
                    f.number((row.peakBytes ?? .nan) / 1e6, digits: 1),
                    f.number((row.addedBytes ?? .nan) / 1e6, digits: 1),
                ]))
        }
        return lines.joined(separator: "\n")
    }

    /// Solver rows of each group followed by the group's reference row.
    private var interleaved: [BenchSummaryRow] {
        var out: [BenchSummaryRow] = []
        var seen: [String] = []
        for row in rows where !seen.contains(row.group) { seen.append(row.group) }
        for group in seen {
            out += rows.filter { $0.group == group }
            out += reference.filter { $0.group == group }
        }
        return out
    }

    func write(records: [BenchRecord], to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (rows, name) in [(interleaved, "summary.csv"), (bySize, "by-size.csv")] {
            var table = CSVTable(header: BenchSummaryRow.csvHeader)
            for row in rows { table.append(row.csvFields) }
            try table.text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        var table = CSVTable(header: [
            "instance", "set", "services", "solver", "status", "feasible", "cost_per_hour", "delay_s", "edge_services",
            "seconds", "nodes", "sbmp_cost", "sbmp_feasible", "sbmp_seconds", "optimum_cost",
        ])
        let f = BenchFormat.self
        for r in records {
            let c = r.benchCase
            table.append(
                [
                    c.name, c.set, "\(c.services)", r.solver, r.status.rawValue, "\(r.feasible)", f.number(r.cost, digits: 9),
                    f.number(r.delay, digits: 9), "\(r.edgeServices)", f.number(r.seconds, digits: 6), "\(r.nodes)",
                    c.sbmp.map { f.number($0.cost, digits: 9) } ?? "", c.sbmp.map { "\($0.feasible)" } ?? "",
                    c.sbmp?.seconds.map { f.number($0, digits: 4) } ?? "",
                    c.optimum.map { f.number($0.cost, digits: 9) } ?? "",
                ])
        }
        try table.text.write(toFile: "\(directory)/records.csv", atomically: true, encoding: .utf8)
    }
}

enum BenchFormat {
    static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return "" }
        if digits == 3 && value == value.rounded() { return String(Int(value)) }
        return String(format: "%.\(digits)f", value)
    }

    static func share(_ part: Int, _ whole: Int) -> String { whole == 0 ? "" : String(format: "%.4f", Double(part) / Double(whole)) }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "" : String(format: "%.1f%%", 100 * Double(part) / Double(whole))
    }

    static let widths = [18, 5, 9, 7, 8, 14, 18, 13, 14, 8, 10, 10, 8, 6]

    static func pad(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            let width = i < widths.count ? widths[i] : 10
            return i == 0
                ? cell.padding(toLength: width, withPad: " ", startingAt: 0)
                : String(repeating: " ", count: max(width - cell.count, 0)) + cell
        }.joined(separator: " ")
    }
}
