import Foundation

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
    public var offloads: Int
    public var unoffloads: Int
    public var meanCostPerHour: Double
    public var meanCloudOnlyCostPerHour: Double
    public var meanExtraCostPerHour: Double
    public var minDelaySeconds: Double
    public var maxDelaySeconds: Double
    public var meanEdgeServices: Double

    public var actions: Int { offloads + unoffloads }

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
        var wasAbove = false
        for s in samples {
            let isAbove = s.delaySeconds > band.offloadSeconds
            if isAbove && !wasAbove { excursions += 1 }
            wasAbove = isAbove
        }
        violations = excursions
        offloads = run.actions.filter { $0.text.hasPrefix("offload") }.count
        unoffloads = run.actions.filter { $0.text.hasPrefix("unoffload") }.count
        meanCostPerHour = samples.reduce(0) { $0 + $1.costPerHour } / count
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
            violations         \(violations) excursion\(violations == 1 ? "" : "s") above the offload threshold
            actions            \(actions)  (\(offloads) offload, \(unoffloads) unoffload)
            delay              \(String(format: "%.1f – %.1f ms", minDelaySeconds * 1000, maxDelaySeconds * 1000))
            edge services      \(String(format: "%.2f on average", meanEdgeServices))
            cost               \(String(format: "%.3f $/h mean, cloud-only %.3f $/h, extra %+.3f $/h", meanCostPerHour, meanCloudOnlyCostPerHour, meanExtraCostPerHour))
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
        var lines = [
            "time_s,rate_rps,rtt_ms,bandwidth_mbps,delay_ms,delay_quantile_ms,model_delay_ms,queueing_ms,rho,"
                + "edge_services,edge_count,replicas_cloud,replicas_edge,cost_per_hour,cloud_only_cost_per_hour,extra_cost_per_hour,measured_delay_ms"
        ]
        let observations = events.filter { $0.kind == .observation }
        var next = 0
        var measured = ""
        for s in samples {
            while next < observations.count, observations[next].time <= s.time + 1e-9 {
                measured = String(format: "%.3f", observations[next].values[0] * 1000)
                next += 1
            }
            let row: [String] = [
                String(format: "%.0f", s.time), String(format: "%.3f", s.userRequestsPerSecond),
                String(format: "%.3f", s.rttSeconds * 1000), String(format: "%.3f", s.bandwidthBitsPerSecond / 1e6),
                String(format: "%.3f", s.delaySeconds * 1000), String(format: "%.3f", s.delayQuantileSeconds * 1000),
                String(format: "%.3f", s.modelDelaySeconds * 1000), String(format: "%.3f", s.queueingDelaySeconds * 1000),
                String(format: "%.4f", s.rho), s.servingAtEdge.joined(separator: " "), "\(s.servingAtEdge.count)",
                "\(s.replicasCloud)", "\(s.replicasEdge)", String(format: "%.4f", s.costPerHour),
                String(format: "%.4f", s.cloudOnlyCostPerHour), String(format: "%.4f", s.extraCostPerHour), measured,
            ]
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
