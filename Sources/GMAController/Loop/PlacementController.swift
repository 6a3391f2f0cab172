import Foundation
import GMAOptimizer

/// The control loop of controller.md §3: camping, HPA gating, offload/unoffload alarms that must persist
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
            return timing.syncPeriodSeconds
        }

        switch state {
        case .camping, .hpaRunning:
            switch wanted {
            case .offload:
                move(to: .offloadAlarm, at: now, why)
                alarmChecks = 0
                return 0
            case .unoffload:
                move(to: .unoffloadAlarm, at: now, why)
                alarmChecks = 0
                return 0
            case .none:
                if moving.isEmpty {
                    move(to: .camping, at: now, "autoscalers settled")
                } else {
                    move(to: .hpaRunning, at: now, "autoscalers moving: \(moving.prefix(3).joined(separator: ", "))")
                }
                return timing.syncPeriodSeconds
            }
        case .offloadAlarm, .unoffloadAlarm:
            let expected: PlacementActionKind = state == .offloadAlarm ? .offload : .unoffload
            guard wanted == expected else {
                move(to: .camping, at: now, "alarm cleared: \(why)")
                return 0
            }
            alarmChecks += 1
            if alarmChecks >= timing.alarmCycles {
                if !moving.isEmpty {
                    observer(.skipped(
                        time: now, state: state,
                        reason: "action deferred: autoscalers moving: \(moving.prefix(3).joined(separator: ", "))"))
                    return timing.syncPeriodSeconds
                }
                move(to: expected == .offload ? .offloading : .unoffloading, at: now, "condition held for \(alarmChecks) checks")
            }
            return timing.alarmCycleSeconds
        case .offloading, .unoffloading:
            let expected: PlacementActionKind = state == .offloading ? .offload : .unoffload
            // Checked again on fresh data: the world may have moved since the alarm (Q‑C9, Q‑C24).
            guard wanted == expected, moving.isEmpty else {
                let cause = wanted == expected ? "autoscalers started moving" : why
                move(to: .camping, at: now, "no \(expected.rawValue) at action time: \(cause)")
                return 0
            }
            let decision = await decider.decide(observation)
            observer(.decided(decision))
            let failures = await actuate(decision.operations, hpa: observation.hpa)
            for (operation, error) in failures {
                observer(.operationFailed(time: clock.now(), operation: operation, error: error))
            }
            move(to: .camping, at: clock.now(), decision.operations.isEmpty ? "nothing to change" : "placement applied")
            return timing.stabilizationWindowSeconds
        }
    }

    /// Runs the operations outside the loop's cancellation: a shutdown stops between two services' pairs,
    /// never inside one (cancelling the loop task would otherwise kill the kubectl call of a pair's second half).
    private func actuate(_ operations: [ClusterOperation], hpa: [String: ServiceHPAStatus]) async
        -> [(ClusterOperation, String)]
    {
        let stop = StopFlag()
        var before: [String: Int] = [:]
        for (service, status) in hpa {
            if let current = status.cloud?.currentReplicas { before[service] = current }
        }
        let actuator = PlacementActuator(cluster: cluster, cloudReplicasBefore: before, shouldStop: { stop.isSet })
        return await withTaskCancellationHandler {
            await Task { await actuator.run(operations) }.value
        } onCancel: {
            stop.set()
        }
    }

    /// One consistent look at the world for `gma decide`: what the loop would do now, without acting.
    public func decideOnce(at time: Date? = nil) async -> ControllerDecision {
        switch await read(at: time) {
        case .success(let observation):
            return await decider.decide(observation)
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
