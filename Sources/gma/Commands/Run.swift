import ArgumentParser
import Foundation
import GMAConfig
import GMAControl
import GMAHTTP
import GMAKube
import GMAObservability
import GMAOptimizer
import GMAProcess
import GMARuntime
import Logging
import ServiceLifecycle

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the controller: watch the edge users' delay and move services to keep it in band.",
        discussion: """
            Every cycle gma re-reads Prometheus, the HPAs and the edge set, so it can be restarted at any time. \
            SIGINT/SIGTERM stop it between two services' changes, never inside one; exit status 0. \
            GMA_LOG_LEVEL sets the log level (trace, debug, info, notice, warning, error; default info).

              gma run --config GMAConfig.yaml
              gma run --config GMAConfig.yaml --dry-run --journal decisions.jsonl
              gma run --config GMAConfig.yaml --dry-run --replay-from 2026-11-26T10:00:00Z --replay-until 2026-11-26T12:00:00Z
            """
    )

    @OptionGroup var controller: ControllerOptions

    @Flag(name: .long, help: "Print each kubectl command that would change the clusters instead of running it.")
    var dryRun = false

    @Option(name: .long, help: "Append one JSON line per decision (with the full problem) to this file.")
    var journal: String?

    @Option(name: .long, help: "Serve /metrics, /healthz and /readyz on IP:PORT or [IPv6]:PORT ('off' to disable).")
    var metricsAddress = "127.0.0.1:9464"

    @Option(name: .long, help: "Log format: text or json (one JSON object per line).")
    var logFormat: LogFormat = .text

    @Option(
        name: .long, help: "Replay a past window: start the loop's clock at this instant (RFC 3339 or Unix seconds).",
        transform: InstantText.date)
    var replayFrom: Date?

    @Option(name: .long, help: "End of the replayed window (required with --replay-from).", transform: InstantText.date)
    var replayUntil: Date?

    func validate() throws {
        if (replayFrom == nil) != (replayUntil == nil) {
            throw ValidationError("--replay-from and --replay-until go together")
        }
        if let from = replayFrom, let until = replayUntil, until <= from {
            throw ValidationError("--replay-until must be after --replay-from")
        }
    }

    func run() async throws {
        try await reportingUserErrors {
            let configuration = try controller.load()
            let journalFile = try journal.map { path in
                do { return try DecisionJournal(path: path) } catch { throw UserFacingError("\(error)") }
            }
            let format = logFormat
            LoggingSystem.bootstrap { label in
                switch format {
                case .json: return JSONLogHandler(label: label, level: LogLevels.fromEnvironment())
                case .text:
                    var handler = StreamLogHandler.standardError(label: label)
                    handler.logLevel = LogLevels.fromEnvironment()
                    return handler
                }
            }
            let log = Logger(label: "gma")
            let settings = ControllerAssembly.settings(from: configuration)
            let metrics = ControllerMetrics(band: settings.band, edges: configuration.edgeNames)
            // A replay runs on a simulated clock over Prometheus' history: no real waiting.
            let clock: any ControllerClock = replayFrom.map { SimulatedClock(start: $0) } ?? SystemClock()
            let loop = try makeLoop(configuration, clock: clock, metrics: metrics, journal: journalFile, log: log)
            let endpoints: ObservabilityEndpoints?
            do {
                endpoints = try metricsAddress == "off" ? nil : ObservabilityEndpoints(address: metricsAddress, metrics: metrics)
            } catch {
                throw UserFacingError("--metrics-address \(metricsAddress): \(error)")
            }
            let loopService = ControllerLoopService(loop: loop, end: replayUntil, log: log) {
                guard let server = endpoints?.server else { return }
                let port = try await server.boundPort()
                log.info("metrics on http://\(HTTPListenAddress(host: server.address.host, port: port))/metrics")
            }
            log.info("gma started", metadata: ["config": "\(configuration.file)", "dry-run": "\(dryRun)"])
            // Graceful shutdown runs in reverse order: the loop finishes its pair first, then the listener.
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let server = endpoints?.server { services.append(.init(service: server)) }
            services.append(.init(service: loopService, successTerminationBehavior: .gracefullyShutdownGroup))
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: log))
            do {
                try await group.run()
            } catch let error where endpoints?.server.port == nil && endpoints != nil {
                throw UserFacingError("--metrics-address \(metricsAddress): \(error)")
            }
        }
    }
}

extension Run {
    /// The single-edge loop, or with several edges the joint one; every event goes to the metrics, the log and
    /// the journal, with its edge when there are several.
    func makeLoop(
        _ configuration: GMAConfiguration, clock: any ControllerClock, metrics: ControllerMetrics, journal: DecisionJournal?,
        log: Logger
    ) throws -> any ControlLoop {
        let replay = replayFrom != nil
        guard configuration.edgeNames.count > 1 else {
            return try controller.assemble(configuration, dryRun: dryRun, clock: clock, telemetryAtClockTime: replay) { cluster in
                { event in
                    metrics.record(event)
                    EventLogging.log(event, to: log, commands: { cluster.argv(for: $0) })
                    if case .decided(let decision) = event {
                        journal?.append(decision, commands: decision.operations.flatMap { cluster.argv(for: $0) })
                    }
                }
            }.0
        }
        return try JointAssembly(
            configuration, options: controller, dryRun: dryRun, clock: clock, telemetryAtClockTime: replay, log: log
        ) { clusters in
            { edge, event in
                let argv: (ClusterOperation) -> [[String]] = { clusters[edge]?.argv(for: $0) ?? [] }
                metrics.record(event, edge: edge)
                EventLogging.log(event, to: log, edge: edge, commands: argv)
                if case .decided(let decision) = event {
                    journal?.append(decision, commands: decision.operations.flatMap(argv), edge: edge)
                }
            }
        }.controller
    }
}

enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

enum LogLevels {
    /// GMA_LOG_LEVEL (`warn` accepted for `warning`), else `fallback` when it is unset or not a level.
    static func fromEnvironment(fallback: Logger.Level = .info) -> Logger.Level {
        guard let text = ProcessInfo.processInfo.environment["GMA_LOG_LEVEL"]?.lowercased() else { return fallback }
        return Logger.Level(rawValue: text == "warn" ? "warning" : text) ?? fallback
    }
}

/// Controller events as log lines.
enum EventLogging {
    /// `edge`: the edge the event is about, when there are several; it prefixes the line (`edge1: …`).
    static func log(_ event: ControllerEvent, to log: Logger, edge: String? = nil, commands: (ClusterOperation) -> [[String]]) {
        let prefix = edge.map { "\($0): " } ?? ""
        switch event {
        case .transition(_, let from, let to, let reason):
            log.notice("\(prefix)\(from.rawValue) → \(to.rawValue): \(reason)")
        case .observed(_, let state, let mean, let quantile):
            log.debug("\(prefix)observed", metadata: ["state": "\(state.rawValue)", "mean": "\(mean.map { "\($0)" } ?? "unknown")", "quantile": "\(quantile.map { "\($0)" } ?? "unknown")"])
        case .decided(let d):
            log.notice("\(prefix)decision: \(d.action.rawValue): \(d.reason)")
            if let p = d.placement {
                log.info("\(prefix)placement \(p.status.rawValue) by \(p.solver): added [\(p.added.joined(separator: ", "))] removed [\(p.removed.joined(separator: ", "))], cost \(String(format: "%.4f", p.evaluation.cost.total))/h, model delay \(String(format: "%.1f", p.evaluation.delaySeconds * 1000)) ms")
            }
            for operation in d.operations {
                for argv in commands(operation) { log.info("\(prefix)kubectl: \(ShellWords.render(argv))") }
            }
        case .operationFailed(_, let operation, let error):
            log.error("\(prefix)\(operation) failed (retried next cycle): \(error)")
        case .skipped(_, let state, let reason):
            log.warning("\(prefix)no decision in \(state.rawValue): \(reason)")
        }
    }
}
