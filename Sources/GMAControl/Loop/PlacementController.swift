import Foundation
import GMAOptimizer

/// The control loop of docs/controller.md §2: camping, HPA gating, offload/unoffload alarms that must persist
/// for the stabilisation window, then a placement action and a pause of W.
///
/// Every cycle re-reads the world (telemetry, HPAs, the edge set); the only memory is the state, the alarm
/// count and the previous HPA counts, so a restart loses at most one alarm. Unknown data never triggers an
/// action, and the condition is checked again with fresh data at action time.
public final class PlacementController: @unchecked Sendable {
    public let settings: ControllerSettings
    private let telemetry: any TelemetrySource
    private let cluster: any ClusterAccess
    private let network: any NetworkConditionsSource
    private let clock: any ControllerClock
    private let observer: @Sendable (ControllerEvent) -> Void
    private let decider: PlacementDecider

    /// Query telemetry at the clock's time rather than "now": replays of a past window on a simulated clock.
    public var telemetryAtClockTime = false

    public private(set) var state: ControllerState = .camping
    private var alarmChecks = 0
    private var hpaActivity = HPAActivity()
    /// Consecutive alarm checks far above the band; two (the alarm and one confirmation) act at once.
    private var farChecks = 0
    /// The user request rate the first far check saw.
    private var farLoad = 0.0
    /// The action under way was confirmed by the fast path: moving autoscalers do not defer it.
    private var fastAction = false
    /// Since when the delay has been in band with no action (consolidation's dwell), and when to look again
    /// after a look found nothing.
    private var inBandSince: Date?
    private var nextConsolidationLook: Date?

    public init(
        settings: ControllerSettings, telemetry: any TelemetrySource, cluster: any ClusterAccess,
        network: any NetworkConditionsSource, clock: any ControllerClock,
        observer: @escaping @Sendable (ControllerEvent) -> Void = { _ in }
    ) {
        self.settings = settings
        self.telemetry = telemetry
        self.cluster = cluster
        self.network = network
        self.clock = clock
        self.observer = observer
        decider = PlacementDecider(settings: settings)
    }

    /// Runs cycles until `end` (simulated or real) or cancellation.
    public func run(until end: Date? = nil) async throws {
        while end.map({ clock.now() < $0 }) ?? true {
            try Task.checkCancellation()
            let pause = await step()
            try await clock.sleep(seconds: pause)
        }
    }

    /// One cycle. Returns how long to wait before the next one.
    ///
    /// Moving autoscalers defer an action but do not stop detection: the alarm keeps counting while they
    /// move, and the action waits until they settle. If the autoscalers fix the delay themselves, the alarm
    /// clears on its own. (The reference slept a whole window whenever an HPA moved, before it would even
    /// start an alarm, which after a load step delays the reaction by one extra window.)
    public func step() async -> Double {
        let timing = settings.timing
        guard let observation = await observe() else { return timing.syncPeriodSeconds }
        let now = observation.time
        let moving = hpaActivity.active(in: observation.hpa)

        let mean = observation.snapshot.userDelaySeconds
        let quantile = observation.snapshot.userDelayQuantileSeconds
        observer(.observed(time: now, state: state, meanDelaySeconds: mean, quantileDelaySeconds: quantile))
        let (wanted, why) = decider.wantedAction(observation)
        if mean == nil {
            // A failed delay query is a telemetry fault, not an absence of data: say so (metrics tell them apart).
            let failed = observation.snapshot.reasons.contains {
                if case .queryFailed = $0.problem, $0.signal == .meanDelay { return true } else { return false }
            }
            observer(.skipped(time: now, state: state, reason: failed ? "telemetry failed: \(why)" : why))
            if state != .camping && state != .hpaRunning { move(to: .camping, at: now, "alarm dropped: \(why)") }
            inBandSince = nil
            return timing.syncPeriodSeconds
        }

        switch state {
        case .camping, .hpaRunning:
            return await camp(observation, wanted: wanted, why: why, moving: moving)
        case .offloadAlarm, .unoffloadAlarm:
            return alarm(observation, wanted: wanted, why: why, moving: moving)
        case .offloading, .unoffloading:
            return await act(observation, wanted: wanted, why: why, moving: moving)
        }
    }

    private func camp(_ observation: PlacementDecider.Observation, wanted: PlacementActionKind, why: String, moving: [String])
        async -> Double
    {
        let now = observation.time
        switch wanted {
        case .offload, .unoffload:
            move(to: wanted == .offload ? .offloadAlarm : .unoffloadAlarm, at: now, why)
            alarmChecks = 0
            farChecks = 0
            inBandSince = nil
            return 0
        case .none, .consolidate:
            if moving.isEmpty {
                move(to: .camping, at: now, "autoscalers settled")
            } else {
                move(to: .hpaRunning, at: now, "autoscalers moving: \(moving.prefix(3).joined(separator: ", "))")
            }
            if let pause = await consolidateIfDue(observation, moving: moving) { return pause }
            return settings.timing.syncPeriodSeconds
        }
    }

    private func alarm(_ observation: PlacementDecider.Observation, wanted: PlacementActionKind, why: String, moving: [String])
        -> Double
    {
        let now = observation.time
        let timing = settings.timing
        let expected: PlacementActionKind = state == .offloadAlarm ? .offload : .unoffload
        guard wanted == expected else {
            move(to: .camping, at: now, "alarm cleared: \(why)")
            return 0
        }
        alarmChecks += 1
        // Far above the band the window costs more than a superfluous action (docs/controller.md §8.1).
        let far = expected == .offload && settings.policy.fastReaction ? decider.farAboveBand(observation) : nil
        // The confirmation must see the load the alarm saw: a load still rising (the window lags a ramp) would
        // make the placement too small, and a second action follow.
        let load = observation.snapshot.userRequestsPerSecond ?? 0
        if far == nil {
            farChecks = 0
        } else if farChecks >= 1, abs(load - farLoad) <= 0.1 * max(farLoad, 1e-9) {
            farChecks += 1
        } else {
            farChecks = 1
            farLoad = load
        }
        if let far, farChecks >= 2 {
            fastAction = true
            move(to: .offloading, at: now, "far above the band, confirmed: \(far)")
            return 0
        }
        if alarmChecks >= timing.alarmCycles {
            if !moving.isEmpty {
                observer(.skipped(
                    time: now, state: state,
                    reason: "action deferred: autoscalers moving: \(moving.prefix(3).joined(separator: ", "))"))
                return timing.syncPeriodSeconds
            }
            move(to: expected == .offload ? .offloading : .unoffloading, at: now, "condition held for \(alarmChecks) checks")
        }
        return farChecks == 1 ? settings.policy.fastConfirmSeconds : timing.alarmCycleSeconds
    }

    private func act(_ observation: PlacementDecider.Observation, wanted: PlacementActionKind, why: String, moving: [String])
        async -> Double
    {
        let now = observation.time
        let expected: PlacementActionKind = state == .offloading ? .offload : .unoffload
        let fast = fastAction
        fastAction = false
        // Checked again on fresh data: the world may have moved since the alarm (docs/differences.md D23).
        guard wanted == expected, moving.isEmpty || fast else {
            let cause = wanted == expected ? "autoscalers started moving" : why
            move(to: .camping, at: now, "no \(expected.rawValue) at action time: \(cause)")
            return 0
        }
        let decision = await decider.decide(observation)
        await carryOut(decision, hpa: observation.hpa)
        move(to: .camping, at: clock.now(), decision.operations.isEmpty ? "nothing to change" : "placement applied")
        return settings.timing.stabilizationWindowSeconds
    }

    /// Tells the observers, runs the operations, reports failures; the dwell starts again.
    private func carryOut(_ decision: ControllerDecision, hpa: [String: ServiceHPAStatus]) async {
        observer(.decided(decision))
        let failures = await actuate(decision.operations, hpa: hpa, calls: decision.problem?.calls ?? [])
        for (operation, error) in failures {
            observer(.operationFailed(time: clock.now(), operation: operation, error: error))
        }
        inBandSince = clock.now()
        nextConsolidationLook = nil
    }

    /// Consolidation (docs/controller.md §8.3): in band for the dwell, autoscalers still, a cheaper placement
    /// in band by the model. Returns the pause after acting, or nil when it did not act.
    private func consolidateIfDue(_ observation: PlacementDecider.Observation, moving: [String]) async -> Double? {
        let policy = settings.policy.consolidation
        let now = observation.time
        guard let mean = observation.snapshot.userDelaySeconds,
            mean >= settings.band.unoffloadSeconds, mean <= settings.band.offloadSeconds
        else {
            inBandSince = nil
            return nil
        }
        let since = inBandSince ?? now
        inBandSince = since
        guard policy.enabled, moving.isEmpty, now.timeIntervalSince(since) >= policy.dwellSeconds,
            now >= (nextConsolidationLook ?? since)
        else { return nil }
        let decision = await decider.consolidation(observation)
        guard decision.action == .consolidate else {
            nextConsolidationLook = now.addingTimeInterval(max(settings.timing.syncPeriodSeconds, policy.dwellSeconds / 10))
            return nil
        }
        await carryOut(decision, hpa: observation.hpa)
        return settings.timing.stabilizationWindowSeconds
    }

    /// Runs the operations outside the loop's cancellation: a shutdown stops between two services' pairs,
    /// never inside one (cancelling the loop task would otherwise kill the kubectl call of a pair's second half).
    private func actuate(_ operations: [ClusterOperation], hpa: [String: ServiceHPAStatus], calls: [Call]) async
        -> [(ClusterOperation, String)]
    {
        let stop = StopFlag()
        var before: [String: Int] = [:]
        for (service, status) in hpa {
            if let current = status.cloud?.currentReplicas { before[service] = current }
        }
        var actuator = PlacementActuator(cluster: cluster, cloudReplicasBefore: before, shouldStop: { stop.isSet })
        if settings.policy.stagedUnoffload {
            actuator.staging = UnoffloadStaging(clock: clock, readyWaitSeconds: settings.policy.readyWaitSeconds, calls: calls)
        }
        let prepared = actuator
        return await withTaskCancellationHandler {
            await Task { await prepared.run(operations) }.value
        } onCancel: {
            stop.set()
        }
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
            observer(.skipped(time: time ?? clock.now(), state: state, reason: failure.message))
            return nil
        }
    }

    /// Why a look at the world failed, as one line naming the source.
    struct ReadFailure: Error {
        let message: String
    }

    private func read(at time: Date? = nil) async -> Result<PlacementDecider.Observation, ReadFailure> {
        let now = time ?? clock.now()
        let evaluationTime = time ?? (telemetryAtClockTime ? now : nil)
        let hpa: [String: ServiceHPAStatus]
        let edge: Set<String>
        do {
            hpa = try await cluster.hpaStatus()
            edge = try await cluster.edgeServices()
        } catch {
            return .failure(ReadFailure(message: "cluster unreadable: \(error)"))
        }
        let snapshot: TelemetrySnapshot
        do {
            snapshot = try await telemetry.snapshot(at: evaluationTime)
        } catch {
            return .failure(ReadFailure(message: "telemetry failed: \(error)"))
        }
        return .success(PlacementDecider.Observation(
            time: now, snapshot: snapshot, edgeServices: edge, hpa: hpa, network: await network.current()))
    }

    private func move(to next: ControllerState, at time: Date, _ reason: String) {
        guard next != state else { return }
        observer(.transition(time: time, from: state, to: next, reason: reason))
        state = next
    }
}

/// Set once, read from any thread.
private final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
