import Foundation
import GMAControl
import GMAOptimizer
import Prometheus
import Synchronization

/// gma's own metrics in the Prometheus text format, updated from controller events.
///
/// Unknown values are exported as NaN rather than 0, so a dashboard never shows "no delay" for "no data".
public final class ControllerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let clock: @Sendable () -> Date

    /// The per-edge gauges, keyed by edge name; one set with the key "" when there is one edge.
    private let gauges: [String: EdgeGauges]
    /// Whether the series carry an `edge` label (several edges; one edge keeps the single-edge names).
    private let labelled: Bool
    private let solveSeconds: ValueHistogram
    private let secondsSinceGoodTelemetry: Gauge
    /// What events change besides the gauges; the lock also keeps one event's gauge updates together.
    private let state = Mutex(EventState())

    private struct EventState {
        var lastGoodTelemetry: Date?
        var counters: [String: Counter] = [:]
    }

    /// One edge's gauges.
    private struct EdgeGauges: Sendable {
        let states: [ControllerState: Gauge]
        let meanDelay: Gauge
        let quantileDelay: Gauge
        let edgeServices: Gauge
        let lastDecisionCost: Gauge
        let lastDecisionDelay: Gauge
        let lastDecisionTime: Gauge

        init(_ registry: PrometheusCollectorRegistry, edge: [(String, String)]) {
            var states: [ControllerState: Gauge] = [:]
            for state in ControllerState.allCases {
                states[state] = registry.makeGauge(
                    name: "gma_state", labels: edge + [("state", state.rawValue)], help: "1 for the controller's current state")
            }
            self.states = states
            states[.camping]?.set(to: 1)
            meanDelay = registry.makeGauge(
                name: "gma_edge_user_delay_seconds", labels: edge + [("statistic", "mean")],
                help: "Edge users' delay as last observed (NaN: unknown)")
            quantileDelay = registry.makeGauge(
                name: "gma_edge_user_delay_seconds", labels: edge + [("statistic", "quantile")],
                help: "Edge users' delay as last observed (NaN: unknown)")
            edgeServices = registry.makeGauge(
                name: "gma_edge_services", labels: edge, help: "Services at the edge after the last decision (NaN before one)")
            lastDecisionCost = registry.makeGauge(
                name: "gma_last_decision_cost_per_hour", labels: edge, help: "Model cost per hour of the last decided placement")
            lastDecisionDelay = registry.makeGauge(
                name: "gma_last_decision_delay_seconds", labels: edge, help: "Model delay of the last decided placement")
            lastDecisionTime = registry.makeGauge(
                name: "gma_last_decision_timestamp_seconds", labels: edge,
                help: "When the last decision was taken (Unix time)")
            for gauge in [meanDelay, quantileDelay, edgeServices, lastDecisionCost, lastDecisionDelay, lastDecisionTime] {
                gauge.set(to: .nan)
            }
        }
    }

    /// Whether a telemetry cycle has succeeded yet (`/readyz`).
    public var isReady: Bool {
        state.withLock { $0.lastGoodTelemetry != nil }
    }

    /// `edges`: the edge names when there are several (every per-edge series then carries `edge`); empty or
    /// one name: the single-edge series, without the label.
    public init(band: DelayBand, edges: [String] = [], clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
        labelled = edges.count > 1
        var gauges: [String: EdgeGauges] = [:]
        for edge in labelled ? edges : [""] {
            gauges[edge] = EdgeGauges(registry, edge: labelled ? [("edge", edge)] : [])
        }
        self.gauges = gauges
        let thresholds: [(String, Double?)] = [
            ("offload", band.offloadSeconds), ("unoffload", band.unoffloadSeconds),
            ("offload_quantile", band.offloadQuantileSeconds), ("unoffload_quantile", band.unoffloadQuantileSeconds),
        ]
        for (name, value) in thresholds {
            registry.makeGauge(
                name: "gma_threshold_seconds", labels: [("threshold", name)], help: "The delay band's thresholds"
            ).set(to: value ?? .nan)
        }
        solveSeconds = registry.makeValueHistogram(
            name: "gma_solve_seconds", buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
            help: "Wall time of placement solves")
        secondsSinceGoodTelemetry = registry.makeGauge(
            name: "gma_seconds_since_good_telemetry", help: "Time since the edge delay was last known (NaN: never)")
        secondsSinceGoodTelemetry.set(to: .nan)
    }

    /// Records one event of edge `edge` (nil or unknown to a single-edge registry: the only edge).
    public func record(_ event: ControllerEvent, edge: String? = nil) {
        let key = labelled ? (edge ?? "") : ""
        guard let gauges = gauges[key] else { return }
        let label: [(String, String)] = labelled ? [("edge", key)] : []
        state.withLock { record(event, gauges, label, into: &$0) }
    }

    private func record(_ event: ControllerEvent, _ g: EdgeGauges, _ edge: [(String, String)], into state: inout EventState) {
        switch event {
        case .transition(_, _, let to, _):
            for (state, gauge) in g.states { gauge.set(to: state == to ? 1 : 0) }
        case .observed(let time, _, let mean, let quantile):
            g.meanDelay.set(to: mean ?? .nan)
            g.quantileDelay.set(to: quantile ?? .nan)
            if mean != nil { state.lastGoodTelemetry = time }
        case .decided(let decision):
            counter(&state, "gma_decisions_total", edge + [("action", decision.action.rawValue)], "Decisions by action")
                .increment()
            g.lastDecisionTime.set(to: decision.time.timeIntervalSince1970)
            if let placement = decision.placement {
                g.lastDecisionCost.set(to: placement.evaluation.cost.total)
                g.lastDecisionDelay.set(to: placement.evaluation.delaySeconds)
                g.edgeServices.set(to: Double(placement.edgeServices.count))
                solveSeconds.record(placement.seconds)
                counter(&state, "gma_solves_total", [("status", placement.status.rawValue)], "Solves by status").increment()
            }
        case .operationFailed(_, let operation, _):
            let kind = String(describing: operation).split(separator: " ").first.map(String.init) ?? "operation"
            counter(&state, "gma_cluster_errors_total", edge + [("operation", kind)], "Failed cluster operations").increment()
        case .skipped(_, _, let reason):
            counter(&state, "gma_skipped_cycles_total", edge + [("cause", Self.cause(of: reason))], "Cycles without a decision")
                .increment()
        }
    }

    /// The text exposition, with the time since good telemetry brought up to date.
    public func exposition() -> String {
        state.withLock { state in
            if let last = state.lastGoodTelemetry { secondsSinceGoodTelemetry.set(to: clock().timeIntervalSince(last)) }
        }
        return registry.emitToString()
    }

    private func counter(_ state: inout EventState, _ name: String, _ labels: [(String, String)], _ help: String) -> Counter {
        let key = ([name] + labels.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
        if let existing = state.counters[key] { return existing }
        let made = registry.makeCounter(name: name, labels: labels, help: help)
        state.counters[key] = made
        return made
    }

    /// A small fixed vocabulary, so label values stay bounded.
    static func cause(of reason: String) -> String {
        if reason.hasPrefix("cluster unreadable") { return "cluster" }
        if reason.hasPrefix("telemetry failed") { return "telemetry" }
        if reason.hasPrefix("action deferred") { return "autoscalers" }
        if reason.contains("unknown") { return "unknown_delay" }
        return "other"
    }
}
