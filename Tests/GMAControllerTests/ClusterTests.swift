import Foundation
import Testing

@testable import GMAControl
@testable import GMAKube
@testable import GMAProcess

/// kubectl for real, against a fake API server each test starts and stops itself.
@Suite("Cluster: kubectl against a fake API server")
struct ClusterKubectlTests {
    @Test func applyCreatesTheEdgeWorkloadAndHPA() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let cluster = api.cluster(try api.app3Configuration())
        #expect(try await cluster.edgeServices().isEmpty)

        try await cluster.apply(service: "cart")
        let objects = try await api.objects()
        #expect(objects.summary == ["Deployment/fluidosmesh/cart-edge1 ×1", "HorizontalPodAutoscaler/fluidosmesh/cart-edge1"])
        let deployment = try #require(objects.named("Deployment", "cart-edge1"))
        let annotations = (deployment.raw["metadata"] as? [String: Any])?["annotations"] as? [String: String]
        #expect(annotations?["kubectl.kubernetes.io/last-applied-configuration"] != nil, "applied by kubectl apply")
        #expect(try await cluster.edgeServices() == ["cart"])

        // Applying again is harmless (kubectl reports "unchanged").
        try await cluster.apply(service: "cart")
        #expect(try await api.objects().count == 2)
    }

    @Test func deleteRemovesTheEdgeManifestsAndIsIdempotent() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let cluster = api.cluster(try api.app3Configuration())
        try await cluster.apply(service: "frontend")
        try await cluster.apply(service: "catalog")
        #expect(try await cluster.edgeServices() == ["frontend", "catalog"])
        #expect(try await api.objects().count == 5, "frontend's file also holds a Service")

        try await cluster.delete(service: "frontend")
        #expect(
            try await api.objects().summary == [
                "HorizontalPodAutoscaler/fluidosmesh/catalog-edge1", "StatefulSet/fluidosmesh/catalog-edge1 ×1",
            ])
        #expect(try await cluster.edgeServices() == ["catalog"])
        try await cluster.delete(service: "frontend")  // already gone: still succeeds
    }

    @Test func scaleAndHPAStatusInBothAreas() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let config = try api.app3Configuration()
        let cluster = api.cluster(config)
        // The cloud copy is managed by hand ("persistent cloud"): put it there with kubectl directly.
        let cart = try #require(config.service(named: "cart"))
        try await api.kubectl(["-n", "fluidosmesh", "apply"] + cart.cloud.files.flatMap { ["-f", $0] })
        try await cluster.apply(service: "cart")
        try await cluster.apply(service: "catalog")

        try await cluster.scale(service: "cart", area: .cloud, replicas: 5)
        try await cluster.scale(service: "cart", area: .edge, replicas: 3)
        try await cluster.scale(service: "catalog", area: .edge, replicas: 2)

        let objects = try await api.objects()
        #expect(objects.named("Deployment", "cart-cloud")?.replicas == 5)
        #expect(objects.named("Deployment", "cart-edge1")?.replicas == 3)
        #expect(objects.named("StatefulSet", "catalog-edge1")?.replicas == 2, "a StatefulSet is scaled as one (docs/differences.md D3)")

        let status = try await cluster.hpaStatus()
        #expect(Set(status.keys) == ["frontend", "cart", "catalog"])
        #expect(status["cart"]?.cloud?.currentReplicas == 5)
        #expect(status["cart"]?.edge?.currentReplicas == 3)
        #expect(status["cart"]?.edge?.name == "cart-edge1")
        #expect(status["cart"]?.edge?.maxReplicas == 10)
        #expect(status["catalog"]?.edge?.currentReplicas == 2)
        #expect(status["catalog"]?.cloud == nil, "catalog's cloud copy was never applied")
        #expect(status["frontend"] == ServiceHPAStatus(), "frontend is in neither area")
    }

    @Test func hpaStatusReadsWhatTheHPAReports() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let cluster = api.cluster(try api.app3Configuration())
        try await cluster.apply(service: "cart")
        // An HPA that wants to grow: desired ≠ current. A PUT of the status subresource, which every kubectl
        // can send (`patch --subresource` needs 1.24; Debian 12's kubernetes-client is 1.20).
        let status = api.directory + "/hpa-status.json"
        try #"{"status":{"currentReplicas":2,"desiredReplicas":4}}"#.write(toFile: status, atomically: true, encoding: .utf8)
        try await api.kubectl([
            "replace", "--raw", "/apis/autoscaling/v2/namespaces/fluidosmesh/horizontalpodautoscalers/cart-edge1/status",
            "-f", status,
        ])
        let edge = try #require(try await cluster.hpaStatus()["cart"]?.edge)
        #expect(edge.currentReplicas == 2 && edge.desiredReplicas == 4)
    }

    @Test func dryRunChangesNothingAndRecordsTheCommands() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let config = try api.app3Configuration()
        let cluster = api.cluster(config, dryRun: true)
        try await cluster.apply(service: "cart")
        try await cluster.scale(service: "cart", area: .edge, replicas: 4)
        try await cluster.delete(service: "catalog")
        #expect(try await cluster.edgeServices().isEmpty, "reads still run in dry-run mode")

        #expect(try await api.objects().isEmpty)
        let methods = try await api.requestMethods()
        #expect(!methods.contains { ["POST", "PUT", "PATCH", "DELETE"].contains($0) }, "\(methods)")

        let recorded = cluster.recordedCommands()
        #expect(recorded.count == 3)
        let commands = KubectlCommands(configuration: config, cacheDirectory: api.cacheDirectory)
        let cart = try #require(config.service(named: "cart"))
        #expect(recorded.first == commands.apply(files: cart.edge.files))
        #expect(recorded.dropFirst().first?.suffix(2) == ["deployment/cart-edge1", "--replicas=4"])
        #expect(recorded.last?.contains("delete") == true)
        #expect(recorded.allSatisfy { $0.first == FakeKubeAPI.kubectl && $0.contains(api.kubeconfig) })
    }

    @Test func aFailingKubectlNamesTheCommand() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        var config = try api.app3Configuration()
        config.kube.edgeContext = "no-such-context"
        let cluster = api.cluster(config)
        let error = try await #require(throws: ClusterError.self) { try await cluster.apply(service: "cart") }
        guard case let .commandFailed(command, status, timedOut, stderr) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(command.contains("no-such-context") && command.contains("apply"))
        #expect(status != nil && status != 0 && !timedOut)
        #expect(stderr.contains("no-such-context"), "\(stderr)")
        #expect(error.description.hasPrefix("\(FakeKubeAPI.kubectl) --kubeconfig"), "\(error)")
        #expect(try await api.objects().isEmpty)
    }

    @Test func unknownServicesAreRejectedBeforeAnyCommand() async throws {
        let api = try FakeKubeAPI()
        defer { api.stop() }
        let cluster = api.cluster(try api.app3Configuration(), dryRun: true)
        await #expect(throws: ClusterError.unknownService("payments")) { try await cluster.apply(service: "payments") }
        #expect(cluster.recordedCommands().isEmpty)
    }
}

@Suite("Cluster: commands and replica rule")
struct ClusterRuleTests {
    @Test func argumentVectorsAreExplicit() {
        let commands = KubectlCommands(
            kubectl: "/usr/bin/kubectl", kubeconfig: "/k/config", cacheDirectory: "/tmp/c", namespace: "shop",
            cloudContext: "cloud ctx", edgeContext: "", requestTimeoutSeconds: 10)
        #expect(
            commands.getHPAs(.cloud) == [
                "/usr/bin/kubectl", "--kubeconfig", "/k/config", "--context", "cloud ctx", "--cache-dir", "/tmp/c",
                "--request-timeout", "10s", "-n", "shop", "get", "hpa", "-o", "json",
            ])
        // An empty context means kubectl's current one: no `--context ""` (docs/differences.md D26).
        #expect(!commands.getHPAs(.edge).contains("--context"))
        #expect(
            commands.scale(.edge, kind: .statefulSet, name: "db-edge1", replicas: 3).suffix(3)
                == ["scale", "statefulset/db-edge1", "--replicas=3"])
        #expect(ShellWords.render(["kubectl", "--context", "cloud ctx", "a'b"]) == #"kubectl --context 'cloud ctx' 'a'\''b'"#)
    }

    @Test func replicaRuleOfControllerSection5() {
        // Unoffload: rc + ⌈re / me⌉, clamped to the cloud HPA's bounds.
        #expect(ReplicaScaling.cloudReplicasAfterUnoffload(cloudCurrent: 2, edgeCurrent: 3, resourceScaling: 2, cloudMin: 1, cloudMax: 10) == 4)
        #expect(ReplicaScaling.cloudReplicasAfterUnoffload(cloudCurrent: 8, edgeCurrent: 5, resourceScaling: 1, cloudMin: 1, cloudMax: 10) == 10)
        #expect(ReplicaScaling.cloudReplicasAfterUnoffload(cloudCurrent: 0, edgeCurrent: 0, resourceScaling: 1, cloudMin: 2, cloudMax: 10) == 2)
        // Offload: ⌈me · rc⌉, clamped to the edge HPA's bounds.
        #expect(ReplicaScaling.edgeReplicasAfterOffload(cloudCurrent: 3, resourceScaling: 0.5, edgeMin: 1, edgeMax: 10) == 2)
        #expect(ReplicaScaling.edgeReplicasAfterOffload(cloudCurrent: 0, resourceScaling: 1, edgeMin: 1, edgeMax: 10) == 1)
        #expect(ReplicaScaling.edgeReplicasAfterOffload(cloudCurrent: 9, resourceScaling: 1.5, edgeMin: 1, edgeMax: 10) == 10)
    }

    @Test func anEdgeCopyIsSizedForTheCountTheCloudHPAWants() {
        // 144 running, the HPA already asking for 484 in a surge: the copy starts at 484 (me = 1).
        let surge = HPAStatus(name: "a", currentReplicas: 144, desiredReplicas: 484, minReplicas: 1, maxReplicas: 1000)
        #expect(ReplicaScaling.deploymentSize(surge) == 484)
        // Scaling down, the running count is kept until it is gone; one count unknown, the other serves.
        #expect(ReplicaScaling.deploymentSize(HPAStatus(name: "a", currentReplicas: 6, desiredReplicas: 4, minReplicas: 1, maxReplicas: 9)) == 6)
        #expect(ReplicaScaling.deploymentSize(HPAStatus(name: "a", currentReplicas: nil, desiredReplicas: 4, minReplicas: 1, maxReplicas: 9)) == 4)
        #expect(ReplicaScaling.deploymentSize(HPAStatus(name: "a", currentReplicas: 3, desiredReplicas: nil, minReplicas: 1, maxReplicas: 9)) == 3)
        #expect(ReplicaScaling.deploymentSize(nil) == nil)
    }

    @Test func anEdgeCopyServesItsShareOfTheUsageAtFullRequest() {
        // 4.2 cores on 0.5-core requests: ⌈8.4⌉ = 9 replicas; half of it at the edge: ⌈4.2⌉ = 5; at most the edge HPA's 6.
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: 4.2, resourceScaling: 1, cpuRequestCores: 0.5, edgeMin: 1, edgeMax: 20) == 9)
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: 4.2, resourceScaling: 0.5, cpuRequestCores: 0.5, edgeMin: 1, edgeMax: 20) == 5)
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: 4.2, resourceScaling: 1, cpuRequestCores: 0.5, edgeMin: 1, edgeMax: 6) == 6)
        // Unknown or empty usage, or no request: no count from usage.
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: nil, resourceScaling: 1, cpuRequestCores: 0.5, edgeMin: 1, edgeMax: 20) == nil)
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: 0, resourceScaling: 1, cpuRequestCores: 0.5, edgeMin: 1, edgeMax: 20) == nil)
        #expect(ReplicaScaling.edgeReplicasForUsage(cpuCores: 4.2, resourceScaling: 1, cpuRequestCores: 0, edgeMin: 1, edgeMax: 20) == nil)
    }

    @Test func theCloudTakesBackTheReplicasTheHPAWouldSettleOn() {
        // 5 cores on 1-core requests at a 60 % target: ⌈8.33⌉ = 9; within the bounds; unknown inputs give no count.
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: 5, cpuRequestCores: 1, hpaTarget: 0.6, cloudMin: 1, cloudMax: 30) == 9)
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: 5, cpuRequestCores: 1, hpaTarget: 0.6, cloudMin: 1, cloudMax: 6) == 6)
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: 0.1, cpuRequestCores: 1, hpaTarget: 0.6, cloudMin: 2, cloudMax: 30) == 2)
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: nil, cpuRequestCores: 1, hpaTarget: 0.6, cloudMin: 1, cloudMax: 30) == nil)
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: 5, cpuRequestCores: 0, hpaTarget: 0.6, cloudMin: 1, cloudMax: 30) == nil)
        #expect(ReplicaScaling.cloudReplicasForUsage(cpuCores: 5, cpuRequestCores: 1, hpaTarget: 0, cloudMin: 1, cloudMax: 30) == nil)
    }

    @Test(arguments: [0.0, -1.0, Double.nan, Double.infinity])
    func divisionByZeroIsGuarded(scaling: Double) {
        // A zero (or absurd) edge share must not divide by zero: it counts as 1.
        #expect(ReplicaScaling.cloudReplicasAfterUnoffload(cloudCurrent: 2, edgeCurrent: 3, resourceScaling: scaling, cloudMin: 1, cloudMax: 10) == 5)
        #expect(ReplicaScaling.edgeReplicasAfterOffload(cloudCurrent: 3, resourceScaling: scaling, edgeMin: 1, edgeMax: 10) == 3)
    }

    @Test func aCommandPastItsTimeoutIsKilled() async throws {
        // A command that never ends by itself, so only the runner's timeout can end it: on a loaded machine the
        // timer may fire late, but the test waits for that event instead of racing a command that ends on its own.
        let result = try await CommandRunner.run(["/bin/sleep", "infinity"], timeoutSeconds: 0.3)
        #expect(result.timedOut)
        // Ended by the runner's SIGTERM, or by its SIGKILL if the child ignores SIGTERM.
        #expect([SIGTERM, SIGKILL].contains(result.exitStatus), "exit status \(result.exitStatus)")
    }

    @Test func exitStatusAndStreamsAreKept() async throws {
        let result = try await CommandRunner.run(
            ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"], timeoutSeconds: 30)
        #expect(result.exitStatus == 3 && !result.timedOut)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test func aMissingProgramIsAnErrorNamingIt() async throws {
        let error = try await #require(throws: ClusterError.self) {
            try await CommandRunner.run(["/nonexistent/kubectl", "version"], timeoutSeconds: 5)
        }
        #expect(error.description.contains("/nonexistent/kubectl"))
    }
}
