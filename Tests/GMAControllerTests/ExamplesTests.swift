import Foundation
import GMATestSupport
import Testing
import Yams

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import GMAConfig
@testable import GMAProcess
@testable import GMARuntime

private let repositoryRoot = RepositoryFiles.root
private let examplesRoot = RepositoryFiles.examples

/// The example configs gma must accept. The in-cluster config lives inside a ConfigMap and names the
/// manifests under /opt/gma (where the image keeps them); the test maps that prefix to this checkout. A name
/// ending in .yaml is a config file; any other names a directory with its GMAConfig.yaml.
private let exampleConfigs = [
    "liqo/mubench-app", "liqo/onlinebutique", "deploy", "liqo/mubench-app/GMAConfig-two-edges.yaml",
]

private func exampleConfigPath(_ example: String) -> String {
    examplesRoot.appendingPathComponent(example.hasSuffix(".yaml") ? example : example + "/GMAConfig.yaml").path
}

/// Every YAML file under the trees this issue owns (examples/twin belongs to the twin).
private func exampleYAMLFiles() -> [String] {
    var files: [String] = []
    for tree in ["liqo", "deploy"] {
        let base = examplesRoot.appendingPathComponent(tree).path
        let walker = FileManager.default.enumerator(atPath: base)
        while let relative = walker?.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") { files.append(tree + "/" + relative) }
        }
    }
    return files.sorted()
}

/// One YAML document of an example file.
private struct ExampleDocument {
    var file: String
    var index: Int
    var object: [String: Any]
    var kind: String { object["kind"] as? String ?? "" }
    var apiVersion: String { object["apiVersion"] as? String ?? "" }
    var metadata: [String: Any] { object["metadata"] as? [String: Any] ?? [:] }
    var name: String { metadata["name"] as? String ?? "" }
    var namespace: String? { metadata["namespace"] as? String }
    var spec: [String: Any] { object["spec"] as? [String: Any] ?? [:] }
    var label: String { "\(file)#\(index) \(kind)/\(name)" }
}

private func documents(_ relative: String) throws -> [ExampleDocument] {
    let text = try String(contentsOf: examplesRoot.appendingPathComponent(relative), encoding: .utf8)
    return try Yams.load_all(yaml: text).enumerated().compactMap { index, value in
        (value as? [String: Any]).map { ExampleDocument(file: relative, index: index, object: $0) }
    }
}

/// Files that are YAML but not Kubernetes objects: gma's own files and helm values.
private func isKubernetesObject(_ document: ExampleDocument) -> Bool {
    !["GMAPlacerConfig", "NetInfo"].contains(document.kind) && !document.file.hasSuffix("-values.yaml")
}

/// Kinds the fake API server (Fixtures/kube/fake_kube_api.py) serves with create and dry run. Namespace is
/// read-only there, so it goes through the offline check like the CRDs.
private let kindsTheFakeServerKnows: Set<String> = [
    "Service", "ConfigMap", "Pod", "Deployment", "StatefulSet", "HorizontalPodAutoscaler",
]

private func loadExampleConfig(_ example: String) throws -> GMAConfiguration {
    if example != "deploy" {
        return try GMAConfiguration.load(path: exampleConfigPath(example))
    }
    let map = try #require(try documents("deploy/gma-configmap.yaml").first { $0.kind == "ConfigMap" })
    let text = try #require((map.object["data"] as? [String: Any])?["GMAConfig.yaml"] as? String)
    let local = text.replacingOccurrences(of: "/opt/gma/", with: repositoryRoot.path + "/")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-deploy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let path = directory.appendingPathComponent("GMAConfig.yaml").path
    try local.write(toFile: path, atomically: true, encoding: .utf8)
    return try GMAConfiguration.load(path: path)
}

@Suite("Examples: examples/liqo and examples/deploy")
struct ExamplesTests {
    // MARK: gma check

    @Test(arguments: exampleConfigs)
    func gmaCheckAcceptsTheConfig(_ example: String) async throws {
        let config = try loadExampleConfig(example)
        #expect(config.warnings.isEmpty, "\(config.warnings.map(\.description))")
        #expect(config.namespace == "fluidosmesh")
        #expect(config.services.count == 10)
        for service in config.services {
            #expect(service.cloud.workloadName == service.name + "-cloud")
            #expect(service.edge.workloadName == service.name + "-edge1")
            #expect(service.cloud.hpa.name == service.cloud.workloadName)
            #expect(service.edge.hpa.name == service.edge.workloadName)
            #expect(service.cloud.podLabels["app"] == service.name, "the app label must equal the service name")
            #expect(service.edge.podLabels["app"] == service.name)
            #expect(service.cloud.podLabels["app-t"] == service.cloud.workloadName)
            #expect(service.edge.podLabels["app-t"] == service.edge.workloadName)
            // The same pod in both areas (docs/differences.md D39: checkoutservice asked for different CPU).
            #expect(service.cloud.cpuRequestCores == service.edge.cpuRequestCores, "\(service.name)")
            #expect(service.cloud.memoryRequestBytes == service.edge.memoryRequestBytes, "\(service.name)")
            #expect(service.cloud.cpuRequestCores > 0 && service.cloud.memoryRequestBytes > 0, "\(service.name)")
            #expect(service.edge.hpa.minReplicas == 1 && service.edge.hpa.maxReplicas == 10)
            #expect(service.edge.hpa.cpuThreshold == 0.6)
        }
        #expect(!ConfigReport(config).rendered.isEmpty)
        if example != "deploy" {
            let gma = try GMABinary.path()
            let path = exampleConfigPath(example)
            let result = try await CommandRunner.run([gma, "check", "--config", path], timeoutSeconds: 120)
            #expect(result.exitStatus == 0, "gma check \(path): \(result.stderr)")
            #expect(String(decoding: result.stdout, as: UTF8.self).contains("services    10"))
        }
    }

    // MARK: YAML and kubectl

    @Test func everyYAMLFileParsesAndEveryObjectIsNamed() throws {
        let files = exampleYAMLFiles()
        #expect(files.count > 100, "found only \(files.count) YAML files under examples/")
        for file in files {
            let docs = try documents(file)
            #expect(!docs.isEmpty, "\(file) has no document")
            for doc in docs where isKubernetesObject(doc) {
                #expect(!doc.apiVersion.isEmpty && !doc.kind.isEmpty && !doc.name.isEmpty, "\(doc.label)")
            }
        }
    }

    /// Every object goes through real kubectl. Kinds the fake API server serves are applied with
    /// `kubectl apply --dry-run=server` (one call per namespace; objects without a namespace go to the app
    /// namespace, as the guide applies them with -n fluidosmesh). The others (Istio and Prometheus Operator
    /// CRDs, RBAC, Namespace) are unknown to the fake, and `kubectl apply --dry-run=client` still needs API
    /// discovery; for them the offline alternative is `kubectl label --local -f FILE -o name`, which makes
    /// kubectl decode the file into API objects without a server.
    @Test func kubectlAcceptsEveryManifest() async throws {
        var byNamespace: [String: [ExampleDocument]] = [:]
        var offlineFiles = Set<String>()
        var offlineCount = 0
        for file in exampleYAMLFiles() {
            for doc in try documents(file) where isKubernetesObject(doc) {
                if kindsTheFakeServerKnows.contains(doc.kind) {
                    byNamespace[doc.namespace ?? "fluidosmesh", default: []].append(doc)
                } else {
                    offlineFiles.insert(file)
                    offlineCount += 1
                }
            }
        }
        #expect(byNamespace.values.map(\.count).reduce(0, +) > 100)

        let api = try FakeKubeAPI()
        defer { api.stop() }
        let scratch = URL(fileURLWithPath: api.directory).appendingPathComponent("manifests")
        for (namespace, docs) in byNamespace.sorted(by: { $0.key < $1.key }) {
            let folder = scratch.appendingPathComponent(namespace)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (i, doc) in docs.enumerated() {
                let data = try JSONSerialization.data(withJSONObject: doc.object)
                try data.write(to: folder.appendingPathComponent(String(format: "%03d.json", i)))
            }
            let output: String
            do {
                output = String(
                    decoding: try await api.kubectl(["apply", "--dry-run=server", "-n", namespace, "-f", folder.path]),
                    as: UTF8.self)
            } catch {
                Issue.record("kubectl apply --dry-run=server -n \(namespace) (\(docs.map(\.label))): \(error)")
                continue
            }
            let accepted = output.split(separator: "\n").filter { $0.hasSuffix("(server dry run)") }
            #expect(accepted.count == docs.count, "namespace \(namespace): \(output)")
        }

        for file in offlineFiles.sorted() {
            let path = examplesRoot.appendingPathComponent(file).path
            let argv = [FakeKubeAPI.kubectl, "label", "--local", "-f", path, "-o", "name", "gma.example/checked=true"]
            let result = try await CommandRunner.run(argv, timeoutSeconds: 60)
            #expect(result.exitStatus == 0, "\(file): \(result.stderr)")
            offlineCount -= String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").count
        }
        #expect(offlineCount == 0, "kubectl decoded fewer objects than the files hold")
    }

    // MARK: what the apps need to work

    @Test(arguments: [("liqo/mubench-app", "istio-resources"), ("liqo/onlinebutique", "istio_resources")])
    func everyServiceHasAServiceAndALocalityDestinationRule(_ app: String, _ istioFolder: String) throws {
        let config = try loadExampleConfig(app)
        let istio = try folderDocuments(app + "/" + istioFolder)
        let services = try folderDocuments(app + "/services")
        for service in config.services {
            let svc = services.first { $0.kind == "Service" && $0.name == service.name }
            #expect((svc?.spec["selector"] as? [String: String]) == ["app": service.name], "Service \(service.name)")
            let rule = try #require(istio.first { $0.kind == "DestinationRule" && $0.name == service.name }, "\(service.name)")
            #expect(rule.spec["host"] as? String == "\(service.name).fluidosmesh.svc.cluster.local")
            let policy = rule.spec["trafficPolicy"] as? [String: Any] ?? [:]
            // Istio only fails over between localities for hosts with outlier detection.
            #expect(policy["outlierDetection"] != nil, "DestinationRule \(service.name) lacks outlierDetection")
            let locality = (policy["loadBalancer"] as? [String: Any])?["localityLbSetting"] as? [String: Any]
            #expect(locality?["enabled"] as? Bool == true)
        }
        // The DestinationRules name only real Services (docs/differences.md D39: frontend-external).
        for rule in istio where rule.kind == "DestinationRule" {
            #expect(services.contains { $0.name == rule.name }, "DestinationRule \(rule.name) has no Service")
        }
        let gateway = try #require(istio.first { $0.kind == "Gateway" })
        #expect((gateway.spec["selector"] as? [String: String]) == ["istio": "ingressgateway"])
        let route = try #require(istio.first { $0.kind == "VirtualService" })
        #expect((route.spec["gateways"] as? [String]) == [gateway.name])
    }

    @Test(arguments: exampleConfigs.dropLast())
    func cloudAndEdgeCopiesDifferOnlyInAreaNames(_ app: String) throws {
        let config = try loadExampleConfig(app)
        for service in config.services {
            let cloudFile = try #require(service.cloud.files.first { !$0.contains("/hpa/") })
            let edgeFile = try #require(service.edge.files.first { !$0.contains("/hpa/") })
            let cloud = try String(contentsOfFile: cloudFile, encoding: .utf8)
            let edge = try String(contentsOfFile: edgeFile, encoding: .utf8)
            // Comment lines differ (who manages the copy); everything else differs only by the area's name.
            let strip = { (text: String) in
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined(separator: "\n")
            }
            #expect(strip(edge.replacingOccurrences(of: "edge1", with: "cloud")) == strip(cloud), "\(cloudFile) vs \(edgeFile)")
            #expect(edge.contains("values: [\"edge1\"]") && cloud.contains("values: [\"cloud\"]"))
            #expect(!strip(edge).contains("replicas:") && !strip(cloud).contains("replicas:"), "the HPA owns the replica count")
        }
    }

    @Test func edgeRedisIsAReadOnlyReplicaAndCartsUseTheMaster() throws {
        let edge = try documents("liqo/onlinebutique/redis/redis-cart-edge1.yaml")
        let deployment = try #require(edge.first { $0.kind == "Deployment" })
        let pod = ((deployment.spec["template"] as? [String: Any])?["spec"] as? [String: Any]) ?? [:]
        let container = (pod["containers"] as? [[String: Any]])?.first ?? [:]
        let args = container["args"] as? [String] ?? []
        #expect(args.contains("--replicaof"))
        let flag = try #require(args.firstIndex(of: "--replica-read-only"))
        #expect(args[flag + 1] == "yes")
        #expect(!args.contains("--slave-read-only"))
        let master = try documents("liqo/onlinebutique/redis/redis-cart-master.yaml")
        let service = try #require(master.first { $0.kind == "Service" && $0.name == "redis-cart" })
        #expect((service.spec["selector"] as? [String: String]) == ["app-t": "redis-cart-master"])
    }

    // MARK: the other files

    @Test func dashboardLoadScriptAndLoadPlansAreWellFormed() async throws {
        let dashboard = try Data(contentsOf: examplesRoot.appendingPathComponent("liqo/grafana/edge-computing-liqo.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: dashboard) as? [String: Any])
        #expect(json["title"] as? String == "edge-computing-liqo")
        let panels = json["panels"] as? [[String: Any]] ?? []
        let expressions = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(expressions.count >= 15)
        // docs/differences.md D37: kube_deployment_status_replicas has no container label; no hard-coded namespace.
        for expr in expressions {
            #expect(!(expr.contains("kube_deployment_status_replicas") && expr.contains("container")), "\(expr)")
            #expect(!expr.contains("\"fluidosmesh\""), "\(expr)")
            #expect(!expr.contains("-cloud-*\""), "\(expr)")
        }
        #expect(expressions.contains { $0.contains("$offload_threshold_ms") })
        #expect(expressions.contains { $0.contains("$unoffload_threshold_ms") })

        let plan = try Data(contentsOf: examplesRoot.appendingPathComponent("liqo/mubench-app/jmeter/GMATest.jmx"))
        let parser = XMLParser(data: plan)
        #expect(parser.parse(), "GMATest.jmx is not well-formed XML: \(String(describing: parser.parserError))")

        let script = examplesRoot.appendingPathComponent("liqo/telemetry/monitoring.sh").path
        let syntax = try await CommandRunner.run(["/bin/sh", "-n", script], timeoutSeconds: 30)
        #expect(syntax.exitStatus == 0, "\(syntax.stderr)")
        let text = try String(contentsOfFile: script, encoding: .utf8)
        for match in text.matches(of: /\$\{here\}\/([A-Za-z0-9_.\/-]+)/) {
            let path = examplesRoot.appendingPathComponent("liqo/telemetry/" + String(match.1)).standardized.path
            #expect(FileManager.default.fileExists(atPath: path), "monitoring.sh names \(match.1)")
        }
        for nodePort in ["30000", "30001", "30002", "30003"] {
            let found = try exampleYAMLFiles().filter { $0.hasPrefix("liqo/telemetry/") }.flatMap(documents).contains {
                (($0.spec["ports"] as? [[String: Any]]) ?? []).contains { "\($0["nodePort"] ?? "")" == nodePort }
            }
            #expect(found, "no Service exposes NodePort \(nodePort)")
        }
    }

    // MARK: the walkthrough

    /// Every path under examples/ (or docs/) that docs/running-on-real-clusters.md names exists, and so does
    /// every path of the users' deployment guide (with the guide's known slips, docs/differences.md D38, corrected in the doc).
    @Test func walkthroughNamesOnlyExistingPaths() throws {
        let doc = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/running-on-real-clusters.md"), encoding: .utf8)
        var named = Set<String>()
        for match in doc.matches(of: /(?:examples|docs)\/[A-Za-z0-9_.\/-]*[A-Za-z0-9_\/]/) { named.insert(String(match.0)) }
        #expect(named.count > 20)
        // The guide's wrong paths, which the walkthrough quotes to correct them (docs/differences.md D38).
        let guideSlips: Set<String> = ["examples/jmeter/GMATest.jmx"]
        for path in named.subtracting(guideSlips).sorted() {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(path).path), "\(path)")
        }
        #expect(!doc.contains("/home/ubuntu"))
        let guidePaths = [
            "examples/liqo/telemetry/monitoring.sh", "examples/liqo/iperf3/iperf3.yaml",
            "examples/liqo/mubench-app/affinity-yamls/no-region-specified/cloud/no-subzone-specified",
            "examples/liqo/mubench-app/hpa/cloud", "examples/liqo/mubench-app/services",
            "examples/liqo/mubench-app/istio-resources", "examples/liqo/mubench-app/GMAConfig.yaml",
            "examples/liqo/mubench-app/jmeter/GMATest.jmx", "examples/liqo/mubench-app/locust/locustfile.py",
            "examples/liqo/onlinebutique/redis",
            "examples/liqo/onlinebutique/affinity-yamls/no-region-specified/cloud/no-subzone-specified",
            "examples/liqo/onlinebutique/hpa/cloud", "examples/liqo/onlinebutique/services",
            "examples/liqo/onlinebutique/istio_resources", "examples/liqo/onlinebutique/GMAConfig.yaml",
            "examples/liqo/onlinebutique/locust/locustfile.py", "examples/liqo/grafana/edge-computing-liqo.json",
            // The guide's `netprober/netprober.yaml` is examples/liqo/netprober/netprober.yaml here.
            "examples/liqo/netprober/netprober.yaml",
        ]
        for path in guidePaths {
            #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(path).path), "\(path)")
            #expect(doc.contains(path), "the walkthrough does not use \(path)")
        }
    }
}

private func folderDocuments(_ relative: String) throws -> [ExampleDocument] {
    let folder = examplesRoot.appendingPathComponent(relative).path
    return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        .flatMap { try documents(relative + "/" + $0) }
}
