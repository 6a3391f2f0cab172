import ArgumentParser
import Foundation
import GMAConfig
import GMAControl
import GMAKube
import GMAOptimizer
import GMARuntime
import GMATelemetry

/// Options of the commands that talk to the real clusters and Prometheus.
struct ControllerOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The config file (default: $GMA_CONFIG, else ./GMAConfig.yaml).")
    var config: String?

    @Option(name: .long, help: "Override optimizer.connector: auto, ilp or greedy.")
    var solver: SolverKind?

    @Option(name: .long, help: "Override the solve budget, e.g. 2s.", transform: DurationText.seconds)
    var timeLimit: Double?

    func load() throws -> GMAConfiguration {
        let path = config ?? GMAConfiguration.defaultPath()
        do {
            return try GMAConfiguration.load(path: path)
        } catch let error as ConfigError {
            throw UserFacingError(error.description)
        }
    }

    /// Everything the loop needs, wired from the config.
    /// `observer` is made for the cluster, so that it can render the cluster's commands.
    func assemble(
        _ configuration: GMAConfiguration, dryRun: Bool, clock: any ControllerClock = SystemClock(),
        telemetryAtClockTime: Bool = false, observer: (KubectlCluster) -> @Sendable (ControllerEvent) -> Void
    ) throws -> (PlacementController, KubectlCluster) {
        let settings = ControllerAssembly.settings(from: configuration, solver: solver, timeLimitSeconds: timeLimit)
        let telemetry: PrometheusTelemetry
        do {
            telemetry = try PrometheusTelemetry(settings: try ControllerAssembly.telemetrySettings(from: configuration))
        } catch {
            throw UserFacingError("\(configuration.file): \(error)")
        }
        let cluster = KubectlCluster(configuration: configuration, dryRun: dryRun)
        let controller = PlacementController(
            settings: settings, telemetry: telemetry, cluster: cluster,
            network: ControllerAssembly.network(from: configuration), clock: clock, solver: settings.placementSolver,
            telemetryAtClockTime: telemetryAtClockTime, observer: observer(cluster))
        return (controller, cluster)
    }
}
