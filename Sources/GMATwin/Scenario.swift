import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer
import Yams

/// A `gma simulate` scenario: the app, the load, the network, the controller's band and timing, and the
/// twin's behaviour. Read from YAML; every problem is reported with its line:column and key path.
public struct Scenario: Sendable {
    public var name: String
    public var app: TwinApp
    public var load: LoadProfile
    public var network: NetworkProfile
    public var band: DelayBand
    public var timing: LoopTiming
    public var solver: SolverKind
    /// gma's control extensions, or `.reference` (docs/controller.md §8).
    public var policy = ControlPolicy()
    public var twin: TwinSettings
    public var durationSeconds: Double
    /// The `edges:` list of a multi-edge scenario (docs/twin.md §6); empty for a single edge, whose users,
    /// load and link are `load` and `network`. With edges, `load` and `network` are the first edge's.
    public var edges: [ScenarioEdge] = []

    public init(
        name: String, app: TwinApp, load: LoadProfile, network: NetworkProfile, band: DelayBand, timing: LoopTiming,
        solver: SolverKind = .auto, twin: TwinSettings = TwinSettings(), durationSeconds: Double? = nil
    ) {
        self.name = name
        self.app = app
        self.load = load
        self.network = network
        self.band = band
        self.timing = timing
        // The controller queries the twin's telemetry, whose window is the twin's.
        self.timing.telemetryWindowSeconds = twin.telemetryWindowSeconds
        self.solver = solver
        self.twin = twin
        self.durationSeconds = durationSeconds ?? load.durationSeconds
    }

    /// Every edge of the run: the `edges:` list, or the single edge `edge1` of `load` and `network`.
    public var sites: [ScenarioEdge] {
        edges.isEmpty ? [ScenarioEdge(name: "edge1", load: load, network: network)] : edges
    }

    public var isMultiEdge: Bool { !edges.isEmpty }

    /// The controller settings this scenario implies.
    public var controllerSettings: ControllerSettings {
        var settings = ControllerSettings(
            band: band, timing: timing, template: app.template, solver: solver, replicaBounds: app.settingsBounds)
        settings.policy = policy
        return settings
    }

    public static func load(path: String) throws(ConfigError) -> Scenario {
        guard let text = ScenarioFiles.readText(path) else {
            throw ConfigError(issues: [ConfigIssue(file: path, keyPath: "", message: "cannot read the file")])
        }
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text, file: path, baseDirectory: base.isEmpty ? "." : base)
    }

    public static func parse(_ text: String, file: String = "scenario.yaml", baseDirectory: String = ".")
        throws(ConfigError) -> Scenario
    {
        let log = IssueLog()
        let documents = YAMLDocuments.compose(text, file: file, log: log)
        let reader = ScenarioReader(file: file, log: log, paths: PathResolver(baseDirectory: baseDirectory))
        let scenario = documents.first.flatMap { reader.read(YAMLField(root: $0, file: file, log: log)) }
        if documents.isEmpty && !log.hasErrors {
            log.add(.error, file: file, mark: nil, path: "", "the file is empty")
        }
        // A scenario is an experiment: a mistyped key would silently run a different one, so the twin rejects
        // what the shared reader only warns about.
        let issues = log.issues.map { issue in
            var strict = issue
            if strict.severity == .warning && strict.message.hasPrefix("unknown key") {
                strict.severity = .error
                strict.message = "unknown key"
            }
            return strict
        }
        guard let scenario, !issues.contains(where: { $0.severity == .error }) else { throw ConfigError(issues: issues) }
        return scenario
    }
}

/// One edge of a multi-edge scenario: its users' load, its cloud–edge link, and optionally its share of the
/// cloud usage as the joint controller is told it (docs/twin.md §6).
public struct ScenarioEdge: Sendable, Equatable {
    public var name: String
    public var load: LoadProfile
    public var network: NetworkProfile
    /// The edge's share of the cloud usage, in (0, 1]; nil: its mean load over the edges' (docs/twin.md §6).
    public var share: Double?

    public init(name: String, load: LoadProfile, network: NetworkProfile, share: Double? = nil) {
        self.name = name
        self.load = load
        self.network = network
        self.share = share
    }
}

enum ScenarioFiles {
    static func readText(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
    }
}
