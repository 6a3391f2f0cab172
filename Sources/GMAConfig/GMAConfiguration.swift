import Foundation
import GMAOptimizer

/// The two areas one gma instance controls (one cloud, one edge: docs/differences.md §7).
public enum ClusterArea: String, Sendable, CaseIterable, Codable {
    case cloud
    case edge

    /// The reference's key in `GMAConfig.yaml`.
    public var configKey: String { self == .cloud ? "cloud-area" : "edge-area" }
}

/// The controller's whole configuration, resolved and validated: what the rest of gma uses.
///
/// Durations are seconds, bit rates bit/s, CPU cores, memory bytes. Paths are absolute (resolved
/// relative to the config file).
public struct GMAConfiguration: Sendable, Equatable {
    /// Absolute path of the config file.
    public var file: String
    /// `metadata.name`, if any.
    public var name: String?
    /// `spec.app.namespace`: the app's namespace (PromQL `namespace=`, `kubectl -n`).
    public var namespace: String
    /// Services in id order; `services[i].id == i`.
    public var services: [ServiceConfig]
    public var telemetry: TelemetrySettings
    public var slo: SLOSettings
    public var cloud: AreaSettings
    public var edge: AreaSettings
    public var network: NetworkSettings
    /// The name of edge 0, whose settings are `edge`, `network` and `services[].edge` ("edge" for `spec.edge-area`).
    public var firstEdgeName = "edge"
    /// Edges 1…K−1 of `spec.edge-areas`, in file order; empty for one edge (docs/config.md §4).
    public var furtherEdges: [EdgeAreaConfig] = []
    public var optimizer: OptimizerSettings
    public var kube: KubeSettings
    /// Problems that do not stop gma (unknown keys, ignored legacy keys, defaults taken).
    public var warnings: [ConfigIssue]

    public init(
        file: String, name: String?, namespace: String, services: [ServiceConfig], telemetry: TelemetrySettings,
        slo: SLOSettings, cloud: AreaSettings, edge: AreaSettings, network: NetworkSettings,
        optimizer: OptimizerSettings, kube: KubeSettings, warnings: [ConfigIssue] = []
    ) {
        self.file = file
        self.name = name
        self.namespace = namespace
        self.services = services
        self.telemetry = telemetry
        self.slo = slo
        self.cloud = cloud
        self.edge = edge
        self.network = network
        self.optimizer = optimizer
        self.kube = kube
        self.warnings = warnings
    }

    public func area(_ area: ClusterArea) -> AreaSettings { area == .cloud ? cloud : edge }

    /// How the areas are told apart: by kube context, by the `cluster` label, or by workload names.
    public var layout: ClusterLayout { ClusterLayout(cloud: cloud, edge: edge) }

    public func service(named name: String) -> ServiceConfig? { services.first { $0.name == name } }

    /// M of the reference: the services plus the user (the edge ingress) at index M−1 (docs/differences.md D1).
    public var modelSize: Int { services.count + 1 }

    /// Names of the services the optimizer must not move (docs/differences.md D5: by name, from `optimizer.locked`).
    public var lockedServices: [String] { optimizer.lockedServices }
}

/// One microservice: its manifests and what gma read from them.
public struct ServiceConfig: Sendable, Equatable {
    /// 0-based index; also the reference's id.
    public var id: Int
    /// Must equal the pods' `app` label (Istio's `source_app`/`destination_app`).
    public var name: String
    /// The hand-managed cloud copy (scaled, never applied or deleted).
    public var cloud: ServiceManifests
    /// The edge copy gma applies on offload and deletes on unoffload.
    public var edge: ServiceManifests

    public init(id: Int, name: String, cloud: ServiceManifests, edge: ServiceManifests) {
        self.id = id
        self.name = name
        self.cloud = cloud
        self.edge = edge
    }

    public func manifests(_ area: ClusterArea) -> ServiceManifests { area == .cloud ? cloud : edge }

    public var cpuRequestCores: PerArea<Double> { PerArea(cloud: cloud.cpuRequestCores, edge: edge.cpuRequestCores) }
    public var memoryRequestBytes: PerArea<Double> {
        PerArea(cloud: cloud.memoryRequestBytes, edge: edge.memoryRequestBytes)
    }
    /// HPA CPU targets as fractions (docs/differences.md D7: read per service and area, not always 0.6).
    public var hpaCpuThreshold: PerArea<Double> { PerArea(cloud: cloud.hpa.cpuThreshold, edge: edge.hpa.cpuThreshold) }
}

public enum WorkloadKind: String, Sendable, Equatable, Codable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"

    /// The resource name kubectl takes (`kubectl scale deployment …`); see docs/differences.md D3.
    public var kubectlResource: String { self == .deployment ? "deployment" : "statefulset" }
}

/// What the manifests of one service in one area hold.
public struct ServiceManifests: Sendable, Equatable {
    /// Absolute paths, in config order.
    public var files: [String]
    public var workloadKind: WorkloadKind
    public var workloadName: String
    /// Sum over the pod's containers of `resources.requests` (init containers excluded, as in the reference).
    public var cpuRequestCores: Double
    public var memoryRequestBytes: Double
    /// The pod template's labels.
    public var podLabels: [String: String]
    public var hpa: HPASettings

    public init(
        files: [String], workloadKind: WorkloadKind, workloadName: String, cpuRequestCores: Double,
        memoryRequestBytes: Double, podLabels: [String: String], hpa: HPASettings
    ) {
        self.files = files
        self.workloadKind = workloadKind
        self.workloadName = workloadName
        self.cpuRequestCores = cpuRequestCores
        self.memoryRequestBytes = memoryRequestBytes
        self.podLabels = podLabels
        self.hpa = hpa
    }
}

/// An HorizontalPodAutoscaler as written in a manifest.
public struct HPASettings: Sendable, Equatable {
    public var name: String
    public var minReplicas: Int
    public var maxReplicas: Int
    /// CPU target utilisation as a fraction (60 % → 0.6).
    public var cpuThreshold: Double

    public init(name: String, minReplicas: Int, maxReplicas: Int, cpuThreshold: Double) {
        self.name = name
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
        self.cpuThreshold = cpuThreshold
    }
}

/// `spec.telemetry`.
/// How far one Prometheus answer may go: a deadline for the whole answer (retries included), a byte cap and a
/// series cap; past any of them the query fails and the data is unknown (docs/reliability.md, "Bounds").
public struct PrometheusBounds: Sendable, Equatable {
    public var timeoutSeconds: Double = 10
    public var maxAnswerBytes: Int = 8 << 20
    public var maxSeries: Int = 10_000

    public init() {}
}

public struct TelemetrySettings: Sendable, Equatable {
    /// Camping sleep when there is no alarm.
    public var syncPeriodSeconds: Double
    /// W: the HPA-running sleep, the alarm length and the sleep after a placement.
    public var stabilizationWindowSeconds: Double
    /// The PromQL range as written (`2m`): pasted into range selectors.
    public var queryPeriod: String
    public var queryPeriodSeconds: Double
    public var prometheusURL: String
    public var prometheusAuth: PrometheusAuth
    /// gma's extensions: per-query deadline, answer size and series count (docs/config.md).
    public var bounds = PrometheusBounds()

    public init(
        syncPeriodSeconds: Double, stabilizationWindowSeconds: Double, queryPeriod: String, queryPeriodSeconds: Double,
        prometheusURL: String, prometheusAuth: PrometheusAuth = .none
    ) {
        self.syncPeriodSeconds = syncPeriodSeconds
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.queryPeriod = queryPeriod
        self.queryPeriodSeconds = queryPeriodSeconds
        self.prometheusURL = prometheusURL
        self.prometheusAuth = prometheusAuth
    }
}

/// How gma authenticates to Prometheus (`spec.telemetry.prometheus-auth`, a gma extension).
public enum PrometheusAuth: Sendable, Equatable {
    case none
    /// `Authorization: Bearer <contents of the file>`.
    case bearerTokenFile(String)
    /// HTTP basic auth; the password is read from a file so that it stays out of the config.
    case basic(username: String, passwordFile: String)
}

/// `spec.slo`: the four delay thresholds and the quantile.
public struct SLOSettings: Sendable, Equatable {
    public var offloadDelaySeconds: Double
    public var unoffloadDelaySeconds: Double
    public var offloadQuantileDelaySeconds: Double
    public var unoffloadQuantileDelaySeconds: Double
    /// In (0, 1), e.g. 0.9.
    public var delayQuantile: Double

    public init(
        offloadDelaySeconds: Double, unoffloadDelaySeconds: Double, offloadQuantileDelaySeconds: Double,
        unoffloadQuantileDelaySeconds: Double, delayQuantile: Double
    ) {
        self.offloadDelaySeconds = offloadDelaySeconds
        self.unoffloadDelaySeconds = unoffloadDelaySeconds
        self.offloadQuantileDelaySeconds = offloadQuantileDelaySeconds
        self.unoffloadQuantileDelaySeconds = unoffloadQuantileDelaySeconds
        self.delayQuantile = delayQuantile
    }
}

/// `spec.cloud-area` / `spec.edge-area`.
public struct AreaSettings: Sendable, Equatable {
    /// Prometheus `cluster` label value ("" matches series without the label).
    public var cluster: String
    /// Kube context; "" means kubectl's current context (no `--context` flag is passed then).
    public var context: String
    /// Pod-IP regex on `instance` (used for the edge only).
    public var podCIDRRegex: String?
    /// Per core-hour and per GB-hour.
    public var prices: AreaPrices
    /// `cost.network`, currency per GB (docs/differences.md D2: read from its own key).
    public var networkPricePerGB: Double
    /// Istio ingress gateway `source_app` and namespace (used for the edge only).
    public var ingressSourceApp: String?
    public var ingressNamespace: String?
    /// `default-resource-scaling` (edge only; 1 for the cloud).
    public var defaultResourceScaling: Double

    public init(
        cluster: String, context: String, podCIDRRegex: String?, prices: AreaPrices, networkPricePerGB: Double,
        ingressSourceApp: String?, ingressNamespace: String?, defaultResourceScaling: Double = 1
    ) {
        self.cluster = cluster
        self.context = context
        self.podCIDRRegex = podCIDRRegex
        self.prices = prices
        self.networkPricePerGB = networkPricePerGB
        self.ingressSourceApp = ingressSourceApp
        self.ingressNamespace = ingressNamespace
        self.defaultResourceScaling = defaultResourceScaling
    }
}

/// `spec.network`: defaults until measured, and where measurements come from.
public struct NetworkSettings: Sendable, Equatable {
    /// Absolute path of the netinfo file; nil when disabled (`''`).
    public var netinfoFile: String?
    /// nil when disabled (`''`).
    public var netProberURL: String?
    /// B of the model.
    public var cloudToEdgeBitsPerSecond: Double
    public var edgeToCloudBitsPerSecond: Double
    /// Physical round-trip time.
    public var rttSeconds: Double
    /// The one RTT multiplier (docs/differences.md D4): the model uses `rttSeconds × rttMultiplier`.
    public var rttMultiplier: Double

    public init(
        netinfoFile: String?, netProberURL: String?, cloudToEdgeBitsPerSecond: Double, edgeToCloudBitsPerSecond: Double,
        rttSeconds: Double, rttMultiplier: Double
    ) {
        self.netinfoFile = netinfoFile
        self.netProberURL = netProberURL
        self.cloudToEdgeBitsPerSecond = cloudToEdgeBitsPerSecond
        self.edgeToCloudBitsPerSecond = edgeToCloudBitsPerSecond
        self.rttSeconds = rttSeconds
        self.rttMultiplier = rttMultiplier
    }

    /// The RTT the model uses.
    public var effectiveRTTSeconds: Double { rttSeconds * rttMultiplier }
}

/// `spec.optimizer.connector`: which placement strategy runs.
public enum OptimizerConnector: Sendable, Equatable, CustomStringConvertible {
    /// ILP within the time limit, greedy fallback (also what the reference's `SBMP_GMA_Connector` maps to).
    case auto
    case ilp
    case greedy
    /// `exec:PATH`: a plug-in reading a gma/v1 problem on stdin and writing a solve result on stdout.
    /// The path is absolute (resolved relative to the config file).
    case external(path: String)

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .ilp: return "ilp"
        case .greedy: return "greedy"
        case .external(let path): return "exec:\(path)"
        }
    }

    /// The built-in solver to run (the fallback for a plug-in).
    public var solverKind: SolverKind {
        switch self {
        case .ilp: return .ilp
        case .greedy: return .greedy
        case .auto, .external: return .auto
        }
    }
}

/// `spec.optimizer`.
public struct OptimizerSettings: Sendable, Equatable {
    public var connector: OptimizerConnector
    /// Wall-clock budget of one solve (and of a plug-in run).
    public var timeLimitSeconds: Double
    /// `sbmp.expanding-depth`: hops beyond the edge frontier for the greedy.
    public var expandingDepth: Int
    public var maxSubgraphs: Int
    public var maxTraces: Int
    /// `sbmp.overshooting-avoidance-multiplier` (1 when absent).
    public var overshootingMultiplier: Double
    /// `sbmp.input-binary-trace-file-npy` or `input-trace-file-npy` (docs/differences.md D6), absolute.
    public var inputTraceFile: String?
    public var maxDelayReductionSeconds: Double
    public var maxDelayIncreaseSeconds: Double
    /// Service names that must stay where they are (docs/differences.md D5).
    public var lockedServices: [String]

    public init(
        connector: OptimizerConnector = .auto, timeLimitSeconds: Double = 2, expandingDepth: Int = 2,
        maxSubgraphs: Int = 256, maxTraces: Int = 2048, overshootingMultiplier: Double = 1,
        inputTraceFile: String? = nil, maxDelayReductionSeconds: Double = 1, maxDelayIncreaseSeconds: Double = 1,
        lockedServices: [String] = []
    ) {
        self.connector = connector
        self.timeLimitSeconds = timeLimitSeconds
        self.expandingDepth = expandingDepth
        self.maxSubgraphs = maxSubgraphs
        self.maxTraces = maxTraces
        self.overshootingMultiplier = overshootingMultiplier
        self.inputTraceFile = inputTraceFile
        self.maxDelayReductionSeconds = maxDelayReductionSeconds
        self.maxDelayIncreaseSeconds = maxDelayIncreaseSeconds
        self.lockedServices = lockedServices
    }
}

/// How gma reaches the clusters: `spec.kube` (a gma extension) plus the areas' contexts.
public struct KubeSettings: Sendable, Equatable {
    /// kubectl looked up on PATH when it runs, as a shell would (its own install guide uses /usr/local/bin).
    public static let defaultKubectl = "kubectl"

    /// `spec.kube.kubectl`: a path, or a name looked up on PATH.
    public var kubectlPath: String
    /// Absolute path, or nil for kubectl's default (`$KUBECONFIG`, `~/.kube/config`).
    public var kubeconfig: String?
    public var cloudContext: String
    public var edgeContext: String
    /// Bound on each kubectl call.
    public var timeoutSeconds: Double

    public init(
        kubectlPath: String = KubeSettings.defaultKubectl, kubeconfig: String? = nil, cloudContext: String,
        edgeContext: String, timeoutSeconds: Double = 30
    ) {
        self.kubectlPath = kubectlPath
        self.kubeconfig = kubeconfig
        self.cloudContext = cloudContext
        self.edgeContext = edgeContext
        self.timeoutSeconds = timeoutSeconds
    }

    public func context(_ area: ClusterArea) -> String { area == .cloud ? cloudContext : edgeContext }
}
