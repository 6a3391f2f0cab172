import Foundation
import GMAOptimizer

/// A readable summary of a solve.
struct SolutionText {
    let model: PlacementModel
    let solution: PlacementSolution

    var rendered: String {
        let s = solution
        let e = s.evaluation
        let current = model.current
        func list(_ names: [String]) -> String { names.isEmpty ? "(none)" : names.joined(separator: ", ") }
        var lines = [
            "status          \(s.status.rawValue) (\(s.solver), \(String(format: "%.3f", s.seconds)) s, \(s.nodes) nodes)",
            "edge services   \(list(s.edgeServices))",
            "added           \(list(s.added))",
            "removed         \(list(s.removed))",
            "delay           \(String(format: "%.2f", e.delaySeconds * 1000)) ms (now \(String(format: "%.2f", current.delaySeconds * 1000)) ms, limit \(String(format: "%.2f", model.delayLimitSeconds * 1000)) ms) — target \(s.feasible ? "met" : "NOT met")",
            "cost per hour   \(String(format: "%.4f", e.cost.total)) (now \(String(format: "%.4f", current.cost.total)); edge \(String(format: "%.4f", e.cost.edge)), cloud \(String(format: "%.4f", e.cost.cloud)), network \(String(format: "%.4f", e.cost.network)))",
        ]
        if let bound = s.bound, let gap = s.gap {
            lines.append("bound           \(String(format: "%.4f", bound)) (gap \(String(format: "%.4f", gap * 100)) %)")
        }
        if let note = s.note { lines.append("note            \(note)") }
        return lines.joined(separator: "\n")
    }
}
