import Foundation
import GMATestSupport
import Testing

@testable import GMAConfig
@testable import GMAKube
@testable import GMAProcess
@testable import GMARuntime
@testable import GMATelemetry

/// Which configs each cluster layout accepts, and where equal names really collide (docs/cluster-layouts.md).
@Suite("Config: cluster layouts")
struct LayoutConfigTests {
    static func path(_ layout: ClusterLayoutCase) -> String {
        ClusterLayoutCase.directory.appendingPathComponent("\(layout.rawValue)/GMAConfig.yaml").path
    }

    /// The layout's config with text replaced, read against the real fixture manifests.
    static func load(_ layout: ClusterLayoutCase, _ edits: [(String, String)] = []) throws -> GMAConfiguration {
        var text = try #require(GMAConfiguration.readText(path(layout)))
        for (old, new) in edits {
            #expect(text.contains(old), "fixture lacks \(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return try GMAConfiguration.parse(
            yaml: text, file: path(layout), baseDirectory: (path(layout) as NSString).deletingLastPathComponent)
    }

    static func errors(_ layout: ClusterLayoutCase, _ edits: [(String, String)]) throws -> [ConfigIssue] {
        let error = try #require(throws: ConfigError.self) { try load(layout, edits) }
        return error.errors
    }

    @Test(arguments: ClusterLayoutCase.allCases)
    func eachLayoutLoads(_ layout: ClusterLayoutCase) throws {
        let config = try Self.load(layout)
        #expect(config.layout.separateContexts == (layout == .twoClusters))
        #expect(config.layout.separateClusterLabels == (layout != .singleContext))
        let frontend = try #require(config.service(named: "frontend"))
        #expect(frontend.cloud.workloadName == "frontend")
        #expect(frontend.edge.workloadName == layout.edgeWorkload("frontend"))
        #expect(frontend.edge.hpa.name == layout.edgeWorkload("frontend"))
        #expect(ConfigReport(config).rendered.contains("layout      \(config.layout.summary)"))
    }

    @Test func sharedNamesInOneContextCollide() throws {
        // Two clusters' names, but both areas in the cloud context: edge apply would overwrite the cloud copy.
        let errors = try Self.errors(.twoClusters, [("context: edge1", "context: cloud")])
        #expect(errors.count == 4, "\(errors)")  // two workloads, two HPAs
        #expect(errors.allSatisfy { $0.keyPath.hasSuffix("instances.edge-yamls") })
        #expect(errors.contains { $0.message.contains("deployment/frontend in namespace 'shop' of kube context 'cloud'") })
        #expect(errors.contains { $0.message.contains("hpa/backend in namespace 'shop' of kube context 'cloud'") })
    }

    @Test func sharedNamesUnderOneClusterLabelCollide() throws {
        // Separate contexts, but Prometheus cannot tell the areas' pods apart: workloads only, HPAs are fine.
        let errors = try Self.errors(.twoClusters, [(#"cluster: "edge1""#, #"cluster: "cloud""#)])
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.allSatisfy { $0.message.contains("same cluster label 'cloud'") && $0.message.contains("workload") })
    }

    @Test func twoServicesSharingAWorkloadCollideInAnyLayout() throws {
        let errors = try Self.errors(.twoClusters, [("cloud-yamls: [../cloud/backend.yaml]", "cloud-yamls: [../cloud/frontend.yaml]")])
        #expect(errors.contains { $0.keyPath == "spec.app.services[1].instances.cloud-yamls" && $0.message.contains("service 'frontend''s cloud workload") })
    }

    @Test func queriesSelectEachAreasClusterLabel() throws {
        let queries = TelemetryQueries(try ControllerAssembly.telemetrySettings(from: try Self.load(.twoClusters)))
        #expect(queries.cpu.cloud?.contains(#"{cluster="cloud",namespace="shop",pod=~"frontend-"#) == true)
        #expect(queries.cpu.edge?.contains(#"{cluster="edge1",namespace="shop",pod=~"frontend-"#) == true)
        #expect(queries.ingressRequestRate.contains(#"cluster="edge1""#))
        #expect(queries.serviceRequestRate.contains(#"cluster=~"cloud|edge1""#))
        let single = TelemetryQueries(try ControllerAssembly.telemetrySettings(from: try Self.load(.singleContext)))
        #expect(single.cpu.edge?.contains(#"{cluster="",namespace="shop",pod=~"frontend-edge1-[a-z0-9]+"#) == true)
    }
}

/// Names must match as a whole, empty names are errors, `-ms` keys warn, input files are bounded.
@Suite("Config: names and files")
struct NamesAndFilesTests {
    @Test func aTrailingNewlineIsNotAName() {
        #expect(!KubernetesNames.isLabel("fluidosmesh\n"))
        #expect(!KubernetesNames.isSubdomain("cart-edge1\n"))
        #expect(!KubernetesNames.isLabelValue("cart\n"))
        #expect(KubernetesNames.isLabel("fluidosmesh") && KubernetesNames.isSubdomain("a.b") && KubernetesNames.isLabelValue("A_b"))
    }

    @Test func aNamespaceWithANewlineIsRejected() throws {
        let errors = try LayoutConfigTests.errors(.singleContext, [("namespace: shop", #"namespace: "shop\n""#)])
        #expect(errors.contains { $0.keyPath == "spec.app.namespace" && $0.message.contains("not a valid Kubernetes namespace") })
    }

    @Test func emptyWorkloadAndHPANamesAreErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-names-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: ClusterLayoutCase.directory, to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("edge-own-names/backend.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "name: backend-edge1\n", with: "name: \"\"\n")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.load(path: directory.appendingPathComponent("single-context/GMAConfig.yaml").path)
        }
        let manifestErrors = error.errors.filter { $0.file == manifest.path }
        #expect(manifestErrors.contains { $0.message == "the workload name is empty" && $0.keyPath == "metadata.name" })
        #expect(manifestErrors.contains { $0.message == "the HPA name is empty" })
    }

    @Test func aBareNumberUnderAMillisecondKeyWarns() throws {
        let config = try LayoutConfigTests.load(.singleContext, [("edge-cloud-rtt-ms: 80ms", "edge-cloud-rtt-ms: 20")])
        #expect(config.network.rttSeconds == 20, "the reference's meaning: seconds")
        let warning = try #require(config.warnings.first { $0.keyPath == "spec.network.edge-cloud-rtt-ms" })
        #expect(warning.message.hasPrefix("20 is read as 20 s") && warning.message.contains("write 20ms"))
        let withUnit = try LayoutConfigTests.load(.singleContext)
        #expect(!withUnit.warnings.contains { $0.keyPath == "spec.network.edge-cloud-rtt-ms" })
    }

    @Test func anOversizedConfigIsRefusedUnreadWithItsName() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gma-big-\(UUID().uuidString).yaml").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Sparse: 50 MB that take no disk, refused from their size alone.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 50_000_000)
        try handle.close()
        let error = try #require(throws: ConfigError.self) { try GMAConfiguration.load(path: path) }
        #expect(error.description.contains(path) && error.description.contains("50000000 bytes, over gma's limit of 4 MiB"))
    }

    @Test func aDeviceIsReadOnlyUpToTheLimit() throws {
        let error = try #require(throws: InputFileError.self) { try InputFile.readText("/dev/zero", limit: 4096) }
        #expect(error.description == "/dev/zero: more than 4096 bytes, over gma's limit of 0.00390625 MiB for an input file (GMA_MAX_INPUT_BYTES raises it)")
        #expect(try InputFile.readText(LayoutConfigTests.path(.singleContext), limit: 4096).contains("kind: GMAPlacerConfig"))
    }

    @Test func theLimitIsConfigurable() {
        #expect(InputFile.limit(from: nil) == 4 << 20)
        #expect(InputFile.limit(from: "32Mi") == 32 << 20)
        #expect(InputFile.limit(from: "1000") == 1000)
        #expect(InputFile.limit(from: "-5") == 4 << 20 && InputFile.limit(from: "lots") == 4 << 20)
    }

    @Test func anOversizedManifestIsNamed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-bigm-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: ClusterLayoutCase.directory, to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let manifest = directory.appendingPathComponent("cloud/backend.yaml").path
        let handle = try #require(FileHandle(forWritingAtPath: manifest))
        try handle.truncate(atOffset: UInt64(InputFile.maximumBytes + 1))
        try handle.close()
        let error = try #require(throws: ConfigError.self) {
            try GMAConfiguration.load(path: directory.appendingPathComponent("two-clusters/GMAConfig.yaml").path)
        }
        #expect(error.errors.contains {
            $0.keyPath == "spec.app.services[1].instances.cloud-yamls"
                && $0.message.hasPrefix("cannot read manifest file \(manifest): \(InputFile.maximumBytes + 1) bytes, over")
        }, "\(error)")
    }
}

/// kubectl is the one on PATH unless `spec.kube.kubectl` names one; `gma check` says which, and what it lacks.
@Suite("Cluster: kubectl on PATH")
struct KubectlOnPathTests {
    @Test func theDefaultIsKubectlOnPath() throws {
        let config = try LayoutConfigTests.load(.twoClusters)
        #expect(config.kube.kubectlPath == "kubectl")
        let commands = KubectlCommands(configuration: config)
        #expect(commands.getHPAs(.edge).first == FakeKubeAPI.kubectl)
        #expect(FakeKubeAPI.kubectl.hasPrefix("/"), "kubectl must be on PATH for these tests")
        let named = try LayoutConfigTests.load(.twoClusters, [("spec:\n", "spec:\n  kube:\n    kubectl: ./bin/kubectl\n")])
        #expect(named.kube.kubectlPath == ClusterLayoutCase.directory.appendingPathComponent("two-clusters/bin/kubectl").path)
    }

    @Test func aMissingKubectlIsOneLineSayingWhatToDo() async throws {
        let error = try await #require(throws: ClusterError.self) {
            try await CommandRunner.run(["kubectl", "version"], timeoutSeconds: 5, environment: ["PATH": "/nonexistent"])
        }
        #expect(
            error.description
                == "kubectl could not be started: not found on PATH (/nonexistent); install kubectl (Debian: apt-get install kubernetes-client) or set spec.kube.kubectl to its path")
        let directory = try #require(throws: ClusterError.self) { try CommandRunner.locate("/tmp", environment: nil) }
        #expect(directory.description == "/tmp could not be started: not an executable file")
    }

    @Test func inspectionNamesTheBinaryItsVersionAndMissingContexts() async throws {
        let kube = try LayoutKube(.twoClusters)
        defer { kube.stop() }
        var settings = try LayoutConfigTests.load(.twoClusters).kube
        settings.kubeconfig = kube.kubeconfig
        settings.edgeContext = "edge9"
        // The default 10 s per kubectl call is for `gma check`; the whole suite in parallel on two cores has taken
        // longer than that to start kubectl, and this test is about answers, not about time.
        let report = await KubectlInstallation.inspect(settings, timeoutSeconds: 120)
        #expect(report.path == FakeKubeAPI.kubectl)
        #expect(report.clientVersion?.hasPrefix("v1.") == true, "\(report)")
        #expect(report.missingContexts == ["edge9"])
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.lines.contains("contexts    missing from the kubeconfig: edge9"))

        settings.kubectlPath = kube.directory + "/missing/kubectl"
        let missing = await KubectlInstallation.inspect(settings)
        #expect(missing.path == nil && missing.lines.first == "kubectl     \(settings.kubectlPath): not found")
        #expect(missing.problems == ["\(settings.kubectlPath) could not be started: no such file; install kubectl (Debian: apt-get install kubernetes-client) or set spec.kube.kubectl to its path"])
    }

    @Test
    func checkPrintsTheKubectlItWillUse() async throws {
        let result = try await CommandRunner.run(
            [try GMABinary.path(), "check", "--config", LayoutConfigTests.path(.twoClusters)], timeoutSeconds: 120)
        #expect(result.exitStatus == 0, "\(result.stderr)")
        let text = String(decoding: result.stdout, as: UTF8.self)
        #expect(text.contains("kubectl on this machine\n  kubectl     \(FakeKubeAPI.kubectl) (kubectl), client v"), "\(text)")
        #expect(text.contains("layout      two clusters: a kube context and a cluster label per area"))
    }
}
