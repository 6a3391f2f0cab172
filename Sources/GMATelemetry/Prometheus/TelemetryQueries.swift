/// The PromQL of one snapshot, rendered once from the settings (docs/telemetry.md §3, with the fixes below).
///
/// Differences from the reference, on purpose:
/// * label values are matched literally (escaped, and `=~` is anchored), pods by workload name shape (docs/differences.md D15);
/// * the delay quantile is taken over buckets summed across destinations (docs/differences.md D19);
/// * the user row of the call matrix and λ_user come from the same ingress series, so they cannot
///   disagree in a multi-edge setup (docs/differences.md D17);
/// * λ_j counts every successful request into j, whatever the caller, because Fm[j][·] is "calls per
///   request j received".
public struct TelemetryQueries: Sendable, Equatable {
    /// `sum by (pod)` of the CPU rate per area; nil when no service has a workload there.
    public var cpu: PerAreaQuery
    /// `sum by (pod)` of the memory gauge per area.
    public var memory: PerAreaQuery
    /// Successful user requests at this edge's ingress, per destination service (reporter=source).
    public var ingressRequestRate: String
    /// Successful requests into each service, from any caller (reporter=destination, both clusters).
    public var serviceRequestRate: String
    /// Successful calls between services (reporter=destination, both clusters).
    public var callRate: String
    /// Mean response bytes of each service.
    public var responseSize: String
    /// Mean user delay at the ingress, milliseconds.
    public var meanDelay: String
    /// The `delayQuantile` quantile of the user delay, milliseconds.
    public var delayQuantile: String

    public struct PerAreaQuery: Sendable, Equatable {
        public var cloud: String?
        public var edge: String?

        public subscript(area: TelemetryArea) -> String? { area == .cloud ? cloud : edge }
    }

    /// Every query with a short name, in a stable order, for `gma check` and logs.
    public var named: [(name: String, promql: String)] {
        var out: [(String, String)] = []
        for area in TelemetryArea.allCases {
            if let q = cpu[area] { out.append(("cpu.\(area.rawValue)", q)) }
        }
        for area in TelemetryArea.allCases {
            if let q = memory[area] { out.append(("memory.\(area.rawValue)", q)) }
        }
        out += [
            ("ingressRequestRate", ingressRequestRate), ("serviceRequestRate", serviceRequestRate),
            ("callRate", callRate), ("responseSize", responseSize), ("meanDelay", meanDelay),
            ("delayQuantile", delayQuantile),
        ]
        return out
    }

    public static func == (a: TelemetryQueries, b: TelemetryQueries) -> Bool {
        a.named.map(\.promql) == b.named.map(\.promql)
    }

    public init(_ s: PrometheusTelemetrySettings) {
        let window = "[" + s.queryWindow + "]"
        let names = s.services.map(\.name)
        let src = s.sourceAppLabel
        let dst = s.destinationAppLabel

        func rate(_ selector: Selector) -> String { "rate(" + selector.rendered + window + ")" }

        // cAdvisor: the pod-level aggregate (container="") and the pause container would count twice.
        func cadvisor(_ metric: String, _ area: TelemetryArea) -> Selector? {
            let patterns = s.services.compactMap { svc in
                svc.workload(in: area).map { $0.kind.podPattern(workload: $0.name) }
            }
            guard !patterns.isEmpty else { return nil }
            var matchers: [LabelMatcher] = []
            if let cluster = s.clusterLabel { matchers.append(.equal(cluster, s.clusters[area])) }
            matchers += [
                .equal("namespace", s.appNamespace), .regex("pod", patterns.joined(separator: "|")),
                .notEqual("container", ""), .notEqual("container", "POD"), .notEqual("container", "istio-proxy"),
            ]
            return Selector(metric: metric, matchers: matchers)
        }
        cpu = PerAreaQuery(
            cloud: cadvisor("container_cpu_usage_seconds_total", .cloud).map { "sum by (pod) (\(rate($0)))" },
            edge: cadvisor("container_cpu_usage_seconds_total", .edge).map { "sum by (pod) (\(rate($0)))" })
        memory = PerAreaQuery(
            cloud: cadvisor("container_memory_usage_bytes", .cloud).map { "sum by (pod) (\($0.rendered))" },
            edge: cadvisor("container_memory_usage_bytes", .edge).map { "sum by (pod) (\($0.rendered))" })

        var ingressMatchers: [LabelMatcher] = []
        if let cluster = s.clusterLabel { ingressMatchers.append(.equal(cluster, s.clusters.edge)) }
        ingressMatchers += [
            .equal("namespace", s.ingress.namespace), .equal(src, s.ingress.sourceApp), .oneOf(dst, names),
            .equal("reporter", "source"), .equal("response_code", s.successResponseCode),
        ]
        if let instance = s.ingress.instanceRegex { ingressMatchers.append(.regex("instance", instance)) }
        let ingress = Selector(metric: "istio_requests_total", matchers: ingressMatchers)

        var appMatchers: [LabelMatcher] = []
        if let cluster = s.clusterLabel {
            // Every area whose copies take part: a cloud copy's callee-side series do not say which edge's users
            // called it, so the rates into it are only consistent with its callers' over all areas.
            var areas: [String] = []
            for value in [s.clusters.cloud, s.clusters.edge] + s.otherEdgeClusters where !areas.contains(value) {
                areas.append(value)
            }
            appMatchers.append(.oneOf(cluster, areas))
        }
        appMatchers += [
            .equal("namespace", s.appNamespace), .oneOf(dst, names),
            .equal("reporter", "destination"), .equal("response_code", s.successResponseCode),
        ]
        let app = Selector(metric: "istio_requests_total", matchers: appMatchers)

        ingressRequestRate = "sum by (\(dst)) (\(rate(ingress)))"
        serviceRequestRate = "sum by (\(dst)) (\(rate(app)))"
        callRate = "sum by (\(src), \(dst)) (\(rate(app.adding(.oneOf(src, names)))))"
        responseSize =
            "sum by (\(dst)) (\(rate(app.renamed("istio_response_bytes_sum"))))"
            + " / sum by (\(dst)) (\(rate(app.renamed("istio_response_bytes_count"))))"
        meanDelay =
            "sum(\(rate(ingress.renamed("istio_request_duration_milliseconds_sum"))))"
            + " / sum(\(rate(ingress.renamed("istio_request_duration_milliseconds_count"))))"
        delayQuantile =
            "histogram_quantile(\(s.delayQuantile), sum by (le) (\(rate(ingress.renamed("istio_request_duration_milliseconds_bucket")))))"
    }
}
