import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAProcess
@testable import GMARuntime

/// `spec.edge-areas`: several edges in one file (docs/config.md §4, "Several edge areas"), read from the
/// two-edge µBench example as a user writes it.
@Suite("Config: several edge areas")
struct EdgeAreasConfigTests {
    static let twoEdgesPath = RepositoryFiles.examples
        .appendingPathComponent("liqo/mubench-app/GMAConfig-two-edges.yaml").path

    /// The two-edge example with text replaced, read against the example's real manifests.
    static func load(_ edits: [(String, String)] = []) throws -> GMAConfiguration {
        var text = try #require(GMAConfiguration.readText(twoEdgesPath))
        for (old, new) in edits {
            #expect(text.contains(old), "the example lacks \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try GMAConfiguration.parse(
            yaml: text, file: twoEdgesPath, baseDirectory: (twoEdgesPath as NSString).deletingLastPathComponent)
    }

    static func errors(_ edits: [(String, String)]) throws -> [ConfigIssue] {
        try #require(throws: ConfigError.self) { try load(edits) }.errors
    }

    /// The edge2 entry's head, to edit its keys and not edge1's equal ones.
    static let edge2Head = "    - name: edge2\n      cluster: \"\"\n      context: kubernetes-admin@cluster.local\n"

    /// s3's manifests at edge2, as the example lists them.
    static let s3AtEdge2 = """
                    edge2:
                      - affinity-yamls/no-region-specified/edge2/no-subzone-specified/mubench-01000-Deployment-s3.yaml
                      - hpa/edge2/hpa-mubench-01000-Deployment-s3.yaml

        """

    // MARK: the example

    @Test func theTwoEdgeExampleReadsEachEdgesOwnValues() throws {
        let config = try Self.load()
        #expect(config.warnings.isEmpty, "\(config.warnings.map(\.description))")
        #expect(config.edgeNames == ["edge1", "edge2"])
        let edges = config.edgeAreas
        #expect(edges.map(\.area.context) == ["kubernetes-admin@cluster.local", "kubernetes-admin@cluster.local"])
        #expect(edges.map(\.area.cluster) == ["", ""])
        #expect(edges.map(\.area.ingressNamespace) == ["istio-ingress-edge1", "istio-ingress-edge2"])
        #expect(edges.map(\.area.ingressSourceApp) == ["istio-ingressgateway", "istio-ingressgateway-edge2"])
        #expect(edges.map(\.area.podCIDRRegex) == ["^10.236.*", "^10.238.*"])
        #expect(edges.map(\.area.prices.cpuCoreHour) == [0.028, 0.032])
        #expect(edges.map(\.area.defaultResourceScaling) == [0.5, 0.5])
        // 20 ms and 40 ms, each × 2 once: 40 ms and 80 ms for the model.
        #expect(edges.map(\.network.rttSeconds) == [0.02, 0.04])
        #expect(edges.map(\.network.effectiveRTTSeconds) == [0.04, 0.08])
        #expect(edges.map(\.network.cloudToEdgeBitsPerSecond) == [1e9, 5e8])
        #expect(edges[1].network.netinfoFile?.hasSuffix("/mubench-app/netinfo-edge2.yaml") == true)
        #expect(edges[1].network.netProberURL?.contains("server_ip=10.238.40.17") == true)
        // Edge 0 is what single-edge code reads.
        #expect(config.edge == edges[0].area && config.network == edges[0].network)
        #expect(config.kube.edgeContext == "kubernetes-admin@cluster.local")
        for (index, service) in config.services.enumerated() {
            #expect(service.edge.workloadName == "s\(index)-edge1" && service.edge.hpa.name == "s\(index)-edge1")
            #expect(edges[1].manifests[index].workloadName == "s\(index)-edge2")
            #expect(edges[1].manifests[index].hpa.name == "s\(index)-edge2")
            #expect(edges[1].manifests[index].files.allSatisfy { $0.contains("/edge2/") }, "\(service.name)")
        }
    }

    @Test func edgeViewIsTheSingleEdgeConfigurationOfOneEdge() throws {
        let config = try Self.load()
        let second = config.edgeView(1)
        #expect(second.edgeNames == ["edge2"] && second.furtherEdges.isEmpty)
        #expect(second.edge.ingressNamespace == "istio-ingress-edge2")
        #expect(second.edge.prices.cpuCoreHour == 0.032)
        #expect(second.network.rttSeconds == 0.04 && second.network.cloudToEdgeBitsPerSecond == 5e8)
        #expect(second.services[3].edge.workloadName == "s3-edge2")
        #expect(second.services[3].edge.files.last?.hasSuffix("hpa/edge2/hpa-mubench-01000-Deployment-s3.yaml") == true)
        #expect(second.kube.edgeContext == "kubernetes-admin@cluster.local")
        // What the edges share stays as it is.
        #expect(second.services.map(\.cloud) == config.services.map(\.cloud))
        #expect(second.cloud == config.cloud && second.slo == config.slo && second.optimizer == config.optimizer)
        #expect(second.telemetry == config.telemetry && second.namespace == config.namespace)
        #expect(second.edgeView(0) == second, "a view has one edge: its view is itself")
        let first = config.edgeView(0)
        #expect(first.edgeNames == ["edge1"] && first.services == config.services && first.network == config.network)
    }

    @Test func oneEdgeViewIsTheConfigurationItself() throws {
        let config = try GMAConfiguration.load(path: app3ConfigPath)
        #expect(config.edgeNames == ["edge"])
        #expect(config.edgeView(0) == config)
        #expect(config.edgeAreas.count == 1 && config.edgeAreas[0].manifests == config.services.map(\.edge))
    }

    /// A list of one entry means what `spec.edge-area` with `spec.network` means.
    @Test func aListOfOneEdgeReadsAsTheSingleEdgeForm() throws {
        let text = try #require(GMAConfiguration.readText(app3ConfigPath))
        var lines: [String] = []
        var block = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("  "), !line.hasPrefix("    ") { block = line }
            switch block {
            case "  edge-area:" where line == block: lines += ["  edge-areas:", "    - name: edge1"]
            case "  edge-area:": lines.append("  " + line)
            case "  network:": lines.append("    " + line)
            default: lines.append(line)
            }
        }
        let listed = try GMAConfiguration.parse(
            yaml: lines.joined(separator: "\n"), file: app3ConfigPath,
            baseDirectory: (app3ConfigPath as NSString).deletingLastPathComponent)
        let single = try GMAConfiguration.load(path: app3ConfigPath)
        #expect(listed.edgeNames == ["edge1"])
        #expect(listed.edge == single.edge && listed.network == single.network && listed.kube == single.kube)
        #expect(listed.services == single.services)
        #expect(listed.edgeView(0) == listed)
        // The reference's sbmp multiplier has no link to apply to: it is warned about, not used.
        #expect(listed.warnings.contains { $0.keyPath == "spec.optimizer.sbmp.edge-cloud-rtt-multiplier" && $0.message.hasPrefix("ignored with spec.edge-areas") })
    }

    @Test func gmaCheckPrintsEveryEdge() async throws {
        let text = ConfigReport(try Self.load()).rendered
        #expect(text.contains("edges       2: edge1, edge2"))
        #expect(text.contains("ingress source_app istio-ingressgateway-edge2 in namespace istio-ingress-edge2, pods ^10.238.*"))
        #expect(text.contains("link RTT 40 ms × 2 = 80 ms, cloud→edge 500 Mbit/s, edge→cloud 500 Mbit/s"))
        #expect(text.contains("netinfo-edge2.yaml, prober http://192.168.100.142:30123/get?server_ip=10.238.40.17"))
        #expect(text.contains("context kubernetes-admin@cluster.local, cluster \"\" (series without the label)"))
        #expect(text.contains("prices cpu 0.032/core·h, memory 0.016/GB·h, network 0.02/GB"))
        #expect(text.components(separatedBy: "layout one cluster (Liqo)").count == 3, "one layout line per edge")
        #expect(text.contains("                     edge2  deployment/s3-edge2 "))
        #expect(text.contains("scale deployment/s3-edge2 --replicas=N"))
        let result = try await CommandRunner.run(
            [try GMABinary.path(), "check", "--config", Self.twoEdgesPath], timeoutSeconds: 120)
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        #expect(stdout.contains("edges       2: edge1, edge2"))
        // Each edge's users are counted at its own ingress gateway.
        for (edge, selector) in [
            ("edge1", #"namespace="istio-ingress-edge1",source_app="istio-ingressgateway","#),
            ("edge2", #"namespace="istio-ingress-edge2",source_app="istio-ingressgateway-edge2","#),
        ] {
            let section = try #require(stdout.components(separatedBy: "prometheus queries, edge \(edge)\n").dropFirst().first)
            let rate = try #require(section.components(separatedBy: "ingressRequestRate:\n").dropFirst().first)
            #expect(rate.prefix { $0 != "\n" }.contains(selector), "\(edge): \(rate.prefix(300))")
        }
    }

    @Test func gmaCheckNamesEveryEdgesMissingContext() async throws {
        // A kubeconfig that knows the cloud's and edge1's context, and an edge2 in a context of its own.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-edges-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: kubernetes-admin@cluster.local, context: {cluster: c, user: u}}]
            current-context: kubernetes-admin@cluster.local

            """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let mubench = (Self.twoEdgesPath as NSString).deletingLastPathComponent
        var text = try #require(GMAConfiguration.readText(Self.twoEdgesPath))
        text = text.replacingOccurrences(of: Self.edge2Head, with: Self.edge2Head.replacingOccurrences(of: "context: kubernetes-admin@cluster.local", with: "context: edge2-site"))
            .replacingOccurrences(of: "spec:\n", with: "spec:\n  kube:\n    kubeconfig: \(kubeconfig)\n")
            .replacingOccurrences(of: "netinfo-file: netinfo", with: "netinfo-file: \(mubench)/netinfo")
            .replacingOccurrences(of: "- affinity-yamls/", with: "- \(mubench)/affinity-yamls/")
            .replacingOccurrences(of: "- hpa/", with: "- \(mubench)/hpa/")
        let config = directory.appendingPathComponent("GMAConfig.yaml").path
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await CommandRunner.run([try GMABinary.path(), "check", "--config", config], timeoutSeconds: 120)
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let stdout = String(decoding: result.stdout, as: UTF8.self)
        #expect(stdout.contains("contexts    missing from the kubeconfig: edge2-site\n"), "\(stdout.suffix(600))")
    }

    // MARK: errors

    @Test func anEntrysErrorNamesItsIndexKeyPathAndEdge() throws {
        let errors = try Self.errors([("edge-cloud-rtt-ms: 40ms", "edge-cloud-rtt-ms: fast")])
        #expect(errors.count == 1, "\(errors)")
        let error = try #require(errors.first)
        #expect(error.keyPath == "spec.edge-areas[1].network.edge-cloud-rtt-ms (edge2)")
        #expect(error.line == 98 && error.column == 28)
        #expect(error.description.hasPrefix("\(Self.twoEdgesPath):98:28: error: spec.edge-areas[1].network.edge-cloud-rtt-ms (edge2): "))
    }

    @Test func anEdgeWithoutItsLinkAndMisshapenListsAreErrors() throws {
        let noLink = try Self.errors([("      network:\n        netinfo-file: netinfo-edge2.yaml", "      link:\n        netinfo-file: netinfo-edge2.yaml")])
        #expect(noLink.map(\.keyPath) == ["spec.edge-areas[1].network (edge2)"], "\(noLink)")
        #expect(noLink.first?.message == "missing required key")
        let text = try #require(GMAConfiguration.readText(Self.twoEdgesPath))
        let head = text.components(separatedBy: "  edge-areas:\n")[0]
        let tail = "  optimizer:\n" + text.components(separatedBy: "  optimizer:\n")[1]
        for (value, path, message) in [
            ("5", "spec.edge-areas", "expected a list, found '5'"),
            ("[5]", "spec.edge-areas[0]", "expected a mapping of keys, found '5'"),
            ("[{name: [edge1]}]", "spec.edge-areas[0].name", "expected a single value, found a list"),
        ] {
            let error = try #require(throws: ConfigError.self) {
                try GMAConfiguration.parse(
                    yaml: head + "  edge-areas: \(value)\n" + tail, file: Self.twoEdgesPath,
                    baseDirectory: (Self.twoEdgesPath as NSString).deletingLastPathComponent)
            }
            #expect(error.errors.filter { $0.keyPath == path && $0.message == message }.count == 1, "\(value): \(error)")
        }
    }

    @Test func aRepeatedNameNamesTheFirstEntry() throws {
        let errors = try Self.errors([("    - name: edge2\n", "    - name: edge1\n")])
        #expect(errors.map(\.keyPath) == ["spec.edge-areas[1].name"], "\(errors)")
        #expect(errors.first?.message == "\"edge1\" is already spec.edge-areas[0]")
        let invalid = try Self.errors([("    - name: edge2\n", "    - name: Edge_2\n")])
        #expect(invalid.map(\.keyPath) == ["spec.edge-areas[1].name"], "\(invalid)")
        #expect(invalid.first?.message.hasPrefix("\"Edge_2\" is not a DNS-1123 label") == true)
    }

    @Test func bothEdgeKeysOrATopLevelNetworkOrNoEdgeAreErrors() throws {
        let both = try Self.errors([("  edge-areas:\n", "  edge-area: {}\n  edge-areas:\n")])
        #expect(both.map(\.keyPath) == ["spec.edge-area"], "\(both)")
        #expect(both.first?.message.hasPrefix("a file has spec.edge-area (one edge) or spec.edge-areas") == true)

        let network = try Self.errors([
            ("  edge-areas:\n", "  network: {cloud-edge-bps: 1Gbps}\n  edge-areas:\n")
        ])
        #expect(network.map(\.keyPath) == ["spec.network"], "\(network)")
        #expect(network.first?.message.hasPrefix("with spec.edge-areas every edge has its own link") == true)

        let text = try #require(GMAConfiguration.readText(Self.twoEdgesPath))
        let head = text.components(separatedBy: "  edge-areas:\n")[0]
        let tail = "  optimizer:\n" + text.components(separatedBy: "  optimizer:\n")[1]
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.parse(
                yaml: head + "  edge-areas: []\n" + tail,
                file: Self.twoEdgesPath, baseDirectory: (Self.twoEdgesPath as NSString).deletingLastPathComponent)
        }
        #expect(error.errors.contains { $0.keyPath == "spec.edge-areas" && $0.message.hasPrefix("lists no edge") }, "\(error)")
    }

    @Test func aServiceWithoutAnEdgesManifestsSaysWhichEdge() throws {
        let errors = try Self.errors([(Self.s3AtEdge2, "")])
        #expect(errors.map(\.keyPath) == ["spec.app.services[3].instances.edge-yamls"], "\(errors)")
        #expect(errors.first?.message == "no entry for edge \"edge2\"")
    }

    @Test func anUnknownEdgeNameIsAnError() throws {
        let errors = try Self.errors([(Self.s3AtEdge2, Self.s3AtEdge2.replacingOccurrences(of: "edge2:", with: "edge3:"))])
        #expect(Set(errors.map(\.keyPath)) == ["spec.app.services[3].instances.edge-yamls.edge3", "spec.app.services[3].instances.edge-yamls"], "\(errors)")
        #expect(errors.contains { $0.message == "\"edge3\" is not an edge of spec.edge-areas (edges: edge1, edge2)" })
    }

    @Test func theTwoFormsOfEdgeYamlsBelongToTheirKeys() throws {
        // A plain list for two edges: which edge would it be?
        let list = try Self.errors([(Self.s3AtEdge2, "")] + [(
            "            edge1:\n              - affinity-yamls/no-region-specified/edge1/no-subzone-specified/mubench-01000-Deployment-s3.yaml\n              - hpa/edge1/hpa-mubench-01000-Deployment-s3.yaml\n",
            "            - affinity-yamls/no-region-specified/edge1/no-subzone-specified/mubench-01000-Deployment-s3.yaml\n            - hpa/edge1/hpa-mubench-01000-Deployment-s3.yaml\n"
        )])
        #expect(list.map(\.keyPath) == ["spec.app.services[3].instances.edge-yamls"], "\(list)")
        #expect(list.first?.message.hasPrefix("with 2 edges, give each edge's manifest list under its name") == true)
        // A mapping under the single edge-area.
        let text = try #require(GMAConfiguration.readText(app3ConfigPath))
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.parse(
                yaml: text.replacingOccurrences(
                    of: "          edge-yamls:\n            - manifests/catalog-edge1.yaml",
                    with: "          edge-yamls:\n            edge: [manifests/catalog-edge1.yaml]"),
                file: app3ConfigPath, baseDirectory: (app3ConfigPath as NSString).deletingLastPathComponent)
        }
        #expect(error.errors.map(\.keyPath) == ["spec.app.services[2].instances.edge-yamls"], "\(error)")
        #expect(error.errors.first?.message.hasPrefix("a mapping from edge names needs spec.edge-areas") == true)
    }

    @Test func twoEdgesUnderOneClusterValueNeedTheirOwnIngress() throws {
        let errors = try Self.errors([
            ("istio-ingress-namespace: istio-ingress-edge2", "istio-ingress-namespace: istio-ingress-edge1"),
            ("pod-cidr-regex: ^10.238.*", "pod-cidr-regex: ^10.236.*"),
        ])
        #expect(Set(errors.map(\.keyPath)) == [
            "spec.edge-areas[1].istio.istio-ingress-namespace (edge2)", "spec.edge-areas[1].pod-cidr-regex (edge2)",
        ], "\(errors)")
        // With their own cluster values, the same namespace is told apart by the label.
        let labelled = try Self.load([
            ("istio-ingress-namespace: istio-ingress-edge2", "istio-ingress-namespace: istio-ingress-edge1"),
            (Self.edge2Head, Self.edge2Head.replacingOccurrences(of: "cluster: \"\"", with: "cluster: edge2")),
        ])
        #expect(labelled.edgeAreas[1].area.cluster == "edge2")
    }

    // MARK: names shared by two edges (docs/config.md §8 for every pair of areas)

    /// s3 at edge2 deployed from edge1's files: the same Deployment and HPA names at two edges.
    static let s3SharesEdge1Names: [(String, String)] = [
        ("edge2/no-subzone-specified/mubench-01000-Deployment-s3.yaml", "edge1/no-subzone-specified/mubench-01000-Deployment-s3.yaml"),
        ("hpa/edge2/hpa-mubench-01000-Deployment-s3.yaml", "hpa/edge1/hpa-mubench-01000-Deployment-s3.yaml"),
    ]

    @Test func twoEdgesWorkloadsCollideInOneContext() throws {
        let errors = try Self.errors(Self.s3SharesEdge1Names)
        #expect(errors.count == 2, "\(errors)")  // the workload and the HPA
        #expect(errors.allSatisfy { $0.keyPath == "spec.app.services[3].instances.edge-yamls.edge2" })
        #expect(errors.contains {
            $0.message == "the edge2 workload 's3-edge1' has the name of its edge1 workload: both are deployment/s3-edge1 in namespace 'fluidosmesh' of kube context 'kubernetes-admin@cluster.local'; rename one"
        })
        #expect(errors.contains { $0.message.hasPrefix("the edge2 HPA 's3-edge1' has the name of its edge1 HPA") })
    }

    @Test func twoEdgesWorkloadsCollideUnderOneClusterValueOnly() throws {
        let ownContext = Self.edge2Head.replacingOccurrences(of: "context: kubernetes-admin@cluster.local", with: "context: edge2")
        let errors = try Self.errors(Self.s3SharesEdge1Names + [(Self.edge2Head, ownContext)])
        #expect(errors.count == 1, "HPAs are apart in their own contexts: \(errors)")
        #expect(errors.first?.message.hasSuffix(
            "both areas have no cluster label, so Prometheus cannot tell their pods apart; set different edge-areas[0].cluster and edge-areas[1].cluster values (the series' cluster label) or rename one") == true)
        let apart = try Self.load(
            Self.s3SharesEdge1Names + [(Self.edge2Head, ownContext.replacingOccurrences(of: "cluster: \"\"", with: "cluster: edge2"))])
        #expect(apart.edgeAreas[1].manifests[3].workloadName == "s3-edge1", "two clusters may share names")
    }
}
