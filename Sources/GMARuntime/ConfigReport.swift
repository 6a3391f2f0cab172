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
        out.append("id  service          area   workload                     cpu/pod   mem/pod     HPA (min–max @ cpu)")
        for s in c.services {
            for area in ClusterArea.allCases {
                let m = s.manifests(area)
                let workload = "\(m.workloadKind.kubectlResource)/\(m.workloadName)"
                let hpa = "\(m.hpa.name) (\(m.hpa.minReplicas)–\(m.hpa.maxReplicas) @ \(fmt(m.hpa.cpuThreshold * 100)) %)"
                out.append(
                    [
                        pad(area == .cloud ? String(s.id) : "", 3), pad(area == .cloud ? s.name : "", 16),
                        pad(area.rawValue, 6), pad(workload, 28), pad(cores(m.cpuRequestCores), 9),
                        pad(bytes(m.memoryRequestBytes), 11), hpa,
                    ].joined(separator: " "))
            }
        }
        out.append("")
        out.append("thresholds  offload avg > \(ms(c.slo.offloadDelaySeconds)), unoffload avg < \(ms(c.slo.unoffloadDelaySeconds))")
        out.append(
            "            offload q\(fmt(c.slo.delayQuantile)) > \(ms(c.slo.offloadQuantileDelaySeconds)), unoffload q\(fmt(c.slo.delayQuantile)) < \(ms(c.slo.unoffloadQuantileDelaySeconds))"
        )
        out.append(
            "timing      sync \(secs(c.telemetry.syncPeriodSeconds)), stabilisation window W \(secs(c.telemetry.stabilizationWindowSeconds)), query period \(c.telemetry.queryPeriod)"
        )
        out.append("prometheus  \(c.telemetry.prometheusURL)\(authText(c.telemetry.prometheusAuth))")
        let n = c.network
        out.append(
            "network     RTT \(ms(n.rttSeconds)) × \(fmt(n.rttMultiplier)) = \(ms(n.effectiveRTTSeconds)), cloud→edge \(bps(n.cloudToEdgeBitsPerSecond)), edge→cloud \(bps(n.edgeToCloudBitsPerSecond))"
        )
        out.append("            netinfo \(n.netinfoFile ?? "(disabled)"), prober \(n.netProberURL ?? "(disabled)")")
        for area in ClusterArea.allCases {
            let a = c.area(area)
            out.append(
                "prices      \(pad(area.rawValue, 5)) cpu \(fmt(a.prices.cpuCoreHour))/core·h, memory \(fmt(a.prices.memoryGBHour))/GB·h, network \(fmt(a.networkPricePerGB))/GB"
            )
        }
        let o = c.optimizer
        out.append(
            "optimizer   \(o.connector), time limit \(secs(o.timeLimitSeconds)), depth \(o.expandingDepth), overshooting ×\(fmt(o.overshootingMultiplier)), max reduction \(ms(o.maxDelayReductionSeconds)), max increase \(ms(o.maxDelayIncreaseSeconds))"
        )
        out.append("layout      \(c.layout.summary)")
        out.append(
            "kube        cloud context \(quoted(c.kube.cloudContext)), edge context \(quoted(c.kube.edgeContext)), kubeconfig \(c.kube.kubeconfig ?? "(kubectl default)"), timeout \(secs(c.kube.timeoutSeconds))"
        )
        for section in extraSections {
            out.append("")
            out.append(section.title)
            out += section.lines.map { "  \($0)" }
        }
        out.append("")
        out.append("kubectl commands")
        let k = KubectlCommands(configuration: c)
        out.append("  HPA status:      \(ShellWords.render(k.getHPAs(.cloud)))")
        if k.getHPAs(.edge) != k.getHPAs(.cloud) {
            out.append("                   \(ShellWords.render(k.getHPAs(.edge)))")
        }
        out.append("  edge services:   \(ShellWords.render(k.getWorkloads(.edge)))")
        for s in c.services {
            out.append("  \(s.name):")
            out.append("    offload:   \(ShellWords.render(k.apply(files: s.edge.files)))")
            out.append(
                "               \(ShellWords.render(k.scale(.edge, kind: s.edge.workloadKind, name: s.edge.workloadName, replicas: 0)).replacingOccurrences(of: "--replicas=0", with: "--replicas=N"))"
            )
            out.append(
                "    unoffload: \(ShellWords.render(k.scale(.cloud, kind: s.cloud.workloadKind, name: s.cloud.workloadName, replicas: 0)).replacingOccurrences(of: "--replicas=0", with: "--replicas=N"))"
            )
            out.append("               \(ShellWords.render(k.delete(files: s.edge.files)))")
        }
        if !c.warnings.isEmpty {
            out.append("")
            out.append("warnings")
            out += c.warnings.map { "  \($0)" }
        }
        return out.joined(separator: "\n")
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
    private func ms(_ seconds: Double) -> String { "\(fmt(seconds * 1000)) ms" }
    private func secs(_ seconds: Double) -> String { "\(fmt(seconds)) s" }
    private func cores(_ value: Double) -> String { value < 1 ? "\(fmt(value * 1000))m" : fmt(value) }
    private func bytes(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 1_073_741_824 { return String(format: "%.2fGi", value / 1_073_741_824) }
        return String(format: "%.1fMi", value / 1_048_576)
    }
    private func bps(_ value: Double) -> String { "\(fmt(value / 1e6)) Mbit/s" }
    private func quoted(_ s: String) -> String { s.isEmpty ? "(current)" : s }
    private func authText(_ auth: PrometheusAuth) -> String {
        switch auth {
        case .none: return ""
        case .bearerTokenFile(let path): return "  (bearer token from \(path))"
        case .basic(let user, let path): return "  (basic auth as \(user), password from \(path))"
        }
    }
}
