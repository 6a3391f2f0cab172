import Foundation
import Testing

@testable import GMAConfig

/// The data folders of `Fixtures/` (app3, kube, layouts), copied by the package next to the test bundle: real
/// files, so kubectl, Prometheus and the fake API server can be handed their paths.
let fixturesDirectory = Bundle.module.resourceURL ?? Bundle.module.bundleURL
let app3ConfigPath = fixturesDirectory.appendingPathComponent("app3/GMAConfig.yaml").path
let brokenConfigPath = fixturesDirectory.appendingPathComponent("app3/broken/GMAConfig.yaml").path

@Suite("Config: unit parsers")
struct ConfigUnitParserTests {
    @Test(arguments: [
        ("250ms", 0.25), ("1.5s", 1.5), ("2m", 120), ("1m30s", 90), ("1h", 3600), ("1d", 86400), ("30", 30),
        ("0.5", 0.5), ("500us", 0.0005), ("10ns", 1e-8), ("1000s", 1000),
    ] as [(String, Double)])
    func durations(text: String, seconds: Double) throws {
        let value = try UnitParser.seconds(text)
        #expect(abs(value - seconds) < 1e-12, "\(text) → \(value), expected \(seconds)")
    }

    @Test(arguments: ["", "1.5x", "ms", "-5s", "1..5s", "abc", "1 m"])
    func badDurations(text: String) {
        #expect(throws: UnitError.self, "\(text) should be rejected") { try UnitParser.seconds(text) }
    }

    @Test(arguments: ["-5s", "-5m", "-1"])
    func negativeDurationsSaySo(text: String) {
        do {
            _ = try UnitParser.seconds(text)
            Issue.record("\(text) accepted")
        } catch {
            #expect("\(error)".contains("cannot be negative"), "\(error)")
        }
    }

    @Test(arguments: [
        ("1000Mbps", 1e9), ("1.5Gbps", 1.5e9), ("200kbps", 2e5), ("200Kbps", 2e5), ("9600bps", 9600), ("5e8", 5e8),
        ("1000mbps", 1e9), ("42", 42),
    ] as [(String, Double)])
    func bitrates(text: String, bps: Double) throws {
        #expect(try UnitParser.bitsPerSecond(text) == bps)
    }

    @Test(arguments: [
        ("250m", 0.25), ("0.5", 0.5), ("1.5", 1.5), ("2", 2), ("100M", 1e8), ("64Mi", 67_108_864), ("1.5Gi", 1_610_612_736),
        ("128974848", 128_974_848), ("1e9", 1e9), ("2k", 2000), ("1Ki", 1024), ("3Ti", 3 * 1_099_511_627_776),
        ("1T", 1e12), ("2P", 2e15), ("1E", 1e18), ("1Ei", 1_152_921_504_606_846_976), ("500u", 5e-4), ("1n", 1e-9),
    ] as [(String, Double)])
    func quantities(text: String, value: Double) throws {
        let parsed = try UnitParser.quantity(text)
        #expect(abs(parsed - value) <= abs(value) * 1e-12, "\(text) → \(parsed), expected \(value)")
    }

    @Test(arguments: ["1.5Xi", "Mi", "one", "-1", "1e"])
    func badQuantities(text: String) {
        #expect(throws: UnitError.self, "\(text) should be rejected") { try UnitParser.quantity(text) }
    }
}

@Suite("Config: GMAConfig.yaml")
struct ConfigLoadingTests {
    @Test func loadsTheThreeServiceApp() throws {
        let config = try GMAConfiguration.load(path: app3ConfigPath)
        #expect(config.services.map(\.name) == ["frontend", "cart", "catalog"])
        #expect(config.services.map(\.id) == [0, 1, 2])
        // docs/differences.md D1: M counts the user once, whatever the parity.
        #expect(config.modelSize == 4)
        #expect(config.namespace == "fluidosmesh")

        let cart = try #require(config.service(named: "cart"))
        #expect(cart.cloud.cpuRequestCores == 0.3)
        #expect(cart.cloud.memoryRequestBytes == 180 * 1_048_576)
        #expect(cart.edge.memoryRequestBytes == 0.25 * 1_073_741_824)
        #expect(cart.edge.files.map { ($0 as NSString).lastPathComponent } == ["cart-edge1.yaml", "cart-edge1-hpa.yaml"])
        #expect(cart.edge.files.allSatisfy { $0.hasPrefix("/") }, "paths resolve relative to the config file")
        // docs/differences.md D7: the thresholds come from each HPA, not a constant 0.6.
        #expect(cart.hpaCpuThreshold == .init(cloud: 0.6, edge: 0.8))
        #expect(config.service(named: "frontend")?.hpaCpuThreshold.edge == 0.7)
        #expect(cart.edge.hpa.minReplicas == 1 && cart.edge.hpa.maxReplicas == 10)
        #expect(cart.edge.podLabels["app-t"] == "cart-edge1")

        let catalog = try #require(config.service(named: "catalog"))
        #expect(catalog.edge.workloadKind == .statefulSet)
        #expect(catalog.edge.workloadName == "catalog-edge1")
        #expect(catalog.edge.cpuRequestCores == 1)
        #expect(catalog.edge.memoryRequestBytes == 128_974_848)

        #expect(config.slo.offloadDelaySeconds == 0.25)
        #expect(config.slo.unoffloadDelaySeconds == 0.15)
        #expect(config.slo.offloadQuantileDelaySeconds == 1000)
        #expect(config.slo.delayQuantile == 0.9)
        #expect(config.telemetry.syncPeriodSeconds == 30)
        #expect(config.telemetry.stabilizationWindowSeconds == 120)
        #expect(config.telemetry.queryPeriod == "2m")
        #expect(config.network.rttSeconds == 0.08)
        #expect(config.network.cloudToEdgeBitsPerSecond == 1e9)
        #expect(config.network.netinfoFile == fixturesDirectory.appendingPathComponent("app3/netinfo.yaml").path)
        #expect(config.network.netProberURL == nil)
        // docs/differences.md D4: one multiplier (2), not 2 × 2.
        #expect(config.network.rttMultiplier == 2)
        #expect(abs(config.network.effectiveRTTSeconds - 0.16) < 1e-12)
        #expect(config.warnings.contains { $0.keyPath == "spec.optimizer.sbmp.edge-cloud-rtt-multiplier" })
        // docs/differences.md D2: the network price is cost.network, not the memory price.
        #expect(config.cloud.networkPricePerGB == 0.02)
        #expect(config.cloud.prices.memoryGBHour == 0.0104)
        #expect(config.edge.prices.cpuCoreHour == 0.028)
        // docs/differences.md D5: locked by name.
        #expect(config.lockedServices == ["frontend"])
        #expect(config.optimizer.connector == .auto)
        #expect(config.optimizer.overshootingMultiplier == 0.3)
        #expect(config.kube.cloudContext == "fake-cloud" && config.kube.edgeContext == "fake-edge")
        #expect(config.edge.ingressSourceApp == "istio-ingressgateway")
    }

    @Test func reportsEveryErrorWithPositionAndKeyPath() throws {
        let error = try #require(throws: ConfigError.self) { try GMAConfiguration.load(path: brokenConfigPath) }
        let errors = error.errors
        let expected: [(String, Int)] = [
            ("spec.telemetry.sync-period", 6), ("spec.telemetry.query-period", 8),
            ("spec.slo.unoffload-delay-threshold", 12), ("spec.slo.delay-quantile", 15),
            ("spec.edge-area.cost.cpu", 24), ("spec.optimizer.connector", 35), ("spec.app.services[1].id", 46),
            ("spec.app.services[1].instances.cloud-yamls", 48), ("spec.app.services[1].instances.edge-yamls", 49),
        ]
        #expect(errors.count == expected.count, "\(error)")
        for (path, line) in expected {
            let match = errors.first { $0.keyPath == path }
            #expect(match?.line == line, "\(path) should be reported at line \(line): \(error)")
            #expect(match?.column != nil)
        }
        #expect(errors.allSatisfy { $0.file == brokenConfigPath })
        #expect(error.description.contains("GMAConfig.yaml:6:18: error: spec.telemetry.sync-period:"))
    }

    /// Writes a config into a fresh directory with the app3 manifests next to it.
    private func load(_ yaml: String) throws -> GMAConfiguration {
        let manifests = fixturesDirectory.appendingPathComponent("app3/manifests").path
        return try GMAConfiguration.parse(
            yaml: yaml.replacingOccurrences(of: "MANIFESTS", with: manifests), file: "/virtual/GMAConfig.yaml",
            baseDirectory: "/virtual")
    }

    private func app3Text() throws -> String {
        let text = try String(contentsOfFile: app3ConfigPath, encoding: .utf8)
        return text.replacingOccurrences(of: "manifests/", with: "MANIFESTS/")
    }

    @Test func yamlSyntaxErrorsCarryLineAndColumn() throws {
        let error = try #require(throws: ConfigError.self) {
            try load("spec:\n  slo: [1, 2\n  other: x\n")
        }
        let issue = try #require(error.errors.first)
        #expect(issue.line != nil && issue.column != nil, "\(error)")
        #expect(issue.file == "/virtual/GMAConfig.yaml")
    }

    @Test func duplicateKeysAreReported() throws {
        let text = try app3Text().replacingOccurrences(
            of: "    sync-period: 30s\n", with: "    sync-period: 30s\n    sync-period: 10s\n")
        let error = try #require(throws: ConfigError.self) { try load(text) }
        #expect(error.description.contains("sync-period"), "\(error)")
        #expect(error.errors.first?.line != nil)
    }

    @Test func missingKeysAndWrongShapesNameTheKeyPath() throws {
        let text = try app3Text()
            .replacingOccurrences(of: "    prometheus-url: http://127.0.0.1:30000\n", with: "")
            .replacingOccurrences(of: "    delay-quantile: 0.90\n", with: "    delay-quantile: [0.9]\n")
        let error = try #require(throws: ConfigError.self) { try load(text) }
        let paths = Set(error.errors.map(\.keyPath))
        #expect(paths == ["spec.telemetry.prometheus-url", "spec.slo.delay-quantile"], "\(error)")
        let missing = try #require(error.errors.first { $0.keyPath == "spec.telemetry.prometheus-url" })
        #expect(missing.line == 8, "a missing key points at its enclosing mapping: \(missing)")
    }

    @Test func oddServiceCountsAndUnorderedIds() throws {
        // Ids given out of order: services come back sorted by id; M = n + 1 for odd n (docs/differences.md D1).
        var text = try app3Text()
        text = text.replacingOccurrences(of: "        id: 0\n", with: "        id: 2\n")
            .replacingOccurrences(of: "        id: 2\n        instances:\n          cloud-yamls:\n            - MANIFESTS/catalog", with: "        id: 0\n        instances:\n          cloud-yamls:\n            - MANIFESTS/catalog")
        let config = try load(text)
        #expect(config.services.map(\.name) == ["catalog", "cart", "frontend"])
        #expect(config.services.map(\.id) == [0, 1, 2])
        #expect(config.modelSize == 4)
    }

    @Test func duplicateIdsAndNamesAreErrors() throws {
        let text = try app3Text().replacingOccurrences(of: "        id: 2\n", with: "        id: 1\n")
            .replacingOccurrences(of: "      - name: catalog\n", with: "      - name: cart\n")
        let error = try #require(throws: ConfigError.self) { try load(text) }
        #expect(error.errors.contains { $0.keyPath == "spec.app.services[2].id" && $0.message.contains("duplicate") })
        #expect(error.errors.contains { $0.keyPath == "spec.app.services[2].name" && $0.message.contains("duplicate") })
    }

    @Test(arguments: [
        ("auto", OptimizerConnector.auto), ("ilp", .ilp), ("greedy", .greedy),
        ("exec:/opt/placer", .external(path: "/opt/placer")), ("exec:bin/placer", .external(path: "/virtual/bin/placer")),
    ])
    func connectors(value: String, expected: OptimizerConnector) throws {
        let text = try app3Text().replacingOccurrences(
            of: "connector: SBMP_GMA_Connector", with: "connector: \(value)")
        #expect(try load(text).optimizer.connector == expected)
    }

    @Test func lockedAcceptsIdsAndRejectsUnknownNames() throws {
        let byID = try app3Text().replacingOccurrences(of: "locked: [frontend]", with: "locked: [2, cart]")
        #expect(try load(byID).lockedServices == ["catalog", "cart"])
        let unknown = try app3Text().replacingOccurrences(of: "locked: [frontend]", with: "locked: [payments]")
        let error = try #require(throws: ConfigError.self) { try load(unknown) }
        #expect(error.errors.map(\.keyPath) == ["spec.optimizer.locked[0]"])
    }

    @Test func manifestErrorsNameTheManifestFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: cart-edge1
            spec:
              template:
                metadata:
                  labels: {app: cart}
                spec:
                  containers:
                    - name: cart
                      resources:
                        requests: {cpu: 300x, memory: 64Mi}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: cart-edge1-again

            """
        let badPath = directory.appendingPathComponent("cart-edge1.yaml").path
        try bad.write(toFile: badPath, atomically: true, encoding: .utf8)
        let text = try app3Text().replacingOccurrences(of: "MANIFESTS/cart-edge1.yaml", with: badPath)
        let error = try #require(throws: ConfigError.self) { try load(text) }
        let inManifest = error.errors.filter { $0.file == badPath }
        #expect(inManifest.contains { $0.keyPath == "spec.template.spec.containers[0].resources.requests.cpu" && $0.line == 13 })
        #expect(inManifest.contains { $0.keyPath == "kind" && $0.line == 16 && $0.message.contains("edge-area") })
    }

    @Test func gmaConfigEnvironmentVariableIsTheDefault() {
        #expect(GMAConfiguration.defaultPath(environment: ["GMA_CONFIG": "/etc/gma.yaml"]) == "/etc/gma.yaml")
        #expect(GMAConfiguration.defaultPath(environment: [:]) == "GMAConfig.yaml")
    }
}

@Suite("Config: Kubernetes names")
struct ConfigKubernetesNameTests {
    @Test func labelsAndSubdomains() {
        #expect(KubernetesNames.isLabel("fluidosmesh"))
        #expect(!KubernetesNames.isLabel("Fluidos"))
        #expect(!KubernetesNames.isLabel("-edge"))
        #expect(!KubernetesNames.isLabel(String(repeating: "a", count: 64)))
        #expect(KubernetesNames.isSubdomain("cart-edge1.v2"))
        #expect(!KubernetesNames.isSubdomain("cart;rm -rf /"))
        #expect(!KubernetesNames.isSubdomain("cart edge"))
        #expect(KubernetesNames.isLabelValue("Cart_v1.2"))
        #expect(!KubernetesNames.isLabelValue(String(repeating: "x", count: 64)))
    }

    @Test func badWorkloadNameIsReportedWithItsPosition() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-names-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixturesDirectory.appendingPathComponent("app3"), to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("manifests/cart-edge1.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "name: cart-edge1\n", with: "name: \"cart edge1;x\"\n")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        do {
            _ = try GMAConfiguration.load(path: directory.appendingPathComponent("GMAConfig.yaml").path)
            Issue.record("accepted a workload name with a space and a semicolon")
        } catch let error as ConfigError {
            #expect(error.description.contains("cart-edge1.yaml:"), "\(error)")
            #expect(error.description.contains("DNS-1123 subdomain"), "\(error)")
        }
    }
}
