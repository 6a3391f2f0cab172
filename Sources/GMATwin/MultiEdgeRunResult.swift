import Foundation
import GMACharts

/// A finished multi-edge run: one single-edge result per edge (its users' samples, its controller's events),
/// on one shared cloud (docs/twin.md §6).
public struct MultiEdgeRunResult: Sendable {
    public let scenario: Scenario
    public let mode: MultiEdgeMode
    /// Per edge, in the scenario's order; each sample's cost is the edge's own plus its share of the cloud's.
    public let edges: [TwinRunResult]

    public var names: [String] { scenario.sites.map(\.name) }
    public var summary: MultiEdgeSummary { MultiEdgeSummary(self) }

    /// Ticks in time order: every edge's sample of the tick (the world records them together).
    var ticks: [[TimelineSample]] {
        let count = edges.map(\.samples.count).min() ?? 0
        return (0..<count).map { t in edges.map { $0.samples[t] } }
    }

    /// One row per tick: per edge its rate, delays, link, edge set size, edge replicas and cost; then the
    /// shared cloud's replicas and cost and the total.
    public var csv: String {
        var header = ["time_s"]
        for name in names {
            header += ["rate_rps", "rtt_ms", "delay_ms", "delay_quantile_ms", "measured_delay_ms", "edge_count",
                       "replicas_edge", "cost_per_hour"].map { "\(name)_\($0)" }
        }
        header += ["replicas_cloud", "cloud_cost_per_hour", "cost_per_hour"]
        var table = CSVTable(header: header)
        var measured = edges.map { MeasuredDelays($0.events) }
        for tick in ticks {
            guard let first = tick.first else { continue }
            var row = [String(format: "%.0f", first.time)]
            for (e, s) in tick.enumerated() {
                row += [
                    String(format: "%.3f", s.userRequestsPerSecond), String(format: "%.3f", s.rttSeconds * 1000),
                    String(format: "%.3f", s.delaySeconds * 1000), String(format: "%.3f", s.delayQuantileSeconds * 1000),
                    measured[e].upTo(s.time), "\(s.servingAtEdge.count)", "\(s.replicasEdge)",
                    String(format: "%.4f", s.costPerHour),
                ]
            }
            let total = tick.reduce(0) { $0 + $1.costPerHour }
            row += ["\(first.replicasCloud)", String(format: "%.4f", first.cloudCostPerHour), String(format: "%.4f", total)]
            table.append(row)
        }
        return table.text
    }
}

/// The last delay a controller measured, walked forward tick by tick.
private struct MeasuredDelays {
    let observations: [TimelineEvent]
    var next = 0
    var last = ""

    init(_ events: [TimelineEvent]) {
        observations = events.filter { $0.kind == .observation }
    }

    mutating func upTo(_ time: Double) -> String {
        while next < observations.count, observations[next].time <= time + 1e-9 {
            last = String(format: "%.3f", observations[next].values[0] * 1000)
            next += 1
        }
        return last
    }
}

/// The figures of a multi-edge run: per edge (band, excursions, actions) and for the whole system.
public struct MultiEdgeSummary: Sendable {
    public var mode: MultiEdgeMode
    public var names: [String]
    public var edges: [TwinSummary]
    public var simulatedSeconds: Double
    /// Mean over the ticks of every edge's cost plus the shared cloud's ($/h).
    public var meanCostPerHour: Double
    public var meanCloudCostPerHour: Double
    public var meanCloudReplicas: Double

    public var actions: Int { edges.reduce(0) { $0 + $1.actions } }

    init(_ run: MultiEdgeRunResult) {
        mode = run.mode
        names = run.names
        edges = run.edges.map(\.summary)
        let ticks = run.ticks
        let count = Double(max(ticks.count, 1))
        simulatedSeconds = ticks.last?.first?.time ?? 0
        meanCostPerHour = ticks.reduce(0) { sum, tick in sum + tick.reduce(0) { $0 + $1.costPerHour } } / count
        meanCloudCostPerHour = ticks.reduce(0) { $0 + ($1.first?.cloudCostPerHour ?? 0) } / count
        meanCloudReplicas = ticks.reduce(0) { $0 + Double($1.first?.replicasCloud ?? 0) } / count
    }

    public var text: String {
        var lines = [
            "mode               \(mode.rawValue) (\(mode == .joint ? "one joint controller" : "\(names.count) single-edge controllers"))",
            "simulated          \(TwinSummary.clock(simulatedSeconds))",
            "edge               in band   above    below    longest   actions  edge svc  cost $/h",
        ]
        for (name, s) in zip(names, edges) {
            lines.append(
                name.padding(toLength: 19, withPad: " ", startingAt: 0)
                    + String(
                        format: "%6.1f %%  %5.1f %%  %5.1f %%  %5.0f s   %4d     %5.2f     %.3f", s.timeInBand * 100,
                        s.timeAbove * 100, s.timeBelow * 100, s.longestExcursionSeconds, s.actions, s.meanEdgeServices,
                        s.meanCostPerHour))
        }
        lines.append(String(
            format: "cost               %.3f $/h mean (shared cloud %.3f $/h, %.1f replicas on average)", meanCostPerHour,
            meanCloudCostPerHour, meanCloudReplicas))
        lines.append("actions            \(actions)")
        lines.append("oracle             not computed for K > 1")
        return lines.joined(separator: "\n")
    }

    /// Joint and independent side by side (same scenario, same seed).
    public static func comparison(joint: MultiEdgeSummary, independent: MultiEdgeSummary) -> String {
        func row(_ label: String, _ a: String, _ b: String) -> String {
            label.padding(toLength: 30, withPad: " ", startingAt: 0) + a.padding(toLength: 14, withPad: " ", startingAt: 0) + b
        }
        func pct(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
        let ratio = independent.meanCostPerHour > 0 ? joint.meanCostPerHour / independent.meanCostPerHour : .nan
        var lines = [
            row("", "joint", "independent"),
            row("mean cost ($/h)", String(format: "%.4f", joint.meanCostPerHour), String(format: "%.4f", independent.meanCostPerHour)),
            row("shared cloud ($/h)", String(format: "%.4f", joint.meanCloudCostPerHour),
                String(format: "%.4f", independent.meanCloudCostPerHour)),
            row("cost ratio joint/independent", String(format: "%.3f", ratio), ""),
            row("actions", "\(joint.actions)", "\(independent.actions)"),
        ]
        for (e, name) in joint.names.enumerated() where e < independent.edges.count {
            let (j, i) = (joint.edges[e], independent.edges[e])
            lines.append(row("\(name) above band", pct(j.timeAbove), pct(i.timeAbove)))
            lines.append(row("\(name) below band", pct(j.timeBelow), pct(i.timeBelow)))
            lines.append(row("\(name) longest excursion", String(format: "%.0f s", j.longestExcursionSeconds),
                             String(format: "%.0f s", i.longestExcursionSeconds)))
            lines.append(row("\(name) actions", "\(j.actions)", "\(i.actions)"))
        }
        lines.append("oracle: not computed for K > 1")
        return lines.joined(separator: "\n")
    }
}
