import Foundation
import GMAOptimizer

/// The control loop of docs/controller.md §2: it reads the world each cycle, asks the decider for the facts,
/// lets the state machine (`ControlStateMachine`, a pure function) choose, and carries out its command.
///
/// Every cycle re-reads the world (telemetry, HPAs, the edge set); the only memory is the state machine's
/// and the previous HPA counts, so a restart loses at most one alarm. Unknown data never triggers an action,
/// and the condition is checked again with fresh data at action time. An actor: `step` and `decideOnce` may
/// come from different tasks (the loop, `gma decide`, tests) without sharing mutable state unguarded.
public actor PlacementController {
    public nonisolated let settings: ControllerSettings
    private let telemetry: any TelemetrySource
    private let cluster: any ClusterAccess
    private let network: any NetworkConditionsSource
    public nonisolated let clock: any ControllerClock
    private let observer: @Sendable (ControllerEvent) -> Void
    private let decider: PlacementDecider
    private let machine: ControlStateMachine
    /// Query telemetry at the clock's time rather than "now": replays of a past window on a simulated clock.
    private let telemetryAtClockTime: Bool

    private(set) var memory = ControlMemory()
    private var hpaActivity = HPAActivity()
    /// The last snapshot in band since the last action: the app's profile for an offload planned ahead of a
    /// rise (docs/controller.md §8.1).
    private var profile = InBandProfile()

    public var state: ControllerState { memory.state }

    public init(
        settings: ControllerSettings, telemetry: any TelemetrySource, cluster: any ClusterAccess,
        network: any NetworkConditionsSource, clock: any ControllerClock, solver: any PlacementSolving,
        telemetryAtClockTime: Bool = false, observer: @escaping @Sendable (ControllerEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.telemetry = telemetry
        self.cluster = cluster
        self.network = network
        self.clock = clock
        self.observer = observer
        self.telemetryAtClockTime = telemetryAtClockTime
        decider = PlacementDecider(settings: settings, solver: solver)
        machine = ControlStateMachine(timing: settings.timing, policy: settings.policy, band: settings.band)
    }

    /// One cycle. Returns how long to wait before the next one.
    ///
    /// Moving autoscalers defer an action but do not stop detection: the alarm keeps counting while they
    /// move, and the action waits until they settle (docs/controller.md §2).
    public func step() async -> Double {
        guard let observation = await observe() else { return settings.timing.syncPeriodSeconds }
        let lead = machine.lead(memory, decider.trendSample(observation))
        let input = decider.controlInput(observation, state: memory.state, moving: hpaActivity.active(in: observation.hpa), lead: lead)
        observer(.observed(
            time: input.time, state: memory.state, meanDelaySeconds: input.meanDelaySeconds,
            quantileDelaySeconds: observation.snapshot.userDelayQuantileSeconds))
        profile.observe(input, observation.snapshot)
        var outcome = apply(machine.step(memory, input), at: input.time)
        switch outcome {
        case .wait(let seconds):
            return seconds
        case .act:
            // The decider re-reads the band on this observation, the one the machine just confirmed.
            let decision = await decider.decide(observation, plan: memory.plan, profile: profile.snapshot)
            profile.forget()
            await carryOut(decision, hpa: observation.hpa)
            outcome = apply(machine.acted(memory, at: clock.now(), changed: !decision.operations.isEmpty), at: clock.now())
        case .lookForConsolidation(let look):
            let decision = await decider.consolidation(observation, look: look)
            if decision.action == .consolidate {
                profile.forget()
                await carryOut(decision, hpa: observation.hpa)
                outcome = apply(machine.acted(memory, at: clock.now(), changed: true, consolidated: true), at: clock.now())
            } else {
                outcome = apply(machine.nothingToConsolidate(memory, at: input.time), at: input.time)
            }
        }
        if case .wait(let seconds) = outcome { return seconds }
        return settings.timing.syncPeriodSeconds
    }

    /// Keeps the step's memory, tells the observers its notes in order, and returns its command.
    private func apply(_ step: ControlStep, at time: Date) -> ControlCommand {
        var current = memory.state
        for note in step.notes {
            switch note {
            case .transition(let from, let to, let reason):
                observer(.transition(time: time, from: from, to: to, reason: reason))
                current = to
            case .skipped(let reason):
                observer(.skipped(time: time, state: current, reason: reason))
            }
        }
        memory = step.memory
        return step.command
    }

    /// Tells the observers, runs the operations, reports failures.
    private func carryOut(_ decision: ControllerDecision, hpa: [String: ServiceHPAStatus]) async {
        observer(.decided(decision))
        let failures = await actuate(decision.operations, hpa: hpa, calls: decision.problem?.calls ?? [])
        for (operation, error) in failures {
            observer(.operationFailed(time: clock.now(), operation: operation, error: error))
        }
    }

    private func actuate(_ operations: [ClusterOperation], hpa: [String: ServiceHPAStatus], calls: [Call]) async
        -> [(ClusterOperation, String)]
    {
        await OperationRunner(cluster: cluster, clock: clock, policy: settings.policy).run(operations, hpa: hpa, calls: calls)
    }

    /// One consistent look at the world for `gma decide`: what the loop would do now, without acting.
    public func decideOnce(at time: Date? = nil) async -> ControllerDecision {
        switch await read(at: time) {
        case .success(let observation):
            let decision = await decider.decide(observation)
            guard decision.action == .none, settings.policy.consolidation.enabled else { return decision }
            // In band: would a consolidation be due once the dwell has passed?
            var pending = await decider.consolidation(observation)
            guard pending.action == .consolidate else { return decision }
            pending.reason = "pending consolidation (after \(Int(settings.policy.consolidation.dwellSeconds)) s in band): " + pending.reason
            pending.readFailures = decision.readFailures
            return pending
        case .failure(let failure):
            var decision = ControllerDecision(time: time ?? clock.now(), action: .none, reason: failure.message)
            decision.readFailures = [failure.message]
            return decision
        }
    }

    private func observe(at time: Date? = nil) async -> PlacementDecider.Observation? {
        switch await read(at: time) {
        case .success(let observation):
            return observation
        case .failure(let failure):
            observer(.skipped(time: time ?? clock.now(), state: memory.state, reason: failure.message))
            return nil
        }
    }

    private func read(at time: Date? = nil) async -> Result<PlacementDecider.Observation, WorldReader.Failure> {
        await WorldReader(
            telemetry: telemetry, cluster: cluster, network: network, clock: clock, telemetryAtClockTime: telemetryAtClockTime
        ).read(at: time)
    }
}
