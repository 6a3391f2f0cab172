import ArgumentParser
import Foundation
import GMAController

struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a GMAConfig.yaml and its service manifests; show what gma would do with them.",
        discussion: """
            Reads the config (the reference's GMAConfig.yaml keys) and every cloud/edge manifest it names, then
            prints the resolved services, thresholds and prices, and the kubectl commands gma would run.
            Every problem is listed at once as file:line:column: error: key.path: message; exit status 2.
            Nothing is contacted: neither the clusters nor Prometheus.

              gma check --config examples/app/GMAConfig.yaml
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
            print(ConfigReport(loaded, extraSections: Self.querySections(loaded)).rendered)
        }
    }

    /// Hook for the telemetry: the PromQL queries gma would send, as extra report sections.
    /// Empty until the Prometheus telemetry (Sources/GMAController/Telemetry) exposes a query list built
    /// from a `GMAConfiguration`; then return `[("prometheus queries", queries)]` here.
    static func querySections(_ configuration: GMAConfiguration) -> [(title: String, lines: [String])] {
        []
    }
}
