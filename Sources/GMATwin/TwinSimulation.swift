import Foundation
import GMAControl
import GMAOptimizer

/// One whole `gma simulate` run: the real `PlacementController` against the twin on a simulated clock.
public struct TwinSimulation: Sendable {
    public let scenario: Scenario
    /// Real seconds to wait per simulated second (0: as fast as possible).
    public var pacing: Double

    public init(scenario: Scenario, pacing: Double = 0) {
        self.scenario = scenario
        self.pacing = pacing
    }

    /// Runs to the end of the scenario. `progress` is told the simulated seconds done after every cycle;
    /// `onEvent` sees each timeline event as it happens.
    public func run(
        progress: @escaping @Sendable (Double) -> Void = { _ in },
        onEvent: @escaping @Sendable (TimelineEvent) -> Void = { _ in },
        onControllerEvent: @escaping @Sendable (ControllerEvent) -> Void = { _ in }
    ) async throws -> TwinRunResult {
        // One edge's loop: a scenario with edges runs with `runEdges(mode:)`, never as its first edge alone.
        guard !scenario.isMultiEdge else { throw TwinRunError.severalEdges(scenario.sites.count) }
        let clock = SimulatedClock()
        let recorder = TimelineRecorder()
        let world = try TwinWorld(
            app: scenario.app, load: scenario.load, network: scenario.network, settings: scenario.twin, clock: clock,
            recorder: recorder, offloadThresholdSeconds: scenario.band.offloadSeconds)
        let start = clock.now()
        let observer: @Sendable (ControllerEvent) -> Void = { event in
            onControllerEvent(event)
            for line in TimelineEvent.from(event, start: start) {
                recorder.record(line)
                onEvent(line)
            }
        }
        let paced: any ControllerClock = pacing > 0 ? PacedClock(base: clock, realSecondsPerSecond: pacing) : clock
        let controller = PlacementController(
            settings: scenario.controllerSettings, telemetry: TwinTelemetry(world: world), cluster: TwinCluster(world: world),
            network: TwinNetworkProbe(world: world), clock: paced,
            solver: BuiltInSolver(scenario.controllerSettings.solver), observer: observer)
        let end = start.addingTimeInterval(scenario.durationSeconds)
        while clock.now() < end {
            try await Self.beginCycle()
            let pause = await controller.step()
            // Never past the end, so the last tick is the scenario's.
            try await paced.sleep(seconds: min(pause, end.timeIntervalSince(clock.now())))
            world.catchUp()
            progress(world.elapsed)
        }
        world.catchUp()
        return TwinRunResult(scenario: scenario, samples: recorder.samples, events: recorder.events)
    }
}

extension TwinSimulation {
    /// Starts one cycle of a run's loop: stops if the run was cancelled, then lets other tasks run. The simulated
    /// clock never suspends, so between solves a run would hold one of Swift's few cooperative threads from start
    /// to end, starving whatever else shares the process's pool (other runs, HTTP handlers, a test suite's other
    /// tests: docs/architecture.md §4).
    static func beginCycle() async throws {
        try Task.checkCancellation()
        await Task.yield()
    }
}

public enum TwinRunError: Error, CustomStringConvertible {
    case severalEdges(Int)

    public var description: String {
        switch self {
        case .severalEdges(let count): "the scenario has \(count) edges: run it with runEdges(mode:), joint or independent"
        }
    }
}

/// Sleeps for real a fraction of each simulated sleep (`--speed N`), so that a person can watch.
struct PacedClock: ControllerClock {
    let base: SimulatedClock
    let realSecondsPerSecond: Double

    func now() -> Date { base.now() }

    func sleep(seconds: Double) async throws {
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * realSecondsPerSecond * 1e9)) }
        try await base.sleep(seconds: seconds)
    }
}

extension TimelineEvent {
    /// The timeline lines a controller event makes (observations are kept for the plot, not printed).
    static func from(_ event: ControllerEvent, start: Date) -> [TimelineEvent] {
        func t(_ date: Date) -> Double { date.timeIntervalSince(start) }
        switch event {
        case let .transition(time, from, to, reason):
            return [TimelineEvent(time: t(time), kind: .transition, text: "\(from.rawValue) → \(to.rawValue): \(reason)")]
        case let .observed(time, _, mean, quantile):
            guard let mean else { return [] }
            return [TimelineEvent(time: t(time), kind: .observation, text: "", values: [mean, quantile ?? mean])]
        case .decided(let d):
            var text = "\(d.action.rawValue): \(d.reason)"
            if let placement = d.placement {
                text += String(
                    format: " → edge {%@}, model delay %.1f ms, %.3f $/h (%@, %@)",
                    placement.edgeServices.joined(separator: ","), placement.evaluation.delaySeconds * 1000,
                    placement.evaluation.cost.total, placement.solver, placement.status.rawValue)
            }
            return [TimelineEvent(time: t(d.time), kind: .decision, text: text)]
        case let .operationFailed(time, operation, error):
            return [TimelineEvent(time: t(time), kind: .failure, text: "\(operation) failed: \(error)")]
        case let .skipped(time, _, reason):
            return [TimelineEvent(time: t(time), kind: .skipped, text: "skipped: \(reason)")]
        }
    }
}
