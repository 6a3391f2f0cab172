import Foundation
import GMAConfig
import GMAKube
import GMAProcess

/// The text `gma check` prints for a valid configuration: what gma resolved from the files, and the exact
/// kubectl argument vectors it would run.
public struct ConfigReport {
    public var configuration: GMAConfiguration
    /// Extra sections (e.g. the PromQL queries), each a title and its lines.
    public var extraSections: [(title: String, lines: [String])]

    public init(_ configuration: GMAConfiguration, extraSections: [(title: String, lines: [String])] = []) {
        self.configuration = configuration
        self.extraSections = extraSections
    }

    public var rendered: String {
        let c = configuration
        var out: [String] = []
        out.append("config      \(c.file)\(c.name.map { "  (\($0))" } ?? "")")
        out.append("namespace   \(c.namespace)")
        out.append(
            "services    \(c.services.count) (M = \(c.modelSize) with the user)\(c.lockedServices.isEmpty ? "" : ", locked: \(c.lockedServices.joined(separator: ", "))")"
        )
        out.append("")
        out += servicesTable
        out.append("")
        out.append("thresholds  offload avg > \(ms(c.slo.offloadDelaySeconds)), unoffload avg < \(ms(c.slo.unoffloadDelaySeconds))")
        out.append(
            "            offload q\(fmt(c.slo.delayQuantile)) > \(ms(c.slo.offloadQuantileDelaySeconds)), unoffload q\(fmt(c.slo.delayQuantile)) < \(ms(c.slo.unoffloadQuantileDelaySeconds))"
        )
        out.append(
            "timing      sync \(secs(c.telemetry.syncPeriodSeconds)), stabilisation window W \(secs(c.telemetry.stabilizationWindowSeconds)), query period \(c.telemetry.queryPeriod)"
        )
        out.append("prometheus  \(c.telemetry.prometheusURL)\(authText(c.telemetry.prometheusAuth))")
        out += c.furtherEdges.isEmpty ? singleEdgeLinkLines : edgesLinkLines
        let o = c.optimizer
        out.append(
            "optimizer   \(o.connector), time limit \(secs(o.timeLimitSeconds)), depth \(o.expandingDepth), overshooting ×\(fmt(o.overshootingMultiplier)), max reduction \(ms(o.maxDelayReductionSeconds)), max increase \(ms(o.maxDelayIncreaseSeconds))"
        )
        if c.furtherEdges.isEmpty {
            out.append("layout      \(c.layout.summary)")
            out.append(
                "kube        cloud context \(quoted(c.kube.cloudContext)), edge context \(quoted(c.kube.edgeContext)), kubeconfig \(c.kube.kubeconfig ?? "(kubectl default)"), timeout \(secs(c.kube.timeoutSeconds))"
            )
        } else {
            out.append(
                "kube        cloud context \(quoted(c.kube.cloudContext)), kubeconfig \(c.kube.kubeconfig ?? "(kubectl default)"), timeout \(secs(c.kube.timeoutSeconds))"
            )
        }
        for section in extraSections {
            out.append("")
            out.append(section.title)
            out += section.lines.map { "  \($0)" }
        }
        out.append("")
        out.append("kubectl commands")
        out += c.furtherEdges.isEmpty ? kubectlLines(c, edgeLabel: nil) : c.edgeNames.indices.flatMap {
            kubectlLines(c.edgeView($0), edgeLabel: c.edgeNames[$0])
        }
        if !c.warnings.isEmpty {
            out.append("")
            out.append("warnings")
            out += c.warnings.map { "  \($0)" }
        }
        return out.joined(separator: "\n")
    }

    func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
    func ms(_ seconds: Double) -> String { "\(fmt(seconds * 1000)) ms" }
    func secs(_ seconds: Double) -> String { "\(fmt(seconds)) s" }
    func cores(_ value: Double) -> String { value < 1 ? "\(fmt(value * 1000))m" : fmt(value) }
    func bytes(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 1_073_741_824 { return String(format: "%.2fGi", value / 1_073_741_824) }
        return String(format: "%.1fMi", value / 1_048_576)
    }
    func bps(_ value: Double) -> String { "\(fmt(value / 1e6)) Mbit/s" }
    func quoted(_ s: String) -> String { s.isEmpty ? "(current)" : s }
    private func authText(_ auth: PrometheusAuth) -> String {
        switch auth {
        case .none: return ""
        case .bearerTokenFile(let path): return "  (bearer token from \(path))"
        case .basic(let user, let path): return "  (basic auth as \(user), password from \(path))"
        }
    }
}
