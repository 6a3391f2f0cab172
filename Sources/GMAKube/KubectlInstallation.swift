import Foundation
import GMAConfig
import GMAProcess

/// The kubectl gma would run and what it knows about the configured contexts, for `gma check`.
///
/// Only local commands run (`kubectl version --client`, `kubectl config …`): they read the kubeconfig and
/// contact no cluster.
public struct KubectlInstallation: Sendable, Equatable {
    /// `spec.kube.kubectl` (default `kubectl`).
    public var requested: String
    /// The absolute path that runs, when found.
    public var path: String?
    /// `clientVersion.gitVersion`, e.g. `v1.31.0`.
    public var clientVersion: String?
    /// Contexts of the areas that the kubeconfig does not define, in area order, without repeats.
    public var missingContexts: [String]
    /// Everything that went wrong, one line each.
    public var problems: [String]

    public static func inspect(_ kube: KubeSettings, timeoutSeconds: Double = 10) async -> KubectlInstallation {
        var report = KubectlInstallation(
            requested: kube.kubectlPath, path: nil, clientVersion: nil, missingContexts: [], problems: [])
        let path: String
        do {
            path = try CommandRunner.locate(kube.kubectlPath, environment: nil)
        } catch {
            report.problems.append(error.description)
            return report
        }
        report.path = path
        if let output = await output([path, "version", "--client", "-o", "json"], timeoutSeconds, &report.problems) {
            let object = try? JSONSerialization.jsonObject(with: output) as? [String: Any]
            report.clientVersion = (object?["clientVersion"] as? [String: Any])?["gitVersion"] as? String
            if report.clientVersion == nil { report.problems.append("kubectl version --client: no clientVersion.gitVersion") }
        }
        let config = [path] + (kube.kubeconfig.map { ["--kubeconfig", $0] } ?? []) + ["config"]
        guard let listed = await output(config + ["get-contexts", "-o", "name"], timeoutSeconds, &report.problems)
        else { return report }
        let known = Set(String(decoding: listed, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init))
        var wanted: [String] = []
        for context in [kube.cloudContext, kube.edgeContext] where !wanted.contains(context) { wanted.append(context) }
        report.missingContexts = wanted.filter { !$0.isEmpty && !known.contains($0) }
        if wanted.contains(""), await output(config + ["current-context"], timeoutSeconds, &report.problems) == nil {
            report.problems.append("an area's context is empty (kubectl's current context), and the kubeconfig sets none")
        }
        return report
    }

    /// Standard output of a successful run; otherwise nil, with the reason appended to `problems`.
    private static func output(_ argv: [String], _ timeoutSeconds: Double, _ problems: inout [String]) async -> Data? {
        do {
            let result = try await CommandRunner.run(argv, timeoutSeconds: timeoutSeconds)
            if result.exitStatus == 0, !result.timedOut { return result.stdout }
            let error = ClusterError.commandFailed(
                command: argv, exitStatus: result.timedOut ? nil : result.exitStatus, timedOut: result.timedOut,
                stderr: result.stderr)
            problems.append(error.description)
        } catch {
            problems.append("\(error)")
        }
        return nil
    }

    /// The `gma check` section.
    public var lines: [String] {
        var out: [String] = []
        if let path {
            out.append("kubectl     \(path)\(requested == path ? "" : " (\(requested))"), client \(clientVersion ?? "version unknown")")
        } else {
            out.append("kubectl     \(requested): not found")
        }
        if !missingContexts.isEmpty {
            out.append("contexts    missing from the kubeconfig: \(missingContexts.joined(separator: ", "))")
        }
        out += problems.map { "problem     \($0)" }
        return out
    }
}
