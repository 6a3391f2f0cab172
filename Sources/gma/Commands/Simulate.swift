import ArgumentParser
import Foundation
import GMAConfig
import GMAObservability
import GMAOptimizer
import GMATwin
import Synchronization

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the controller against a simulated cloud–edge (the twin) on simulated time.",
        discussion: """
            The real state machine reads the twin's telemetry and HPAs and actuates the twin's clusters; a \
            two-hour scenario takes seconds. Prints the transitions and decisions, then a summary, and writes \
            timeline.csv and timeline.svg to the output directory.

              gma simulate examples/twin/lambda-sweep.yaml
              gma simulate examples/twin/flash-crowd.yaml --solver greedy --out /tmp/flash

            A scenario with an `edges:` list runs the joint controller over every edge on one shared cloud and \
            writes timeline.csv with per-edge columns and one timeline-EDGE.svg per edge; `--compare independent` \
            also runs K independent single-edge controllers on the same seed and prints both side by side.

              gma simulate examples/twin/follow-the-sun.yaml --compare independent
            """
    )

    @Argument(help: "A scenario file (examples/twin/*.yaml).")
    var scenario: String

    @Option(name: .long, help: "Output directory (default: out/simulate-<scenario name>).")
    var out: String?

    @Option(name: .long, help: "Solver: auto, ilp or greedy (default: the scenario's, else auto).")
    var solver: SolverKind?

    @Option(name: .long, help: "gma (fast reaction, staged unoffload, consolidation) or reference (W everywhere, pair by pair, no consolidation).")
    var policy: String?

    @Option(name: .long, help: "max (as fast as possible) or N: N simulated seconds per real second.")
    var speed: String = "max"

    @Option(name: .long, help: "Override the scenario's seed.")
    var seed: UInt64?

    @Option(name: .long, help: "Append one JSON line per decision (with the full problem) to this file.")
    var journal: String?

    @Flag(name: .long, help: "Print only the summary.")
    var quiet = false

    @Option(name: .long, help: "independent: for a multi-edge scenario, also run K independent single-edge controllers and compare.")
    var compare: String?

    func validate() throws {
        if let compare, compare != "independent" { throw ValidationError("--compare must be independent") }
        if let policy, policy != "gma" && policy != "reference" { throw ValidationError("--policy must be gma or reference") }
        if speed != "max" {
            guard let n = Double(speed), n > 0, n.isFinite else { throw ValidationError("--speed must be max or a positive number") }
        }
    }

    func run() async throws {
        try await reportingUserErrors {
            var loaded: Scenario
            do {
                loaded = try Scenario.load(path: scenario)
            } catch {
                throw UserFacingError("\(error)")
            }
            if let solver { loaded.solver = solver }
            if let seed { loaded.twin.seed = seed }
            if let policy { loaded.policy = policy == "reference" ? .reference : ControlPolicy() }
            let directory = out ?? "out/simulate-\(loaded.name)"
            let pacing = speed == "max" ? 0 : 1 / (Double(speed) ?? 1)
            if loaded.isMultiEdge {
                return try await runEdges(loaded, directory: directory, pacing: pacing)
            }
            if compare != nil {
                throw UserFacingError(
                    "\(scenario): --compare independent needs a multi-edge scenario (an edges: list); this one has a single edge")
            }
            let terminal = isatty(STDOUT_FILENO) == 1
            let total = loaded.durationSeconds
            let progress = ProgressLine(enabled: terminal && !quiet, total: total)
            let quiet = quiet
            print("gma simulate: \(loaded.name), app \(loaded.app.name), \(TwinSummaryClock.text(total)) simulated, solver \(loaded.solver.rawValue), policy \(loaded.policy == .reference ? "reference" : "gma"), seed \(loaded.twin.seed)")
            let journalFile = try journal.map { path in
                do { return try DecisionJournal(path: path) } catch { throw UserFacingError("\(error)") }
            }
            let started = Date()
            let result = try await TwinSimulation(scenario: loaded, pacing: pacing).run(
                progress: { progress.update($0) },
                onEvent: { event in
                    guard !quiet, event.kind != .observation else { return }
                    progress.clear()
                    print("\(TwinSummaryClock.text(event.time))  \(event.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(event.text)")
                },
                onControllerEvent: { event in
                    if case .decided(let decision) = event { journalFile?.append(decision, commands: []) }
                })
            progress.clear()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let csvPath = (directory as NSString).appendingPathComponent("timeline.csv")
            let svgPath = (directory as NSString).appendingPathComponent("timeline.svg")
            do {
                try result.csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
                try TimelinePlot(run: result).svg.write(toFile: svgPath, atomically: true, encoding: .utf8)
            } catch {
                throw UserFacingError("\(directory): cannot write the timeline: \(error.localizedDescription)")
            }
            print("")
            print(result.summary.text)
            print(String(format: "wall time          %.1f s", Date().timeIntervalSince(started)))
            print("wrote              \(csvPath), \(svgPath)")
        }
    }
}

enum TwinSummaryClock {
    static func text(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
    }
}

/// A one-line progress bar on a terminal; nothing otherwise.
final class ProgressLine: Sendable {
    private let enabled: Bool
    private let total: Double
    /// The percentage on screen (-1: none); the lock also keeps two updates from writing at once.
    private let shown = Mutex(-1)

    init(enabled: Bool, total: Double) {
        self.enabled = enabled
        self.total = max(total, 1)
    }

    func update(_ done: Double) {
        guard enabled else { return }
        shown.withLock { shown in
            let percent = Int(min(done / total, 1) * 100)
            guard percent != shown else { return }
            shown = percent
            let filled = percent * 30 / 100
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
            FileHandle.standardOutput.write(Data("\r[\(bar)] \(percent)% \(TwinSummaryClock.text(done))".utf8))
        }
    }

    func clear() {
        guard enabled else { return }
        shown.withLock { shown in
            guard shown >= 0 else { return }
            FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8))
            shown = -1
        }
    }
}
