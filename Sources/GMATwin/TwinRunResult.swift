import Foundation
import GMACharts

/// A finished run: the timeline and what it adds up to.
public struct TwinRunResult: Sendable {
    public let scenario: Scenario
    public let samples: [TimelineSample]
    public let events: [TimelineEvent]

    /// Placement actions: the apply/delete batches the controller ran (one per decision with operations).
    public var actions: [TimelineEvent] { events.filter { $0.kind == .decision && !$0.text.hasPrefix("none") } }

    public var summary: TwinSummary { TwinSummary(self) }
}

/// The figures of a run, over the ticks (each tick weighs the same simulated time).
public struct TwinSummary: Sendable, Equatable {
    public var simulatedSeconds: Double
    /// Share of ticks with the mean delay inside [unoffload, offload].
    public var timeInBand: Double
    public var timeAbove: Double
    public var timeBelow: Double
    /// Excursions above the offload threshold (entries from inside or below).
    public var violations: Int
    /// The longest stretch above the offload threshold (s, from its first tick to the first tick back).
    public var longestExcursionSeconds: Double
    public var offloads: Int
    public var unoffloads: Int
    public var consolidations: Int
    /// Actions over the load's changes (steps of the profile; at least one).
    public var actionsPerLoadChange: Double
    public var meanCostPerHour: Double
    /// The oracle's mean cost (docs/twin.md §3) and the run's over it.
    public var meanOracleCostPerHour: Double
    public var costOverOracle: Double
    public var meanCloudOnlyCostPerHour: Double
    public var meanExtraCostPerHour: Double
    public var minDelaySeconds: Double
    public var maxDelaySeconds: Double
    public var meanEdgeServices: Double

    public var actions: Int { offloads + unoffloads + consolidations }

    init(_ run: TwinRunResult) {
        let samples = run.samples
        let band = run.scenario.band
        let count = Double(max(samples.count, 1))
        simulatedSeconds = samples.last?.time ?? 0
        let above = samples.filter { $0.delaySeconds > band.offloadSeconds }.count
        let below = samples.filter { $0.delaySeconds < band.unoffloadSeconds }.count
        timeAbove = Double(above) / count
        timeBelow = Double(below) / count
        timeInBand = 1 - timeAbove - timeBelow
        var excursions = 0
        var longest = 0.0
        var aboveSince: Double?
        for s in samples {
            let isAbove = s.delaySeconds > band.offloadSeconds
            if isAbove && aboveSince == nil {
                excursions += 1
                aboveSince = s.time
            } else if !isAbove, let since = aboveSince {
                longest = max(longest, s.time - since)
                aboveSince = nil
            }
        }
        if let since = aboveSince, let last = samples.last { longest = max(longest, last.time - since + run.scenario.twin.tickSeconds) }
        violations = excursions
        longestExcursionSeconds = longest
        offloads = run.actions.filter { $0.text.hasPrefix("offload") }.count
        unoffloads = run.actions.filter { $0.text.hasPrefix("unoffload") }.count
        consolidations = run.actions.filter { $0.text.hasPrefix("consolidate") }.count
        let changes = run.scenario.load.changeCount + run.scenario.network.changes.count
        actionsPerLoadChange = Double(offloads + unoffloads + consolidations) / Double(max(changes, 1))
        meanCostPerHour = samples.reduce(0) { $0 + $1.costPerHour } / count
        meanOracleCostPerHour = samples.reduce(0) { $0 + $1.oracleCostPerHour } / count
        costOverOracle = meanOracleCostPerHour > 0 ? meanCostPerHour / meanOracleCostPerHour : 1
        meanCloudOnlyCostPerHour = samples.reduce(0) { $0 + $1.cloudOnlyCostPerHour } / count
        meanExtraCostPerHour = meanCostPerHour - meanCloudOnlyCostPerHour
        minDelaySeconds = samples.map(\.delaySeconds).min() ?? 0
        maxDelaySeconds = samples.map(\.delaySeconds).max() ?? 0
        meanEdgeServices = samples.reduce(0) { $0 + Double($1.servingAtEdge.count) } / count
    }

    public var text: String {
        func pct(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
        return """
            simulated          \(Self.clock(simulatedSeconds))
            time in band       \(pct(timeInBand))  (above \(pct(timeAbove)), below \(pct(timeBelow)))
            violations         \(violations) excursion\(violations == 1 ? "" : "s") above the offload threshold, longest \(String(format: "%.0f s", longestExcursionSeconds))
            actions            \(actions)  (\(offloads) offload, \(unoffloads) unoffload, \(consolidations) consolidate), \(String(format: "%.2f", actionsPerLoadChange)) per load change
            delay              \(String(format: "%.1f – %.1f ms", minDelaySeconds * 1000, maxDelaySeconds * 1000))
            edge services      \(String(format: "%.2f on average", meanEdgeServices))
            cost               \(String(format: "%.3f $/h mean, cloud-only %.3f $/h, extra %+.3f $/h", meanCostPerHour, meanCloudOnlyCostPerHour, meanExtraCostPerHour))
            oracle             \(String(format: "%.3f $/h mean; the run costs %.2f× the oracle's", meanOracleCostPerHour, costOverOracle))
            """
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }
}

extension TwinRunResult {
    /// One row per tick; per-service columns would make it unreadable, so the edge set is one cell.
    public var csv: String {
        var table = CSVTable(header: [
            "time_s", "rate_rps", "rtt_ms", "bandwidth_mbps", "delay_ms", "delay_quantile_ms", "network_ms",
            "processing_ms", "queueing_ms", "rho", "edge_services", "edge_count", "replicas_cloud", "replicas_edge",
            "cost_per_hour", "cloud_only_cost_per_hour", "extra_cost_per_hour", "measured_delay_ms",
            "oracle_cost_per_hour", "oracle_edge_count",
        ])
        let observations = events.filter { $0.kind == .observation }
        var next = 0
        var measured = ""
        for s in samples {
            while next < observations.count, observations[next].time <= s.time + 1e-9 {
                measured = String(format: "%.3f", observations[next].values[0] * 1000)
                next += 1
            }
            table.append([
                String(format: "%.0f", s.time), String(format: "%.3f", s.userRequestsPerSecond),
                String(format: "%.3f", s.rttSeconds * 1000), String(format: "%.3f", s.bandwidthBitsPerSecond / 1e6),
                String(format: "%.3f", s.delaySeconds * 1000), String(format: "%.3f", s.delayQuantileSeconds * 1000),
                String(format: "%.3f", s.networkDelaySeconds * 1000), String(format: "%.3f", s.processingDelaySeconds * 1000),
                String(format: "%.3f", s.queueingDelaySeconds * 1000),
                String(format: "%.4f", s.rho), s.servingAtEdge.joined(separator: " "), "\(s.servingAtEdge.count)",
                "\(s.replicasCloud)", "\(s.replicasEdge)", String(format: "%.4f", s.costPerHour),
                String(format: "%.4f", s.cloudOnlyCostPerHour), String(format: "%.4f", s.extraCostPerHour), measured,
                String(format: "%.4f", s.oracleCostPerHour), "\(s.oracleEdgeCount)",
            ])
        }
        return table.text
    }
}
