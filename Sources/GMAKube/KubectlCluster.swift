import Foundation
import GMAConfig
import GMAControl
import GMAProcess
import Logging
import Synchronization

/// The argument vectors gma runs, built in one place so that `gma check` can print exactly these.
public struct KubectlCommands: Sendable, Equatable {
    public var kubectl: String
    public var kubeconfig: String?
    /// kubectl's discovery cache (`--cache-dir`); nil for kubectl's default.
    public var cacheDirectory: String?
    public var namespace: String
    public var cloudContext: String
    public var edgeContext: String
    /// Passed as `--request-timeout` so kubectl gives up on its own before gma kills it.
    public var requestTimeoutSeconds: Double?

    public init(
        kubectl: String = KubeSettings.defaultKubectl, kubeconfig: String? = nil, cacheDirectory: String? = nil,
        namespace: String, cloudContext: String, edgeContext: String, requestTimeoutSeconds: Double? = nil
    ) {
        self.kubectl = kubectl
        self.kubeconfig = kubeconfig
        self.cacheDirectory = cacheDirectory
        self.namespace = namespace
        self.cloudContext = cloudContext
        self.edgeContext = edgeContext
        self.requestTimeoutSeconds = requestTimeoutSeconds
    }

    /// kubectl resolved on PATH now, so that logs and `gma check` name the binary that runs; a kubectl that
    /// is not found stays a bare name and fails on first use with `ClusterError.programNotFound`.
    public init(configuration: GMAConfiguration, cacheDirectory: String? = nil) {
        let kubectl = configuration.kube.kubectlPath
        self.init(
            kubectl: CommandRunner.executablePath(kubectl) ?? kubectl, kubeconfig: configuration.kube.kubeconfig,
            cacheDirectory: cacheDirectory, namespace: configuration.namespace,
            cloudContext: configuration.kube.cloudContext, edgeContext: configuration.kube.edgeContext,
            requestTimeoutSeconds: configuration.kube.timeoutSeconds)
    }

    /// `kubectl [--kubeconfig K] [--context C] [--cache-dir D] [--request-timeout T] -n NS`.
    /// An empty context means kubectl's current context: the flag is left out (not the reference's `--context  -n`, docs/differences.md D26).
    public func base(_ area: ClusterArea) -> [String] {
        var argv = [kubectl]
        if let kubeconfig { argv += ["--kubeconfig", kubeconfig] }
        let context = area == .cloud ? cloudContext : edgeContext
        if !context.isEmpty { argv += ["--context", context] }
        if let cacheDirectory { argv += ["--cache-dir", cacheDirectory] }
        if let requestTimeoutSeconds { argv += ["--request-timeout", "\(max(1, Int(requestTimeoutSeconds.rounded(.up))))s"] }
        return argv + ["-n", namespace]
    }

    public func getHPAs(_ area: ClusterArea) -> [String] { base(area) + ["get", "hpa", "-o", "json"] }

    public func getWorkloads(_ area: ClusterArea) -> [String] {
        base(area) + ["get", "deployments,statefulsets", "-o", "json"]
    }

    public func apply(files: [String]) -> [String] {
        base(.edge) + ["apply"] + files.flatMap { ["-f", $0] }
    }

    /// Idempotent (`--ignore-not-found`), and does not wait for the pods to go (`--wait=false`).
    public func delete(files: [String]) -> [String] {
        base(.edge) + ["delete", "--ignore-not-found", "--wait=false"] + files.flatMap { ["-f", $0] }
    }

    public func scale(_ area: ClusterArea, kind: WorkloadKind, name: String, replicas: Int) -> [String] {
        base(area) + ["scale", "\(kind.kubectlResource)/\(name)", "--replicas=\(replicas)"]
    }
}

/// `ClusterAccess` through the kubectl binary: one argument vector per call, a timeout on each, the exit
/// status and stderr checked. Every failure is logged with its command and thrown; nothing is retried here
/// (the controller's next cycle is the retry).
///
/// In dry-run mode the changing commands (apply, delete, scale) are recorded and logged instead of run;
/// the reading ones still run, since they change nothing.
public final class KubectlCluster: ClusterAccess {
    public let commands: KubectlCommands
    public let services: [ServiceConfig]
    public let timeoutSeconds: Double
    public let dryRun: Bool
    private let logger: Logger
    private let recorder = Recorder()

    public init(
        commands: KubectlCommands, services: [ServiceConfig], timeoutSeconds: Double = 30, dryRun: Bool = false,
        logger: Logger = Logger(label: "gma.cluster")
    ) {
        self.commands = commands
        self.services = services
        self.timeoutSeconds = timeoutSeconds
        self.dryRun = dryRun
        self.logger = logger
    }

    public convenience init(
        configuration: GMAConfiguration, cacheDirectory: String? = nil, dryRun: Bool = false,
        logger: Logger = Logger(label: "gma.cluster")
    ) {
        self.init(
            commands: KubectlCommands(configuration: configuration, cacheDirectory: cacheDirectory),
            services: configuration.services, timeoutSeconds: configuration.kube.timeoutSeconds, dryRun: dryRun,
            logger: logger)
    }

    /// The changing commands recorded in dry-run mode, in order.
    public func recordedCommands() -> [[String]] { recorder.all }

    // MARK: ClusterAccess

    public func hpaStatus() async throws -> [String: ServiceHPAStatus] {
        var statuses: [String: ServiceHPAStatus] = [:]
        for service in services { statuses[service.name] = ServiceHPAStatus() }
        // With Liqo both areas usually share a context: list once per distinct command.
        var listed: [[String]: [[String: Any]]] = [:]
        for area in ClusterArea.allCases {
            let argv = commands.getHPAs(area)
            if listed[argv] == nil { listed[argv] = try await items(of: argv) }
            var byName: [String: [String: Any]] = [:]
            for item in listed[argv] ?? [] {
                if let name = (item["metadata"] as? [String: Any])?["name"] as? String { byName[name] = item }
            }
            for service in services {
                let wanted = service.manifests(area).hpa
                guard let item = byName[wanted.name] else { continue }
                let spec = item["spec"] as? [String: Any] ?? [:]
                let status = item["status"] as? [String: Any] ?? [:]
                statuses[service.name]?[area] = HPAStatus(
                    name: wanted.name, currentReplicas: integer(status["currentReplicas"]),
                    desiredReplicas: integer(status["desiredReplicas"]),
                    minReplicas: integer(spec["minReplicas"]) ?? wanted.minReplicas,
                    maxReplicas: integer(spec["maxReplicas"]) ?? wanted.maxReplicas)
            }
        }
        return statuses
    }

    public func edgeServices() async throws -> Set<String> {
        let found = try await items(of: commands.getWorkloads(.edge))
        var present: Set<String> = []
        for service in services {
            let kind = service.edge.workloadKind.rawValue
            let name = service.edge.workloadName
            let match = found.first { item in
                (item["kind"] as? String) == kind && ((item["metadata"] as? [String: Any])?["name"] as? String) == name
            }
            guard let match else { continue }
            let replicas = integer((match["spec"] as? [String: Any])?["replicas"]) ?? 1
            if replicas > 0 { present.insert(service.name) }
        }
        return present
    }

    /// `status.readyReplicas` of each service's workload; a workload without a status is left out (unknown),
    /// one with a status but no count has none ready (Kubernetes omits zero).
    public func readyReplicas(area: ClusterArea) async throws -> [String: Int] {
        // A dry run changes nothing, so no count would ever rise: nothing to wait on.
        if dryRun { return [:] }
        let found = try await items(of: commands.getWorkloads(area))
        var ready: [String: Int] = [:]
        for service in services {
            let manifests = service.manifests(area)
            let match = found.first { item in
                (item["kind"] as? String) == manifests.workloadKind.rawValue
                    && ((item["metadata"] as? [String: Any])?["name"] as? String) == manifests.workloadName
            }
            guard let status = match?["status"] as? [String: Any] else { continue }
            ready[service.name] = integer(status["readyReplicas"]) ?? 0
        }
        return ready
    }

    public func apply(service: String) async throws {
        let config = try lookup(service)
        try await change(commands.apply(files: config.edge.files))
    }

    public func delete(service: String) async throws {
        let config = try lookup(service)
        try await change(commands.delete(files: config.edge.files))
    }

    public func scale(service: String, area: ClusterArea, replicas: Int) async throws {
        let manifests = try lookup(service).manifests(area)
        try await change(
            commands.scale(area, kind: manifests.workloadKind, name: manifests.workloadName, replicas: max(0, replicas)))
    }

    // MARK: running

    private func lookup(_ name: String) throws -> ServiceConfig {
        guard let service = services.first(where: { $0.name == name }) else {
            throw ClusterError.unknownService(name)
        }
        return service
    }

    private func change(_ argv: [String]) async throws {
        if dryRun {
            recorder.append(argv)
            logger.info("dry run, not running: \(ShellWords.render(argv))")
            return
        }
        let result = try await run(argv)
        let output = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        logger.info("\(ShellWords.render(argv)): \(output)")
    }

    /// Runs a command and checks it; failures are logged with the command and thrown.
    @discardableResult
    public func run(_ argv: [String]) async throws -> CommandResult {
        let result: CommandResult
        do {
            result = try await CommandRunner.run(argv, timeoutSeconds: timeoutSeconds)
        } catch {
            logger.error("\(error)")
            throw error
        }
        guard result.exitStatus == 0, !result.timedOut else {
            let error = ClusterError.commandFailed(
                command: argv, exitStatus: result.timedOut ? nil : result.exitStatus, timedOut: result.timedOut,
                stderr: result.stderr)
            logger.error("\(error)")
            throw error
        }
        return result
    }

    /// The `items` of a `kubectl get … -o json` list.
    private func items(of argv: [String]) async throws -> [[String: Any]] {
        let result = try await run(argv)
        guard let object = try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
            let items = object["items"] as? [[String: Any]]
        else {
            let error = ClusterError.badOutput(command: argv, message: "not a JSON list with items")
            logger.error("\(error)")
            throw error
        }
        return items
    }

    private func integer(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        if let text = value as? String { return Int(text) }
        return nil
    }
}

/// The dry-run log, safe to append to from concurrent calls.
private final class Recorder: Sendable {
    private let commands = Mutex<[[String]]>([])

    func append(_ argv: [String]) { commands.withLock { $0.append(argv) } }
    var all: [[String]] { commands.withLock { $0 } }
}
