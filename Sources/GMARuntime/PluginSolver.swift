import Foundation
import GMAControl
import GMAOptimizer

/// The configured placement plug-in (`optimizer.connector: exec:PATH`) as the decider's solver: its answer
/// when it is sound, the built-in solver's otherwise (docs/config.md). The decider never starts it itself.
public struct PluginSolver: PlacementSolving {
    public let plugin: ExternalSolver
    public let fallback: any PlacementSolving

    public init(path: String, timeoutSeconds: Double, fallback: any PlacementSolving = BuiltInSolver(.auto)) {
        plugin = ExternalSolver(path: path, timeoutSeconds: timeoutSeconds)
        self.fallback = fallback
    }

    public func solve(_ model: PlacementModel, options: SolveOptions) async -> PlacementSolution {
        let started = Date()
        switch await plugin.placement(for: model) {
        case .success(let set):
            let feasible = model.meetsTarget(delaySeconds: model.evaluate(set).delaySeconds)
            return PlacementSolution(
                model: model, atEdge: set, status: feasible ? .feasible : .infeasible,
                solver: "exec:" + (plugin.path as NSString).lastPathComponent, seconds: Date().timeIntervalSince(started),
                nodes: 0)
        case .failure(let failure):
            var answer = await fallback.solve(model, options: options)
            answer.note = "plug-in failed, fell back to auto: \(failure)"
            return answer
        }
    }
}

extension ControllerSettings {
    /// The solver these settings ask for: the plug-in when one is configured (the built-in `auto` as its
    /// fallback), the built-in solver of `solver` otherwise. The plug-in gets the solve budget plus 5 s.
    public var placementSolver: any PlacementSolving {
        guard let externalSolver else { return BuiltInSolver(solver) }
        return PluginSolver(path: externalSolver, timeoutSeconds: solveOptions.timeLimitSeconds + 5)
    }
}
