import Foundation
import GMAOptimizer
import Yams

extension GMAConfiguration {
    /// The config path when `--config` is not given: `$GMA_CONFIG`, else `./GMAConfig.yaml` (docs/config.md §1).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let value = environment["GMA_CONFIG"], !value.isEmpty { return value }
        return "GMAConfig.yaml"
    }

    /// Reads the config file and every service manifest it names.
    ///
    /// - Throws: `ConfigError` listing every problem (file, line:column, key path), never only the first.
    public static func load(path: String) throws -> GMAConfiguration {
        let absolute = PathResolver(baseDirectory: FileManager.default.currentDirectoryPath).resolve(path)
        let text: String
        do {
            text = try InputFile.readText(absolute)
        } catch {
            throw ConfigError(issues: [
                ConfigIssue(file: path, keyPath: "", message: "cannot read the config file (\(error))")
            ])
        }
        return try parse(
            yaml: text, file: absolute, baseDirectory: (absolute as NSString).deletingLastPathComponent,
            readFile: readText)
    }

    /// Parses config text; `readFile` reads manifests by absolute path (a seam for tests).
    public static func parse(
        yaml: String, file: String, baseDirectory: String, readFile: @escaping (String) -> String? = readText
    ) throws -> GMAConfiguration {
        let log = IssueLog()
        let documents = YAMLDocuments.compose(yaml, file: file, log: log)
        if log.hasErrors { throw ConfigError(issues: log.issues) }
        guard documents.count == 1, let root = documents.first else {
            throw ConfigError(issues: [
                ConfigIssue(
                    file: file, keyPath: "",
                    message: documents.isEmpty ? "the file is empty" : "expected one YAML document, found \(documents.count)")
            ])
        }
        let reader = ConfigReader(
            root: YAMLField(root: root, file: file, log: log), file: file,
            paths: PathResolver(baseDirectory: baseDirectory), readFile: readFile, log: log)
        let config = reader.read()
        guard let config, !log.hasErrors else { throw ConfigError(issues: log.issues) }
        return config
    }

    /// Reads a whole text file; nil if it is missing, not UTF-8 or over `InputFile.maximumBytes`.
    public static func readText(_ path: String) -> String? { try? InputFile.readText(path) }
}

/// Walks `GMAConfig.yaml` (docs/config.md), reading every key before deciding whether it failed.
struct ConfigReader {
    let root: YAMLField
    let file: String
    let paths: PathResolver
    let readFile: (String) -> String?
    let log: IssueLog

    func read() -> GMAConfiguration? {
        // A document that is a lone scalar or list silenced every key below it and failed without a word
        // (found by fuzzing, issue 8).
        guard root.expectMapping() else { return nil }
        root.warnUnknownKeys(["apiVersion", "kind", "metadata", "spec"])
        if let kind = root["kind"].string(required: false), kind != "GMAPlacerConfig" {
            root["kind"].warning("expected kind GMAPlacerConfig, found '\(kind)'")
        }
        let spec = root["spec"]
        guard spec.expectMapping() else { return nil }
        spec.warnUnknownKeys([
            "telemetry", "slo", "cloud-area", "edge-area", "edge-areas", "network", "optimizer", "app", "kube",
            "control",
        ])
        _ = ControlSection.read(spec["control"])

        let telemetry = readTelemetry(spec["telemetry"])
        let slo = readSLO(spec["slo"])
        let cloud = readArea(spec["cloud-area"], .cloud)
        let edges = readEdgeAreas(spec)
        let app = readApp(spec["app"], edges: edges)
        let optimizer = readOptimizer(spec["optimizer"], serviceNames: app?.services.map(\.name))
        let kube = readKube(spec["kube"], cloud: cloud, edge: edges.settings?.first?.area)

        guard let telemetry, let slo, let cloud, let edgeSettings = edges.settings, let app, let optimizer, let kube
        else { return nil }
        NameCollisionCheck(areas: edges.collisionAreas(cloud: cloud, edges: edgeSettings), namespace: app.namespace)
            .report(app.objects)
        var configuration = GMAConfiguration(
            file: file, name: root["metadata"]["name"].string(required: false), namespace: app.namespace,
            services: app.services, telemetry: telemetry, slo: slo, cloud: cloud, edge: edgeSettings[0].area,
            network: edgeSettings[0].network, optimizer: optimizer, kube: kube,
            warnings: log.issues.filter { $0.severity == .warning })
        configuration.edgeAreas = edges.configs(edgeSettings, manifests: app.edgeManifests)
        return configuration
    }

    // MARK: spec.telemetry

    private func readTelemetry(_ t: YAMLField) -> TelemetrySettings? {
        guard t.expectMapping() else { return nil }
        t.warnUnknownKeys([
            "sync-period", "stabilization-window", "query-period", "prometheus-url", "prometheus-auth",
            "prometheus-timeout", "prometheus-max-answer-bytes", "prometheus-max-series",
        ])
        let sync = t["sync-period"].seconds()
        if let sync, sync <= 0 { t["sync-period"].error("must be positive") }
        let window = t["stabilization-window"].seconds()
        let period = t["query-period"].string()
        var periodSeconds: Double?
        if let period {
            // Pasted verbatim into PromQL range selectors: it must be a PromQL duration.
            if period.range(of: #"^([0-9]+(ms|s|m|h|d|w|y))+$"#, options: .regularExpression) == nil {
                t["query-period"].error("'\(period)' is not a PromQL duration (examples: 2m, 90s, 1m30s)")
            } else {
                periodSeconds = t["query-period"].seconds()
            }
        }
        let url = t["prometheus-url"].string()
        if let url, !isHTTPURL(url) {
            t["prometheus-url"].error("'\(url)' is not an http:// or https:// URL")
        }
        let auth = readPrometheusAuth(t["prometheus-auth"])
        guard let sync, let window, let period, let periodSeconds, let url, let auth else { return nil }
        var settings = TelemetrySettings(
            syncPeriodSeconds: sync, stabilizationWindowSeconds: window, queryPeriod: period,
            queryPeriodSeconds: periodSeconds, prometheusURL: url, prometheusAuth: auth)
        settings.bounds = readPrometheusBounds(t)
        return settings
    }

    /// gma's extensions bounding each Prometheus answer in time, bytes and series (docs/config.md).
    private func readPrometheusBounds(_ t: YAMLField) -> PrometheusBounds {
        var bounds = PrometheusBounds()
        if let timeout = t["prometheus-timeout"].seconds(required: false) {
            if timeout > 0 { bounds.timeoutSeconds = timeout } else { t["prometheus-timeout"].error("must be positive") }
        }
        if let bytes = t["prometheus-max-answer-bytes"].quantity(required: false) {
            if bytes >= 1024, bytes <= Double(Int32.max) {
                bounds.maxAnswerBytes = Int(bytes)
            } else {
                t["prometheus-max-answer-bytes"].error("must be between 1Ki and 2Gi (e.g. 8Mi)")
            }
        }
        if let series = t["prometheus-max-series"].int(required: false) {
            if series > 0 { bounds.maxSeries = series } else { t["prometheus-max-series"].error("must be positive") }
        }
        return bounds
    }

    private func readPrometheusAuth(_ a: YAMLField) -> PrometheusAuth? {
        if a.isAbsent { return PrometheusAuth.none }
        guard a.expectMapping() else { return nil }
        a.warnUnknownKeys(["bearer-token-file", "username", "password-file"])
        if let token = a["bearer-token-file"].string(required: false) {
            return .bearerTokenFile(paths.resolve(token))
        }
        let user = a["username"].string()
        let password = a["password-file"].string()
        guard let user, let password else { return nil }
        return .basic(username: user, passwordFile: paths.resolve(password))
    }

    // MARK: spec.slo

    private func readSLO(_ s: YAMLField) -> SLOSettings? {
        guard s.expectMapping() else { return nil }
        s.warnUnknownKeys([
            "offload-delay-threshold", "unoffload-delay-threshold", "offload-delay-quantile-threshold",
            "unoffload-delay-quantile-threshold", "delay-quantile",
        ])
        let off = s["offload-delay-threshold"].seconds()
        let unoff = s["unoffload-delay-threshold"].seconds()
        let offQ = s["offload-delay-quantile-threshold"].seconds()
        let unoffQ = s["unoffload-delay-quantile-threshold"].seconds()
        let quantile = s["delay-quantile"].double()
        if let off, let unoff, unoff >= off {
            s["unoffload-delay-threshold"].error(
                "must be below offload-delay-threshold (\(ms(unoff)) ≥ \(ms(off))), or the controller oscillates")
        }
        if let offQ, let unoffQ, unoffQ > offQ {
            s["unoffload-delay-quantile-threshold"].error(
                "must not exceed offload-delay-quantile-threshold (\(ms(unoffQ)) > \(ms(offQ)))")
        }
        if let quantile, !(quantile > 0 && quantile < 1) {
            s["delay-quantile"].error("must be between 0 and 1 (exclusive), found \(quantile)")
        }
        guard let off, let unoff, let offQ, let unoffQ, let quantile else { return nil }
        return SLOSettings(
            offloadDelaySeconds: off, unoffloadDelaySeconds: unoff, offloadQuantileDelaySeconds: offQ,
            unoffloadQuantileDelaySeconds: unoffQ, delayQuantile: quantile)
    }

    // MARK: spec.cloud-area / spec.edge-area

    /// `extraKeys`: the keys an entry of `spec.edge-areas` adds (docs/config.md §4).
    func readArea(_ a: YAMLField, _ area: ClusterArea, extraKeys: Set<String> = []) -> AreaSettings? {
        guard a.expectMapping() else { return nil }
        a.warnUnknownKeys(
            extraKeys.union(["cluster", "context", "pod-cidr-regex", "cost", "istio", "default-resource-scaling"]))
        let isEdge = area == .edge
        let cluster = a["cluster"].string()
        let context = a["context"].string()
        let cidr = a["pod-cidr-regex"].string(required: isEdge)
        if let cidr, (try? NSRegularExpression(pattern: cidr)) == nil {
            a["pod-cidr-regex"].error("'\(cidr)' is not a valid regular expression")
        }
        let cost = a["cost"]
        cost.expectMapping()
        cost.warnUnknownKeys(["cpu", "memory", "network"])
        let cpu = nonNegative(cost["cpu"])
        let memory = nonNegative(cost["memory"])
        var network = nonNegative(cost["network"], required: false)
        if cost.isPresent, cost["network"].isAbsent {
            cost["network"].warning("no network price; 0 per GB is assumed")
            network = 0
        }
        let istio = a["istio"]
        if isEdge { istio.expectMapping() }
        istio.warnUnknownKeys([
            "istio-ingress-source-app", "istio-ingress-namespace", "istio-eastwest-source-app",
            "istio-eastwest-namespace",
        ])
        let ingressApp = istio["istio-ingress-source-app"].string(required: isEdge)
        let ingressNamespace = istio["istio-ingress-namespace"].string(required: isEdge)
        var scaling = 1.0
        if isEdge, let value = a["default-resource-scaling"].double(required: false) {
            if value <= 0 { a["default-resource-scaling"].error("must be positive, found \(value)") }
            scaling = value
        }
        guard let cluster, let context, let cpu, let memory, let network else { return nil }
        if isEdge, ingressApp == nil || ingressNamespace == nil || cidr == nil { return nil }
        return AreaSettings(
            cluster: cluster, context: context, podCIDRRegex: cidr,
            prices: AreaPrices(cpuCoreHour: cpu, memoryGBHour: memory), networkPricePerGB: network,
            ingressSourceApp: ingressApp, ingressNamespace: ingressNamespace, defaultResourceScaling: scaling)
    }

    // MARK: spec.network

    /// `sbmp`: where the reference's fallback RTT multiplier is read; nil for the edges of `spec.edge-areas`.
    func readNetwork(_ n: YAMLField, sbmp: YAMLField?) -> NetworkSettings? {
        guard n.expectMapping() else { return nil }
        n.warnUnknownKeys([
            "netinfo-file", "net-prober-url", "cloud-edge-bps", "edge-cloud-bps", "edge-cloud-rtt-ms",
            "edge-cloud-rtt-multiplier",
        ])
        let netinfo = n["netinfo-file"].string(required: false).flatMap { $0.isEmpty ? nil : paths.resolve($0) }
        let prober = n["net-prober-url"].string(required: false).flatMap { $0.isEmpty ? nil : $0 }
        if let prober, !isHTTPURL(prober) {
            n["net-prober-url"].error("'\(prober)' is not an http:// or https:// URL")
        }
        let down = positive(n["cloud-edge-bps"].bitsPerSecond(), n["cloud-edge-bps"])
        let up = positive(n["edge-cloud-bps"].bitsPerSecond(), n["edge-cloud-bps"])
        let rtt = n["edge-cloud-rtt-ms"].seconds()
        // docs/differences.md D4: one multiplier. network.edge-cloud-rtt-multiplier wins; the sbmp copy is only a fallback.
        var multiplier = positive(n["edge-cloud-rtt-multiplier"].double(required: false), n["edge-cloud-rtt-multiplier"])
        if let legacy = sbmp?["edge-cloud-rtt-multiplier"], let legacyValue = legacy.double(required: false) {
            if let multiplier {
                legacy.warning(
                    "ignored: the RTT is multiplied once, by network.edge-cloud-rtt-multiplier (\(fmt(multiplier))); the reference multiplied by both (\(fmt(multiplier * legacyValue))×)")
            } else {
                multiplier = positive(legacyValue, legacy)
            }
        }
        guard let down, let up, let rtt else { return nil }
        return NetworkSettings(
            netinfoFile: netinfo, netProberURL: prober, cloudToEdgeBitsPerSecond: down, edgeToCloudBitsPerSecond: up,
            rttSeconds: rtt, rttMultiplier: multiplier ?? 1)
    }

    // MARK: spec.optimizer

    private func readOptimizer(_ o: YAMLField, serviceNames: [String]?) -> OptimizerSettings? {
        guard o.expectMapping() else { return nil }
        o.warnUnknownKeys([
            "connector", "sbmp", "max-delay-reduction", "max-delay-increase", "locked", "time-limit",
            "delay-quantile-multiplier",
        ])
        let connector = readConnector(o["connector"])
        let sbmp = o["sbmp"]
        if sbmp.isPresent { sbmp.expectMapping() }
        sbmp.warnUnknownKeys([
            "expanding-depth", "max-sgs", "max-traces", "input-binary-trace-file-npy", "input-trace-file-npy",
            "output-trace-file-npy", "output-binary-trace-file-npy", "overshooting-avoidance-multiplier",
            "edge-cloud-rtt-multiplier", "locked",
        ])
        var settings = OptimizerSettings()
        if let depth = sbmp["expanding-depth"].int(required: false) {
            if depth < 1 { sbmp["expanding-depth"].error("must be at least 1") }
            settings.expandingDepth = depth
        }
        if let value = sbmp["max-sgs"].int(required: false) { settings.maxSubgraphs = value }
        if let value = sbmp["max-traces"].int(required: false) { settings.maxTraces = value }
        if let value = positive(sbmp["overshooting-avoidance-multiplier"].double(required: false),
            sbmp["overshooting-avoidance-multiplier"])
        {
            settings.overshootingMultiplier = value
        }
        // docs/differences.md D6: both spellings of the trace file are accepted.
        let trace = sbmp["input-binary-trace-file-npy"].isPresent
            ? sbmp["input-binary-trace-file-npy"] : sbmp["input-trace-file-npy"]
        settings.inputTraceFile = trace.string(required: false).map(paths.resolve)
        if let value = o["max-delay-reduction"].seconds(required: false) { settings.maxDelayReductionSeconds = value }
        if let value = o["max-delay-increase"].seconds(required: false) { settings.maxDelayIncreaseSeconds = value }
        if let value = positive(o["time-limit"].seconds(required: false), o["time-limit"]) {
            settings.timeLimitSeconds = value
        }
        if o["delay-quantile-multiplier"].isPresent {
            o["delay-quantile-multiplier"].warning("a historical key, ignored")
        }
        // docs/differences.md D5: a list of service names (or ids), under optimizer.locked or optimizer.sbmp.locked.
        let lockedField = o["locked"].isPresent ? o["locked"] : sbmp["locked"]
        var locked: [String] = []
        for element in lockedField.list(required: false) ?? [] {
            guard let text = element.string(), let names = serviceNames else { continue }
            if names.contains(text) {
                if !locked.contains(text) { locked.append(text) }
            } else if let id = Int(text), names.indices.contains(id) {
                if !locked.contains(names[id]) { locked.append(names[id]) }
            } else {
                element.error("'\(text)' is not a service name or id (services: \(names.joined(separator: ", ")))")
            }
        }
        settings.lockedServices = locked
        guard let connector else { return nil }
        settings.connector = connector
        return settings
    }

    private func readConnector(_ c: YAMLField) -> OptimizerConnector? {
        guard let text = c.string(required: false) else { return .auto }
        switch text.trimmingCharacters(in: .whitespaces) {
        case "auto", "": return .auto
        case "ilp": return .ilp
        case "greedy": return .greedy
        case "SBMP_GMA_Connector":
            c.warning("the reference's SBMP connector is replaced by 'auto' (ILP within the time limit, greedy fallback)")
            return .auto
        case let value where value.hasPrefix("exec:"):
            let path = String(value.dropFirst("exec:".count)).trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else {
                c.error("exec: needs a program path, e.g. exec:./my-placer")
                return nil
            }
            let resolved = paths.resolve(path)
            if !FileManager.default.isExecutableFile(atPath: resolved) {
                c.warning("plug-in \(resolved) is not an executable file; gma will fall back to 'auto'")
            }
            return .external(path: resolved)
        default:
            c.error("unknown connector '\(text)'; use auto, ilp, greedy or exec:PATH")
            return nil
        }
    }

    // MARK: helpers

    func nonNegative(_ field: YAMLField, required: Bool = true) -> Double? {
        guard let value = field.double(required: required) else { return nil }
        if value < 0 { field.error("cannot be negative, found \(value)") }
        return value
    }

    func positive(_ value: Double?, _ field: YAMLField) -> Double? {
        guard let value else { return nil }
        if value <= 0 { field.error("must be positive, found \(fmt(value))") }
        return value
    }

    private func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), url.host != nil else { return false }
        return scheme == "http" || scheme == "https"
    }

    private func ms(_ seconds: Double) -> String { "\(fmt(seconds * 1000)) ms" }
}
