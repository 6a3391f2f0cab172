import Foundation
import GMAConfig
import GMAKube
import GMAProcess

/// The parts of `gma check` that list areas: one edge as in the reference's file, or every edge of
/// `spec.edge-areas` (docs/config.md §4).
extension ConfigReport {
    /// One row per service and area: the cloud, then each edge (`edge`, or the edge's name).
    var servicesTable: [String] {
        let c = configuration
        let edgeLabels = c.furtherEdges.isEmpty ? [ClusterArea.edge.rawValue] : c.edgeNames
        let perEdge = c.edgeAreas.map(\.manifests)
        var out = ["id  service          area   workload                     cpu/pod   mem/pod     HPA (min–max @ cpu)"]
        for (index, s) in c.services.enumerated() {
            let rows = [(ClusterArea.cloud.rawValue, s.cloud)] + zip(edgeLabels, perEdge.map { $0[index] })
            for (row, (label, m)) in rows.enumerated() {
                let workload = "\(m.workloadKind.kubectlResource)/\(m.workloadName)"
                let hpa = "\(m.hpa.name) (\(m.hpa.minReplicas)–\(m.hpa.maxReplicas) @ \(fmt(m.hpa.cpuThreshold * 100)) %)"
                out.append(
                    [
                        pad(row == 0 ? String(s.id) : "", 3), pad(row == 0 ? s.name : "", 16), pad(label, 6),
                        pad(workload, 28), pad(cores(m.cpuRequestCores), 9), pad(bytes(m.memoryRequestBytes), 11), hpa,
                    ].joined(separator: " "))
            }
        }
        return out
    }

    /// `spec.network` and both areas' prices, as for one edge.
    var singleEdgeLinkLines: [String] {
        let c = configuration
        return networkLines(c.network, head: "network     ", indent: "            ")
            + [ClusterArea.cloud, .edge].map { area in priceLine("prices      \(pad(area.rawValue, 5))", c.area(area)) }
    }

    /// The cloud's prices, then every edge: where it is, how its users are counted, its link, its prices and
    /// how it is told apart from the cloud.
    var edgesLinkLines: [String] {
        let c = configuration
        var out = [priceLine("prices      cloud", c.cloud)]
        out.append("edges       \(c.edgeNames.count): \(c.edgeNames.joined(separator: ", "))")
        for edge in c.edgeAreas {
            let a = edge.area
            let indent = "              "
            out.append("  \(edge.name)")
            out.append(
                "\(indent)context \(quoted(a.context)), cluster \(a.cluster.isEmpty ? "\"\" (series without the label)" : "\"\(a.cluster)\"")"
            )
            out.append(
                "\(indent)ingress source_app \(a.ingressSourceApp ?? "-") in namespace \(a.ingressNamespace ?? "-"), pods \(a.podCIDRRegex ?? "(any)")"
            )
            out += networkLines(edge.network, head: "\(indent)link ", indent: "\(indent)     ")
            out.append(priceLine("\(indent)prices", a))
            out.append("\(indent)resource scaling \(fmt(a.defaultResourceScaling))")
            out.append("\(indent)layout \(ClusterLayout(cloud: c.cloud, edge: a).summary)")
        }
        return out
    }

    /// The kubectl commands of one edge's view; `edgeLabel` heads them when there are several edges.
    func kubectlLines(_ c: GMAConfiguration, edgeLabel: String?) -> [String] {
        var out: [String] = []
        if let edgeLabel { out.append("  edge \(edgeLabel) (context \(quoted(c.kube.edgeContext))):") }
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
        return out
    }

    private func networkLines(_ n: NetworkSettings, head: String, indent: String) -> [String] {
        [
            "\(head)RTT \(ms(n.rttSeconds)) × \(fmt(n.rttMultiplier)) = \(ms(n.effectiveRTTSeconds)), cloud→edge \(bps(n.cloudToEdgeBitsPerSecond)), edge→cloud \(bps(n.edgeToCloudBitsPerSecond))",
            "\(indent)netinfo \(n.netinfoFile ?? "(disabled)"), prober \(n.netProberURL ?? "(disabled)")",
        ]
    }

    private func priceLine(_ head: String, _ a: AreaSettings) -> String {
        "\(head) cpu \(fmt(a.prices.cpuCoreHour))/core·h, memory \(fmt(a.prices.memoryGBHour))/GB·h, network \(fmt(a.networkPricePerGB))/GB"
    }
}
