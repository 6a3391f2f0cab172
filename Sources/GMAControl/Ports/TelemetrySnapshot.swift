import Foundation
import GMAOptimizer

/// One consistent look at the app: every signal of docs/telemetry.md §3 at one instant.
///
/// Unknown is nil, never zero (docs/differences.md D12, D18): no traffic, NaN, an empty answer or a failed query
/// leave the value nil and add a `Reason`. Units are SI: seconds, bytes, cores, requests per second.
public struct TelemetrySnapshot: Sendable, Equatable {
    /// The name the call matrix uses for the edge ingress (the reference's index M−1).
    public static let userName = PlacementProblem.userName

    /// The instant asked for; nil when the snapshot was taken at Prometheus' "now".
    public var evaluatedAt: Date?
    /// Local time when the snapshot was taken.
    public var takenAt: Date
    /// p of `userDelayQuantileSeconds`.
    public var delayQuantile: Double

    /// Mean delay of successful user requests at the edge ingress.
    public var userDelaySeconds: Double?
    public var userDelayQuantileSeconds: Double?
    /// λ: successful user requests per second at this edge's ingress. Nil when there is none (no traffic).
    public var userRequestsPerSecond: Double?
    /// In settings order.
    public var services: [Service]
    /// Observed call rates between known endpoints (`from` may be the user); pairs without calls are absent.
    public var callRates: [CallRate]
    /// Fm: calls per request of the caller, for callers whose rate is known and positive.
    public var callsPerRequest: [CallFrequency]
    /// Callers (user included) whose Fm row cannot be derived.
    public var unknownCallers: [String]
    public var reasons: [Reason]

    public init(
        evaluatedAt: Date?, takenAt: Date, delayQuantile: Double, userDelaySeconds: Double?,
        userDelayQuantileSeconds: Double?, userRequestsPerSecond: Double?, services: [Service],
        callRates: [CallRate], callsPerRequest: [CallFrequency], unknownCallers: [String], reasons: [Reason]
    ) {
        self.evaluatedAt = evaluatedAt
        self.takenAt = takenAt
        self.delayQuantile = delayQuantile
        self.userDelaySeconds = userDelaySeconds
        self.userDelayQuantileSeconds = userDelayQuantileSeconds
        self.userRequestsPerSecond = userRequestsPerSecond
        self.services = services
        self.callRates = callRates
        self.callsPerRequest = callsPerRequest
        self.unknownCallers = unknownCallers
        self.reasons = reasons
    }

    public struct Service: Sendable, Equatable {
        public var name: String
        /// λ_j: successful requests per second into the service, both areas, any caller.
        public var requestsPerSecond: Double?
        /// Mean size of a successful response.
        public var responseBytes: Double?
        /// Summed over the service's pods in each area. Nil also when no pod runs there.
        public var cpuUsageCores: PerArea<Double?>
        public var memoryUsageBytes: PerArea<Double?>

        public init(
            name: String, requestsPerSecond: Double? = nil, responseBytes: Double? = nil,
            cpuUsageCores: PerArea<Double?> = PerArea(cloud: nil, edge: nil),
            memoryUsageBytes: PerArea<Double?> = PerArea(cloud: nil, edge: nil)
        ) {
            self.name = name
            self.requestsPerSecond = requestsPerSecond
            self.responseBytes = responseBytes
            self.cpuUsageCores = cpuUsageCores
            self.memoryUsageBytes = memoryUsageBytes
        }
    }

    public struct CallRate: Sendable, Equatable {
        public var from: String
        public var to: String
        public var callsPerSecond: Double

        public init(from: String, to: String, callsPerSecond: Double) {
            self.from = from
            self.to = to
            self.callsPerSecond = callsPerSecond
        }
    }

    /// Fm[from][to] = rate(from→to) / λ_from: exactly a problem's call.
    public typealias CallFrequency = Call

    /// Why a value is unknown: which signal, for what, from which query, and what was wrong.
    public struct Reason: Sendable, Equatable, CustomStringConvertible {
        public enum Signal: String, Sendable, Equatable {
            case cpuUsage, memoryUsage, userRequestRate, serviceRequestRate, callRate, callsPerRequest
            case responseSize, meanDelay, delayQuantile
        }

        public enum Problem: Sendable, Equatable, CustomStringConvertible {
            /// The query itself failed (transport, HTTP, malformed answer).
            case queryFailed(PrometheusError)
            /// The answer had no series at all: no data in the window, or stale.
            case emptyResult
            /// The answer had series, but none for this subject.
            case noSeries
            /// There were series but nothing happened in the window (rate 0, or 0/0).
            case noTraffic
            /// NaN or ±Inf that is not explained by missing traffic.
            case notFinite(Double)
            /// Several series where one was expected.
            case ambiguous(String)
            /// The service has no workload configured in this area.
            case noWorkload

            public var description: String {
                switch self {
                case .queryFailed(let error): "query failed: \(error)"
                case .emptyResult: "empty result (no data in the window, or stale)"
                case .noSeries: "no series"
                case .noTraffic: "no traffic in the window"
                case .notFinite(let v): "non-finite value \(v)"
                case .ambiguous(let what): "ambiguous: \(what)"
                case .noWorkload: "no workload configured"
                }
            }
        }

        public var signal: Signal
        /// Service name, area, or `from→to`; nil for app-wide signals.
        public var subject: String?
        public var query: String
        public var problem: Problem

        public init(signal: Signal, subject: String?, query: String, problem: Problem) {
            self.signal = signal
            self.subject = subject
            self.query = query
            self.problem = problem
        }

        public var description: String {
            let head = "\(signal.rawValue)" + (subject.map { " [\($0)]" } ?? "") + ": \(problem)"
            // A failed query's error already names it.
            if case .queryFailed = problem { return head }
            return query.isEmpty ? head : head + " — " + query
        }
    }

    // MARK: Questions the state machine asks

    public var isDelayKnown: Bool { userDelaySeconds != nil }
    public var isDelayQuantileKnown: Bool { userDelayQuantileSeconds != nil }
    /// Users are sending successful requests: the precondition of any decision (docs/differences.md D12).
    public var hasUserTraffic: Bool { (userRequestsPerSecond ?? 0) > 0 }
    public var isCallGraphKnown: Bool { unknownCallers.isEmpty }

    public func service(named name: String) -> Service? { services.first { $0.name == name } }

    /// Fm[from][to]; 0 for a known caller that made no such call, nil when the caller's row is unknown.
    public func callsPerRequest(from: String, to: String) -> Double? {
        if unknownCallers.contains(from) { return nil }
        if from != Self.userName, service(named: from) == nil { return nil }
        return callsPerRequest.first { $0.from == from && $0.to == to }?.perRequest ?? 0
    }

    public func callRate(from: String, to: String) -> Double? {
        callRates.first { $0.from == from && $0.to == to }?.callsPerSecond
    }

    public func reasons(for signal: Reason.Signal) -> [Reason] { reasons.filter { $0.signal == signal } }
}
