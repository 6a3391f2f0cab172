import Foundation

/// What gma needs from the clusters, free of kubectl details, so that an in-memory twin can stand in.
///
/// Every call re-reads or changes the cluster itself: gma keeps no cluster state of its own, so a restart
/// loses nothing. A failed call throws; the caller logs it and tries again next cycle.
public protocol ClusterAccess: Sendable {
    /// The HPAs of every configured service in both areas, keyed by service name.
    /// A service without an HPA in an area (e.g. not offloaded) has `nil` there.
    func hpaStatus() async throws -> [String: ServiceHPAStatus]

    /// Names of the services whose edge workload exists now (and is not scaled to zero).
    func edgeServices() async throws -> Set<String>

    /// Creates or updates the service's edge manifests (the edge workload and its HPA).
    func apply(service: String) async throws

    /// Removes the service's edge manifests; removing what is already gone succeeds.
    func delete(service: String) async throws

    /// Sets the replica count of the service's workload in one area.
    func scale(service: String, area: ClusterArea, replicas: Int) async throws

    /// Ready replicas per service in one area, for the services whose workload reports them (a staged
    /// unoffload waits on them, docs/controller.md §8.2). Absent: unknown, not zero.
    func readyReplicas(area: ClusterArea) async throws -> [String: Int]
}

extension ClusterAccess {
    /// Without a readiness read, the HPAs' current counts stand in.
    public func readyReplicas(area: ClusterArea) async throws -> [String: Int] {
        var ready: [String: Int] = [:]
        for (service, status) in try await hpaStatus() {
            if let current = status[area]?.currentReplicas { ready[service] = current }
        }
        return ready
    }
}

/// One HorizontalPodAutoscaler as the cluster reports it.
public struct HPAStatus: Sendable, Equatable {
    public var name: String
    /// nil while the HPA has not reported yet (a freshly created HPA; docs/differences.md D14).
    public var currentReplicas: Int?
    public var desiredReplicas: Int?
    public var minReplicas: Int
    public var maxReplicas: Int

    public init(name: String, currentReplicas: Int?, desiredReplicas: Int?, minReplicas: Int, maxReplicas: Int) {
        self.name = name
        self.currentReplicas = currentReplicas
        self.desiredReplicas = desiredReplicas
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }
}

/// A service's HPAs in both areas.
public struct ServiceHPAStatus: Sendable, Equatable {
    public var cloud: HPAStatus?
    public var edge: HPAStatus?

    public init(cloud: HPAStatus? = nil, edge: HPAStatus? = nil) {
        self.cloud = cloud
        self.edge = edge
    }

    public subscript(area: ClusterArea) -> HPAStatus? {
        get { area == .cloud ? cloud : edge }
        set { if area == .cloud { cloud = newValue } else { edge = newValue } }
    }
}

/// Why a cluster call failed; the command is always named.
public enum ClusterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command ran and failed, or could not start, or was killed after its timeout.
    case commandFailed(command: [String], exitStatus: Int32?, timedOut: Bool, stderr: String)
    /// The command succeeded but its output was not what was asked for.
    case badOutput(command: [String], message: String)
    /// The service is not in the configuration.
    case unknownService(String)
    /// The program to run does not exist or cannot be executed (nothing was started).
    case programNotFound(program: String, detail: String)

    public var description: String {
        switch self {
        case let .commandFailed(command, status, timedOut, stderr):
            let why: String
            if timedOut {
                why = "timed out and was killed"
            } else if let status {
                why = "failed with exit status \(status)"
            } else {
                why = "could not be started"
            }
            let detail = Self.summary(of: stderr)
            return "\(ShellWords.render(command)) \(why)\(detail.isEmpty ? "" : ": \(detail)")"
        case let .badOutput(command, message):
            return "\(ShellWords.render(command)): unexpected output: \(message)"
        case let .unknownService(name):
            return "unknown service '\(name)'"
        case let .programNotFound(program, detail):
            return "\(program) could not be started: \(detail)\(Self.installHint(program))"
        }
    }
}

extension ClusterError {
    /// One line of a command's standard error for messages: kubectl repeats a connection error once per
    /// discovery attempt and ends with its own summary, so its last `error:` line, else its last line.
    static func summary(of stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let chosen = lines.last { $0.lowercased().hasPrefix("error:") } ?? lines.last ?? ""
        return lines.count > 1 ? chosen + " (\(lines.count) lines of stderr)" : chosen
    }

    /// What to do about a missing kubectl; other programs get no hint.
    static func installHint(_ program: String) -> String {
        guard (program as NSString).lastPathComponent == "kubectl" else { return "" }
        return "; install kubectl (Debian: apt-get install kubernetes-client) or set spec.kube.kubectl to its path"
    }
}

/// Renders an argument vector for logs and for `gma check`, quoting only where a shell would need it.
/// (gma itself never runs a shell; this is for people who copy the command.)
public enum ShellWords {
    public static func render(_ argv: [String]) -> String {
        argv.map(quote).joined(separator: " ")
    }

    public static func quote(_ word: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ safe.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
