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

    private let stateGauges: [ControllerState: Gauge]
    private let meanDelay: Gauge
    private let quantileDelay: Gauge
    private let edgeServices: Gauge
    private let lastDecisionCost: Gauge
    private let lastDecisionDelay: Gauge
    private let lastDecisionTime: Gauge
    private let solveSeconds: ValueHistogram
    private let secondsSinceGoodTelemetry: Gauge
    /// What events change besides the gauges; the lock also keeps one event's gauge updates together.
    private let state = Mutex(EventState())

    private struct EventState {
        var lastGoodTelemetry: Date?
        var decisionCounters: [String: Counter] = [:]
        var solveStatusCounters: [String: Counter] = [:]
        var errorCounters: [String: Counter] = [:]
        var skipCounters: [String: Counter] = [:]
    }

    /// Whether a telemetry cycle has succeeded yet (`/readyz`).
    public var isReady: Bool {
        state.withLock { $0.lastGoodTelemetry != nil }
    }

    public init(band: DelayBand, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
        var states: [ControllerState: Gauge] = [:]
        for state in ControllerState.allCases {
            states[state] = registry.makeGauge(
                name: "gma_state", labels: [("state", state.rawValue)], help: "1 for the controller's current state")
        }
        stateGauges = states
        states[.camping]?.set(to: 1)
        meanDelay = registry.makeGauge(
            name: "gma_edge_user_delay_seconds", labels: [("statistic", "mean")],
            help: "Edge users' delay as last observed (NaN: unknown)")
        quantileDelay = registry.makeGauge(
            name: "gma_edge_user_delay_seconds", labels: [("statistic", "quantile")],
            help: "Edge users' delay as last observed (NaN: unknown)")
        meanDelay.set(to: .nan)
        quantileDelay.set(to: .nan)
        let thresholds: [(String, Double?)] = [
            ("offload", band.offloadSeconds), ("unoffload", band.unoffloadSeconds),
            ("offload_quantile", band.offloadQuantileSeconds), ("unoffload_quantile", band.unoffloadQuantileSeconds),
        ]
        for (name, value) in thresholds {
            registry.makeGauge(
                name: "gma_threshold_seconds", labels: [("threshold", name)], help: "The delay band's thresholds"
            ).set(to: value ?? .nan)
        }
        edgeServices = registry.makeGauge(
            name: "gma_edge_services", help: "Services at the edge after the last decision (NaN before one)")
        edgeServices.set(to: .nan)
        lastDecisionCost = registry.makeGauge(
            name: "gma_last_decision_cost_per_hour", help: "Model cost per hour of the last decided placement")
        lastDecisionDelay = registry.makeGauge(
            name: "gma_last_decision_delay_seconds", help: "Model delay of the last decided placement")
        lastDecisionTime = registry.makeGauge(
            name: "gma_last_decision_timestamp_seconds", help: "When the last decision was taken (Unix time)")
        for gauge in [lastDecisionCost, lastDecisionDelay, lastDecisionTime] { gauge.set(to: .nan) }
        solveSeconds = registry.makeValueHistogram(
            name: "gma_solve_seconds", buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10],
            help: "Wall time of placement solves")
        secondsSinceGoodTelemetry = registry.makeGauge(
            name: "gma_seconds_since_good_telemetry", help: "Time since the edge delay was last known (NaN: never)")
        secondsSinceGoodTelemetry.set(to: .nan)
    }

    public func record(_ event: ControllerEvent) {
        state.withLock { record(event, into: &$0) }
    }

    private func record(_ event: ControllerEvent, into state: inout EventState) {
        switch event {
        case .transition(_, _, let to, _):
            for (state, gauge) in stateGauges { gauge.set(to: state == to ? 1 : 0) }
        case .observed(let time, _, let mean, let quantile):
            meanDelay.set(to: mean ?? .nan)
            quantileDelay.set(to: quantile ?? .nan)
            if mean != nil { state.lastGoodTelemetry = time }
        case .decided(let decision):
            counter(&state.decisionCounters, "gma_decisions_total", ("action", decision.action.rawValue), "Decisions by action")
                .increment()
            lastDecisionTime.set(to: decision.time.timeIntervalSince1970)
            if let placement = decision.placement {
                lastDecisionCost.set(to: placement.evaluation.cost.total)
                lastDecisionDelay.set(to: placement.evaluation.delaySeconds)
                edgeServices.set(to: Double(placement.edgeServices.count))
                solveSeconds.record(placement.seconds)
                counter(&state.solveStatusCounters, "gma_solves_total", ("status", placement.status.rawValue), "Solves by status")
                    .increment()
            }
        case .operationFailed(_, let operation, _):
            let kind = String(describing: operation).split(separator: " ").first.map(String.init) ?? "operation"
            counter(&state.errorCounters, "gma_cluster_errors_total", ("operation", kind), "Failed cluster operations")
                .increment()
        case .skipped(_, _, let reason):
            counter(&state.skipCounters, "gma_skipped_cycles_total", ("cause", Self.cause(of: reason)), "Cycles without a decision")
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

    private func counter(
        _ cache: inout [String: Counter], _ name: String, _ label: (String, String), _ help: String
    ) -> Counter {
        if let existing = cache[label.1] { return existing }
        let made = registry.makeCounter(name: name, labels: [label], help: help)
        cache[label.1] = made
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
