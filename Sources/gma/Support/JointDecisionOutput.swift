import Foundation
import GMAControl
import GMAKube
import GMAObservability
import GMAOptimizer

/// `gma decide` with several edges: one block (text) or one object (JSON) per edge, and the joint answer.
struct JointDecisionOutput {
    let decision: JointDecision
    let clusters: [String: KubectlCluster]

    func commands(_ e: Int) -> [[String]] {
        guard let cluster = clusters[decision.edgeNames[e]] else { return [] }
        return decision.decisions[e].operations.flatMap(cluster.argv(for:))
    }

    var json: JSONValue {
        let edges: [JSONValue] = decision.edgeNames.indices.map { e in
            decision.decisions[e].json(commands: commands(e), edge: decision.edgeNames[e])
        }
        return .object([
            ("time", .string(ISO8601DateFormatter().string(from: decision.time))),
            ("reason", .string(decision.reason)),
            ("edges", .array(edges)),
            ("joint", decision.solution?.json ?? .null),
        ])
    }

    var text: String {
        var blocks = ["joint           \(decision.reason)"]
        if let solution = decision.solution {
            blocks[0] += String(format: "\n                cost %.4f/h (%@ by %@)", solution.evaluation.cost.total, solution.status.rawValue, solution.solver)
        }
        for e in decision.edgeNames.indices {
            let block = DecisionText(decision: decision.decisions[e], commands: commands(e)).rendered
            blocks.append("edge            \(decision.edgeNames[e])\n" + block)
        }
        return blocks.joined(separator: "\n\n")
    }

    /// Every edge's read failures, named by edge.
    var readFailures: [String] {
        decision.edgeNames.indices.flatMap { e in decision.decisions[e].readFailures.map { "\(decision.edgeNames[e]): \($0)" } }
    }
}
