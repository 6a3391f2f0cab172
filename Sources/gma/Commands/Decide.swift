import ArgumentParser
import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer
import GMAProcess
import Logging

struct Decide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take one snapshot (telemetry → problem → decision) and print what gma would do. Changes nothing.",
        discussion: """
            Reads Prometheus and the clusters once, builds the placement problem the measurements imply, solves \
            it and prints the action, the placement, its cost and delay, and the kubectl commands it would run. \
            It ignores the stabilisation window: it answers "what now?". --at evaluates the telemetry at a past \
            instant (Prometheus' time= parameter) for post-mortems; the cluster is read as it is now.

            Exit status: 0 for a decision (including "none"), 2 for bad input (config, manifests, options), 3 when \
            Prometheus or a cluster could not be read, with one line on standard error naming which.

              gma decide --config GMAConfig.yaml
              gma decide --config GMAConfig.yaml --at 2026-11-26T10:00:00Z --format json --emit-problem p.json
            """
    )

    @OptionGroup var controller: ControllerOptions

    @Option(name: .long, help: "Evaluate telemetry at this instant (RFC 3339, or Unix seconds).", transform: InstantText.date)
    var at: Date?

    @Option(name: .long, help: "Write the placement problem (gma/v1 JSON; gma/v2 with several edges) to this file.")
    var emitProblem: String?

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingUserErrors {
            // decide reports what failed in its one closing line; logs show only when GMA_LOG_LEVEL asks.
            let level = LogLevels.fromEnvironment(fallback: .critical)
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let configuration = try controller.load()
            if configuration.edgeNames.count > 1 { return try await decideJointly(configuration) }
            let (loop, cluster) = try controller.assemble(configuration, dryRun: true, observer: { _ in { _ in } })
            let decision = await loop.decideOnce(at: at)
            if let emitProblem {
                guard let problem = decision.problem else {
                    throw UserFacingError("\(emitProblem): no problem to write: \(decision.reason)")
                }
                guard FileManager.default.createFile(atPath: emitProblem, contents: try problem.encoded()) else {
                    throw UserFacingError("\(emitProblem): cannot write the file")
                }
            }
            let commands = decision.operations.flatMap(cluster.argv(for:))
            switch output.format {
            case .json: print(decision.json(commands: commands).rendered(pretty: true))
            case .text: print(DecisionText(decision: decision, commands: commands).rendered)
            }
            // A decision on data that could not be read is no decision: scripts see it in the status.
            if let first = decision.readFailures.first {
                let more = decision.readFailures.count > 1 ? " (and \(decision.readFailures.count - 1) more)" : ""
                printError("cannot decide: \(first)\(more)")
                throw ExitCode(3)
            }
        }
    }
}

extension Decide {
    /// Several edges: the joint decision, one block or object per edge (docs/multi-edge.md §9).
    func decideJointly(_ configuration: GMAConfiguration) async throws {
        let assembly = try JointAssembly(
            configuration, options: controller, dryRun: true, clock: SystemClock(), telemetryAtClockTime: false,
            observer: { _ in { _, _ in } })
        let decision = await assembly.controller.decideOnce(at: at)
        if let emitProblem {
            guard let problem = decision.problem else {
                throw UserFacingError("\(emitProblem): no problem to write: \(decision.reason)")
            }
            guard FileManager.default.createFile(atPath: emitProblem, contents: try problem.encoded()) else {
                throw UserFacingError("\(emitProblem): cannot write the file")
            }
        }
        let output = JointDecisionOutput(decision: decision, clusters: assembly.clusters)
        switch self.output.format {
        case .json: print(output.json.rendered(pretty: true))
        case .text: print(output.text)
        }
        let failures = output.readFailures
        if let first = failures.first {
            let more = failures.count > 1 ? " (and \(failures.count - 1) more)" : ""
            printError("cannot decide: \(first)\(more)")
            throw ExitCode(3)
        }
    }
}

/// Instants on the command line: RFC 3339 or Unix seconds.
enum InstantText {
    static func date(_ text: String) throws -> Date {
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        throw ValidationError("'\(text)' is not an instant (examples: 2026-11-26T10:00:00Z, 1767225600)")
    }
}

/// A readable summary of one decision.
struct DecisionText {
    let decision: ControllerDecision
    let commands: [[String]]

    var rendered: String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.1f ms", $0 * 1000) } ?? "unknown" }
        var lines = [
            "action          \(decision.action.rawValue)",
            "reason          \(decision.reason)",
            "delay           mean \(ms(decision.meanDelaySeconds)), quantile \(ms(decision.quantileDelaySeconds)), \(decision.userRequestsPerSecond.map { String(format: "%.1f req/s", $0) } ?? "rate unknown")",
        ]
        if let p = decision.placement {
            lines.append("placement       \(p.status.rawValue) by \(p.solver): edge = \(p.edgeServices.joined(separator: ", "))")
            lines.append("                added \(p.added.joined(separator: ", ")), removed \(p.removed.joined(separator: ", "))")
            lines.append("                model delay \(ms(p.evaluation.delaySeconds)), cost \(String(format: "%.4f", p.evaluation.cost.total))/h")
        }
        for argv in commands { lines.append("would run       \(ShellWords.render(argv))") }
        return lines.joined(separator: "\n")
    }
}
