import Foundation
import GMAControl

/// The cloud and the edge, as telemetry sees them.
public enum TelemetryArea: String, Sendable, CaseIterable, Codable {
    case cloud
    case edge
}

/// Everything `PrometheusTelemetry` needs, as plain values (the config layer maps `GMAConfig.yaml` onto it).
public struct PrometheusTelemetrySettings: Sendable, Equatable {
    public var connection: PrometheusConnection
    /// The app namespace (`spec.app.namespace`).
    public var appNamespace: String
    /// In config order; names equal the pods' `app` label, which Istio reports as source/destination app.
    public var services: [Service]
    /// Label that tells the clusters apart; nil when every series comes from one cluster without it.
    public var clusterLabel: String?
    /// Values of `clusterLabel` per area. `""` selects series that lack the label (PromQL semantics),
    /// the single-Prometheus Liqo layout.
    public var clusters: PerAreaNames
    /// With several edges, the other edges' `clusterLabel` values: the app's call graph and response sizes are
    /// the app's, read over every area (docs/multi-edge.md §9), while usage and the users stay this edge's.
    public var otherEdgeClusters: [String] = []
    public var ingress: Ingress
    public var sourceAppLabel: String
    public var destinationAppLabel: String
    /// PromQL range of every rate (`spec.telemetry.query-period`), e.g. `2m`.
    public var queryWindow: String
    /// p of the user delay quantile (`spec.slo.delay-quantile`).
    public var delayQuantile: Double
    /// Only successful requests describe the app's normal work; errors are often fast and would bias delays.
    public var successResponseCode: String

    public init(
        connection: PrometheusConnection,
        appNamespace: String,
        services: [Service],
        clusterLabel: String? = "cluster",
        clusters: PerAreaNames = PerAreaNames(cloud: "", edge: ""),
        ingress: Ingress,
        sourceAppLabel: String = "source_app",
        destinationAppLabel: String = "destination_app",
        queryWindow: String = "2m",
        delayQuantile: Double = 0.9,
        successResponseCode: String = "200"
    ) {
        self.connection = connection
        self.appNamespace = appNamespace
        self.services = services
        self.clusterLabel = clusterLabel
        self.clusters = clusters
        self.ingress = ingress
        self.sourceAppLabel = sourceAppLabel
        self.destinationAppLabel = destinationAppLabel
        self.queryWindow = queryWindow
        self.delayQuantile = delayQuantile
        self.successResponseCode = successResponseCode
    }

    /// `queryWindow` in seconds (nil when it is not a PromQL duration): how far a sample's time may lie
    /// from the evaluation time and still describe the window gma asked about.
    public var queryWindowSeconds: Double? {
        guard PromQL.isValidDuration(queryWindow) else { return nil }
        let units: [(String, Double)] = [
            ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800), ("y", 31_536_000),
        ]
        var total = 0.0
        var rest = Substring(queryWindow)
        while !rest.isEmpty {
            let digits = rest.prefix { ("0"..."9").contains($0) }
            rest = rest.dropFirst(digits.count)
            guard let (unit, seconds) = units.first(where: { rest.hasPrefix($0.0) }), let count = Double(digits) else {
                return nil
            }
            rest = rest.dropFirst(unit.count)
            total += count * seconds
        }
        return total
    }

    /// A string per area (cluster label values).
    public struct PerAreaNames: Sendable, Equatable {
        public var cloud: String
        public var edge: String

        public init(cloud: String, edge: String) {
            self.cloud = cloud
            self.edge = edge
        }

        public subscript(area: TelemetryArea) -> String { area == .cloud ? cloud : edge }
    }

    public struct Service: Sendable, Equatable {
        public var name: String
        /// The workload that runs the service in each area; nil when it has none there.
        public var cloudWorkload: Workload?
        public var edgeWorkload: Workload?

        public init(name: String, cloudWorkload: Workload?, edgeWorkload: Workload?) {
            self.name = name
            self.cloudWorkload = cloudWorkload
            self.edgeWorkload = edgeWorkload
        }

        public func workload(in area: TelemetryArea) -> Workload? { area == .cloud ? cloudWorkload : edgeWorkload }
    }

    /// A Kubernetes workload whose pods carry the service's CPU and memory.
    ///
    /// cAdvisor series have a `pod` label and no app label, so a pod is attributed to the workload whose
    /// controller would have generated exactly that name (`Kind.owns`), never by a name prefix (docs/telemetry.md §2).
    public struct Workload: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// Pods `<name>-<pod-template-hash>-<suffix>`.
            case deployment
            /// Pods `<name>-<ordinal>`.
            case statefulSet
            /// Pods `<name>-<suffix>`.
            case daemonSet
        }

        public var name: String
        public var kind: Kind

        public init(name: String, kind: Kind = .deployment) {
            self.name = name
            self.kind = kind
        }
    }

    /// The edge Istio ingress gateway, whose reporter=source series are the user's view.
    public struct Ingress: Sendable, Equatable {
        /// Its `source_app` (`istio-ingress-source-app`).
        public var sourceApp: String
        public var namespace: String
        /// RE2 on `instance` selecting this edge's gateway pods by IP (`pod-cidr-regex`); nil for no filter.
        public var instanceRegex: String?

        public init(sourceApp: String, namespace: String, instanceRegex: String? = nil) {
            self.sourceApp = sourceApp
            self.namespace = namespace
            self.instanceRegex = instanceRegex
        }
    }

    /// Every problem at once, so a config is fixed in one round.
    public func validate() throws(TelemetrySettingsError) {
        var problems: [String] = []
        if services.isEmpty { problems.append("no services") }
        var seen = Set<String>()
        for service in services {
            if service.name.isEmpty { problems.append("a service has an empty name") }
            if service.name == TelemetrySnapshot.userName {
                problems.append("service name \"\(TelemetrySnapshot.userName)\" is reserved for the ingress")
            }
            if !seen.insert(service.name).inserted { problems.append("service \(service.name) is listed twice") }
            for area in TelemetryArea.allCases {
                if let workload = service.workload(in: area), workload.name.isEmpty {
                    problems.append("service \(service.name) has an empty \(area) workload name")
                }
            }
        }
        if appNamespace.isEmpty { problems.append("empty app namespace") }
        if ingress.sourceApp.isEmpty { problems.append("empty ingress source app") }
        if ingress.namespace.isEmpty { problems.append("empty ingress namespace") }
        let labels = [("cluster", clusterLabel), ("source app", sourceAppLabel), ("destination app", destinationAppLabel)]
        for (what, label) in labels {
            if let label, !PromQL.isValidLabelName(label) { problems.append("invalid \(what) label name \(label)") }
        }
        if !PromQL.isValidDuration(queryWindow) { problems.append("query window \(queryWindow) is not a PromQL duration") }
        if !(delayQuantile > 0 && delayQuantile < 1) { problems.append("delay quantile \(delayQuantile) is not in (0, 1)") }
        let c = connection
        if !(c.requestTimeoutSeconds > 0) { problems.append("request timeout must be positive") }
        if c.maxAttempts < 1 { problems.append("at least one attempt is needed") }
        if c.maxAnswerBytes < 1 { problems.append("the answer byte cap must be positive") }
        if c.maxSeries < 1 { problems.append("the series cap must be positive") }
        if !(c.retryBackoffSeconds >= 0) || !(c.maxBackoffSeconds >= 0) { problems.append("negative retry backoff") }
        let scheme = c.baseURL.scheme?.lowercased()
        if !(scheme == "http" || scheme == "https") || c.baseURL.host == nil {
            problems.append("Prometheus URL \(c.baseURL.absoluteString) is not http(s)://host…")
        }
        if !problems.isEmpty { throw TelemetrySettingsError(problems: problems) }
    }
}

public struct TelemetrySettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public var description: String { "invalid telemetry settings: " + problems.joined(separator: "; ") }
}

extension PrometheusTelemetrySettings.Workload.Kind {
    /// Whether a controller of this kind, named `workload`, would have named a pod `pod`.
    /// Segments after the workload name are counted, so `cart` never owns `cart-redis-…` pods.
    func owns(pod: String, workload: String) -> Bool {
        guard pod.hasPrefix(workload + "-") else { return false }
        let rest = pod.dropFirst(workload.count + 1).split(separator: "-", omittingEmptySubsequences: false)
        let alnum: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
        switch self {
        case .deployment: return rest.count == 2 && rest.allSatisfy(alnum)
        case .statefulSet: return rest.count == 1 && rest[0].allSatisfy(\.isASCII) && rest[0].allSatisfy(\.isNumber) && !rest[0].isEmpty
        case .daemonSet: return rest.count == 1 && alnum(rest[0])
        }
    }

    /// The same rule in RE2, to keep other pods out of the answer.
    func podPattern(workload: String) -> String {
        let name = PromQL.regexLiteral(workload)
        switch self {
        case .deployment: return name + "-[a-z0-9]+-[a-z0-9]+"
        case .statefulSet: return name + "-[0-9]+"
        case .daemonSet: return name + "-[a-z0-9]+"
        }
    }
}
