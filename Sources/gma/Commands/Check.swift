import ArgumentParser
import Foundation
import GMAConfig
import GMAKube
import GMARuntime
import GMATelemetry

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a GMAConfig.yaml and its service manifests; show what gma would do with them.",
        discussion: """
            Reads the config (the reference's GMAConfig.yaml keys) and every cloud/edge manifest it names, then \
            prints the resolved services, thresholds and prices, and the kubectl commands gma would run. \
            Every problem is listed at once as file:line:column: error: key.path: message; exit status 2. \
            It also says which kubectl runs (found on PATH unless spec.kube.kubectl names one) with its version, \
            and which configured contexts the kubeconfig lacks. Nothing is contacted: neither the clusters nor \
            Prometheus.

              gma check --config examples/liqo/mubench-app/GMAConfig.yaml
              GMA_CONFIG=GMAConfig.yaml gma check
            """
    )

    @Option(name: .shortAndLong, help: "The config file (default: $GMA_CONFIG, else ./GMAConfig.yaml).")
    var config: String?

    func run() async throws {
        try await reportingUserErrors {
            let path = config ?? GMAConfiguration.defaultPath()
            let loaded: GMAConfiguration
            do {
                loaded = try GMAConfiguration.load(path: path)
            } catch let error as ConfigError {
                throw UserFacingError(error.description)
            }
            let kubectl = await Self.inspectKubectl(loaded)
            let sections = Self.querySections(loaded) + [("kubectl on this machine", kubectl.lines)]
            print(ConfigReport(loaded, extraSections: sections).rendered)
        }
    }

    /// kubectl on this machine, and the configured contexts its kubeconfig lacks: the cloud's and every edge's.
    static func inspectKubectl(_ configuration: GMAConfiguration) async -> KubectlInstallation {
        var report = await KubectlInstallation.inspect(configuration.kube)
        for e in configuration.edgeNames.indices.dropFirst() {
            let edge = await KubectlInstallation.inspect(configuration.edgeView(e).kube)
            report.missingContexts += edge.missingContexts.filter { !report.missingContexts.contains($0) }
        }
        return report
    }

    /// The PromQL queries gma would send, as an extra report section; with several edges, one per edge (each
    /// edge's queries select its own ingress and cluster value, docs/config.md §4).
    static func querySections(_ configuration: GMAConfiguration) -> [(title: String, lines: [String])] {
        let names = configuration.edgeNames
        return names.indices.map { e in
            let title = names.count == 1 ? "prometheus queries" : "prometheus queries, edge \(names[e])"
            do {
                let settings = try ControllerAssembly.telemetrySettings(from: configuration, edge: e)
                let telemetry = try PrometheusTelemetry(settings: settings)
                return (title, telemetry.queries.named.flatMap { ["\($0.name):", "  \($0.promql)"] })
            } catch {
                return (title, ["cannot build the queries: \(error)"])
            }
        }
    }
}
