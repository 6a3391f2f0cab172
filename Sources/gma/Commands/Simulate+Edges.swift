import Foundation
import GMAObservability
import GMAOptimizer
import GMATwin

/// `gma simulate` on a multi-edge scenario (docs/twin.md §6): the joint controller, and with `--compare
/// independent` also K independent single-edge controllers on the same seed.
extension Simulate {
    func runEdges(_ loaded: Scenario, directory: String, pacing: Double) async throws {
        let names = loaded.sites.map(\.name).joined(separator: ", ")
        print("gma simulate: \(loaded.name), app \(loaded.app.name), \(loaded.sites.count) edges (\(names)), \(TwinSummaryClock.text(loaded.durationSeconds)) simulated, solver \(loaded.solver.rawValue), policy \(loaded.policy == .reference ? "reference" : "gma"), seed \(loaded.twin.seed)")
        let journalFile = try journal.map { path in
            do { return try DecisionJournal(path: path) } catch { throw UserFacingError("\(error)") }
        }
        let started = Date()
        // The journal is the joint controller's: the comparison run is not the controller under study.
        let joint = try await runMode(.joint, loaded, pacing: pacing, journal: journalFile)
        var written = try write(joint, to: directory, suffix: "")
        var independent: MultiEdgeRunResult?
        if compare != nil {
            let run = try await runMode(.independent, loaded, pacing: pacing)
            written += try write(run, to: directory, suffix: "-independent")
            independent = run
        }
        print("")
        print(joint.summary.text)
        if let independent {
            print("")
            print(independent.summary.text)
            print("")
            print(MultiEdgeSummary.comparison(joint: joint.summary, independent: independent.summary))
        }
        print(String(format: "wall time          %.1f s", Date().timeIntervalSince(started)))
        print("wrote              \(written.joined(separator: ", "))")
    }

    private func runMode(
        _ mode: MultiEdgeMode, _ loaded: Scenario, pacing: Double, journal: DecisionJournal? = nil
    ) async throws -> MultiEdgeRunResult {
        let progress = ProgressLine(enabled: isatty(STDOUT_FILENO) == 1 && !quiet, total: loaded.durationSeconds)
        let quiet = quiet
        if !quiet { print("— \(mode.rawValue) —") }
        let result = try await TwinSimulation(scenario: loaded, pacing: pacing).runEdges(
            mode: mode, progress: { progress.update($0) },
            onEvent: { edge, event in
                guard !quiet, event.kind != .observation else { return }
                progress.clear()
                print("\(TwinSummaryClock.text(event.time))  \(edge.padding(toLength: 12, withPad: " ", startingAt: 0)) \(event.kind.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(event.text)")
            },
            onControllerEvent: { edge, event in
                if case .decided(let decision) = event { journal?.append(decision, commands: [], edge: edge) }
            })
        progress.clear()
        return result
    }

    /// timeline\(suffix).csv and one timeline\(suffix)-EDGE.svg per edge; returns the paths.
    private func write(_ run: MultiEdgeRunResult, to directory: String, suffix: String) throws -> [String] {
        var paths: [String] = []
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let csvPath = (directory as NSString).appendingPathComponent("timeline\(suffix).csv")
            try run.csv.write(toFile: csvPath, atomically: true, encoding: .utf8)
            paths.append(csvPath)
            for (name, edge) in zip(run.names, run.edges) {
                let svgPath = (directory as NSString).appendingPathComponent("timeline\(suffix)-\(name).svg")
                try TimelinePlot(run: edge).svg.write(toFile: svgPath, atomically: true, encoding: .utf8)
                paths.append(svgPath)
            }
        } catch {
            throw UserFacingError("\(directory): cannot write the timeline: \(error.localizedDescription)")
        }
        return paths
    }
}
