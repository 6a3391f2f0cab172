import Foundation
import GMAConfig
import GMAControl
import GMAKube
import GMAOptimizer
import GMARuntime
import GMATelemetry
import Logging

/// The loop over several edges (docs/multi-edge.md §9), wired from each edge's single-edge view of the config:
/// its settings, its Prometheus queries (its ingress, its cluster label), its kubectl contexts, its link.
struct JointAssembly {
    let controller: JointPlacementController
    /// Each edge's kubectl, by edge name: it renders that edge's commands for logs and `gma decide`.
    let clusters: [String: KubectlCluster]

    init(
        _ configuration: GMAConfiguration, options: ControllerOptions, dryRun: Bool, clock: any ControllerClock,
        telemetryAtClockTime: Bool, log: Logger? = nil,
        observer: ([String: KubectlCluster]) -> @Sendable (String, ControllerEvent) -> Void
    ) throws {
        var lanes: [EdgeLane] = []
        var clusters: [String: KubectlCluster] = [:]
        for (e, name) in configuration.edgeNames.enumerated() {
            let view = configuration.edgeView(e)
            var settings = ControllerAssembly.settings(from: view, solver: options.solver, timeLimitSeconds: options.timeLimit)
            // Each edge's link is priced by that edge's `cost.network` (docs/config.md §4); one edge keeps the cloud's.
            settings.template.prices.networkGB = view.edge.networkPricePerGB
            let telemetry: PrometheusTelemetry
            do {
                telemetry = try PrometheusTelemetry(settings: try ControllerAssembly.telemetrySettings(from: configuration, edge: e))
            } catch {
                throw UserFacingError("\(configuration.file): spec.edge-areas[\(e)] (\(name)): \(error)")
            }
            let cluster = KubectlCluster(configuration: view, dryRun: dryRun)
            clusters[name] = cluster
            lanes.append(EdgeLane(
                name: name, settings: settings, telemetry: telemetry, cluster: cluster,
                network: ControllerAssembly.network(from: view)))
        }
        let first = lanes[0].settings
        if first.externalSolver != nil {
            // The plug-in protocol carries gma/v1 problems: one edge. The joint problem goes to the built-in solvers.
            log?.warning("optimizer.connector exec: answers single-edge problems only; with several edges the built-in joint solver (auto) decides")
        }
        controller = JointPlacementController(
            lanes: lanes, clock: clock, solver: BuiltInJointSolver(first.externalSolver == nil ? first.solver : .auto),
            telemetryAtClockTime: telemetryAtClockTime, observer: observer(clusters))
        self.clusters = clusters
    }
}
