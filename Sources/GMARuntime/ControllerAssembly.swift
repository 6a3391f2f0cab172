import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer
import GMATelemetry
import Logging

/// Builds the control loop's parts from a loaded `GMAConfiguration`: the settings, Prometheus telemetry,
/// the kubectl cluster and the network source. The one place that knows how config keys map onto them.
public enum ControllerAssembly {
    public static func settings(
        from config: GMAConfiguration, solver: SolverKind? = nil, timeLimitSeconds: Double? = nil
    ) -> ControllerSettings {
        let slo = config.slo
        let band = DelayBand(
            offloadSeconds: slo.offloadDelaySeconds, unoffloadSeconds: slo.unoffloadDelaySeconds,
            offloadQuantileSeconds: slo.offloadQuantileDelaySeconds,
            unoffloadQuantileSeconds: slo.unoffloadQuantileDelaySeconds,
            maxReductionSeconds: config.optimizer.maxDelayReductionSeconds,
            maxIncreaseSeconds: config.optimizer.maxDelayIncreaseSeconds)
        let timing = LoopTiming(
            syncPeriodSeconds: config.telemetry.syncPeriodSeconds,
            stabilizationWindowSeconds: config.telemetry.stabilizationWindowSeconds,
            telemetryWindowSeconds: config.telemetry.queryPeriodSeconds)
        let locked = Set(config.lockedServices)
        let services = config.services.map { s in
            // Measured fields (usage, response size) are filled from telemetry each cycle.
            Service(
                name: s.name, cpuRequestCores: s.cpuRequestCores, memoryRequestBytes: s.memoryRequestBytes,
                cpuUsageCores: PerArea(cloud: 0, edge: 0), memoryUsageBytes: PerArea(cloud: 0, edge: 0),
                responseBytes: 0, hpaCpuThreshold: s.hpaCpuThreshold.cloud, locked: locked.contains(s.name))
        }
        let template = PlacementProblem(
            metadata: Metadata(name: config.name ?? "gma", source: "gma controller, config \(config.file)"),
            action: .offload, services: services, calls: [], userRequestsPerSecond: 0,
            network: Network(
                rttSeconds: config.network.effectiveRTTSeconds,
                cloudToEdgeBitsPerSecond: config.network.cloudToEdgeBitsPerSecond,
                edgeToCloudBitsPerSecond: config.network.edgeToCloudBitsPerSecond),
            prices: Prices(edge: config.edge.prices, cloud: config.cloud.prices, networkGB: config.cloud.networkPricePerGB),
            target: Target(delayReductionSeconds: 0))
        var bounds: [String: PerArea<ReplicaBounds>] = [:]
        var scaling: [String: Double] = [:]
        for s in config.services {
            bounds[s.name] = PerArea(
                cloud: ReplicaBounds(min: s.cloud.hpa.minReplicas, max: s.cloud.hpa.maxReplicas),
                edge: ReplicaBounds(min: s.edge.hpa.minReplicas, max: s.edge.hpa.maxReplicas))
            scaling[s.name] = config.edge.defaultResourceScaling
        }
        var options = SolveOptions(
            timeLimitSeconds: timeLimitSeconds ?? config.optimizer.timeLimitSeconds,
            greedyDepth: config.optimizer.expandingDepth)
        options.allowRemoval = false
        var settings = ControllerSettings(
            band: band, timing: timing, template: template, resourceScaling: scaling,
            solver: solver ?? config.optimizer.connector.solverKind, solveOptions: options, replicaBounds: bounds)
        // A --solver on the command line overrides the plug-in as well.
        if solver == nil, case .external(let path) = config.optimizer.connector { settings.externalSolver = path }
        settings.policy = ControlSection.policy(configFile: config.file)
        return settings
    }

    /// Edge `e`'s queries when the config has several edges: its view's, with the app's call graph read over every
    /// area (docs/multi-edge.md §9).
    public static func telemetrySettings(from config: GMAConfiguration, edge e: Int) throws -> PrometheusTelemetrySettings {
        let view = config.edgeView(e)
        var settings = try telemetrySettings(from: view)
        settings.otherEdgeClusters = config.edgeAreas.map(\.area.cluster).filter { $0 != view.edge.cluster }
        return settings
    }

    public static func telemetrySettings(from config: GMAConfiguration) throws -> PrometheusTelemetrySettings {
        guard let url = URL(string: config.telemetry.prometheusURL), url.scheme != nil else {
            throw AssemblyError("\(config.file): prometheus-url \"\(config.telemetry.prometheusURL)\" is not a URL")
        }
        let credentials: PrometheusCredentials
        switch config.telemetry.prometheusAuth {
        case .none: credentials = .none
        case .bearerTokenFile(let path): credentials = .bearerTokenFile(path)
        case .basic(let user, let path): credentials = .basic(username: user, passwordFile: path)
        }
        let services = config.services.map { s in
            PrometheusTelemetrySettings.Service(
                name: s.name, cloudWorkload: workload(s.cloud), edgeWorkload: workload(s.edge))
        }
        return PrometheusTelemetrySettings(
            connection: PrometheusConnection(
                baseURL: url, credentials: credentials, requestTimeoutSeconds: config.telemetry.bounds.timeoutSeconds,
                maxAnswerBytes: config.telemetry.bounds.maxAnswerBytes, maxSeries: config.telemetry.bounds.maxSeries),
            appNamespace: config.namespace, services: services,
            clusters: .init(cloud: config.cloud.cluster, edge: config.edge.cluster),
            ingress: .init(
                sourceApp: config.edge.ingressSourceApp ?? "istio-ingressgateway",
                namespace: config.edge.ingressNamespace ?? "istio-ingress",
                instanceRegex: config.edge.podCIDRRegex),
            queryWindow: config.telemetry.queryPeriod, delayQuantile: config.slo.delayQuantile)
    }

    private static func workload(_ m: ServiceManifests) -> PrometheusTelemetrySettings.Workload {
        .init(name: m.workloadName, kind: m.workloadKind == .statefulSet ? .statefulSet : .deployment)
    }

    /// The network from netinfo.yaml and the net prober, starting from the configured values. The RTT
    /// multiplier applies once to whichever RTT is current (config, file or probe), as in the reference.
    public static func network(
        from config: GMAConfiguration, logger: Logger = Logger(label: "gma.network")
    ) -> ScaledNetwork {
        let n = config.network
        let probe = n.netProberURL.flatMap(URL.init(string:)).map { NetproberClient(url: $0) }
        let provider = NetworkInfoProvider(
            initial: NetworkInfo(
                rttSeconds: n.rttSeconds, cloudToEdgeBitsPerSecond: n.cloudToEdgeBitsPerSecond,
                edgeToCloudBitsPerSecond: n.edgeToCloudBitsPerSecond),
            netinfoPath: n.netinfoFile, probe: probe)
        return ScaledNetwork(provider: provider, rttMultiplier: n.rttMultiplier, logger: logger)
    }
}

public struct AssemblyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
