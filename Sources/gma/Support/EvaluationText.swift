import Foundation
import GMAOptimizer

/// A readable summary of one evaluated placement.
struct EvaluationText {
    let model: PlacementModel
    let evaluation: PlacementEvaluation

    var rendered: String {
        let e = evaluation
        let edge = model.names(of: e.atEdge)
        var lines = [
            "edge services   \(edge.isEmpty ? "(none)" : edge.joined(separator: ", "))",
            "delay           \(ms(e.delaySeconds))  (network \(ms(e.networkDelaySeconds)), internal \(ms(e.internalDelaySeconds)))",
            "target met      \(model.meetsTarget(delaySeconds: e.delaySeconds) ? "yes" : "no")  (limit \(ms(model.delayLimitSeconds)), \(model.problem.action.rawValue))",
            "cloud→edge      \(String(format: "%.1f", e.cloudToEdgeTrafficBitsPerSecond / 1e6)) Mbit/s, ρ = \(String(format: "%.4f", e.rho))",
            "cost per hour   \(money(e.cost.total))  (edge \(money(e.cost.edge)), cloud \(money(e.cost.cloud)), network \(money(e.cost.network)))",
            "",
            "service          N cloud     N edge  replicas cloud/edge",
        ]
        for i in 0..<model.serviceCount {
            let name = model.serviceNames[i].padding(toLength: 12, withPad: " ", startingAt: 0)
            lines.append(
                "\(name) \(String(format: "%10.4f %10.4f", e.cloudCalls[i], e.edgeCalls[i]))  \(count(e.replicasCloud[i]))/\(count(e.replicasEdge[i]))"
            )
        }
        return lines.joined(separator: "\n")
    }

    private func ms(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
    private func money(_ value: Double) -> String { String(format: "%.4f", value) }
    private func count(_ value: Double) -> String { value < 1e15 ? String(Int(value)) : "\(value)" }
}
