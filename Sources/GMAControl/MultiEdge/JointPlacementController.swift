import Foundation
import GMAOptimizer

/// The control loop over K edges (docs/multi-edge.md §9): one state machine per edge, judging that edge's
/// users against the band, and one joint decision whenever any of them acts, in which the other edges may
/// change only while their delay stays in band. Like `PlacementController` it re-reads the world every cycle
/// and keeps nothing but the machines' memories and the HPA counts, so a restart loses at most one alarm.
public actor JointPlacementController {
    public nonisolated let edgeNames: [String]
    let lanes: [EdgeLane]
    let joint: JointDecider
    private let machine: ControlStateMachine
    public nonisolated let clock: any ControllerClock
    private let observer: @Sendable (String, ControllerEvent) -> Void
    private let telemetryAtClockTime: Bool
    private let syncPeriod: Double

    private var memories: [ControlMemory]
    private var hpaActivity: [HPAActivity]
    /// Each edge's last snapshot in band since its last action (see `PlacementController.profile`).
    private var profiles: [InBandProfile]
    /// When each edge's machine wants its next look.
    private var due: [Date]

    public init(
        lanes: [EdgeLane], clock: any ControllerClock, solver: any JointPlacementSolving, telemetryAtClockTime: Bool = false,
        observer: @escaping @Sendable (_ edge: String, ControllerEvent) -> Void = { _, _ in }
    ) {
        precondition(!lanes.isEmpty, "a joint controller needs at least one edge")
        edgeNames = lanes.map(\.name)
        self.lanes = lanes
        joint = JointDecider(lanes: lanes, solver: solver)
        let settings = lanes[0].settings
        machine = ControlStateMachine(timing: settings.timing, policy: settings.policy, band: settings.band)
        syncPeriod = settings.timing.syncPeriodSeconds
        self.clock = clock
        self.observer = observer
        self.telemetryAtClockTime = telemetryAtClockTime
        memories = Array(repeating: ControlMemory(), count: lanes.count)
        hpaActivity = Array(repeating: HPAActivity(), count: lanes.count)
        profiles = Array(repeating: InBandProfile(), count: lanes.count)
        due = Array(repeating: .distantPast, count: lanes.count)
    }

    /// Each edge's state.
    public var states: [ControllerState] { memories.map(\.state) }

    /// One cycle: every edge whose machine is due is looked at; an edge that acts starts a joint decision.
    /// Returns how long to wait before the next cycle (until the earliest edge is due again).
    public func step() async -> Double {
        let now = clock.now()
        var observations: [PlacementDecider.Observation?] = Array(repeating: nil, count: lanes.count)
        var commands: [ControlCommand?] = Array(repeating: nil, count: lanes.count)
        for e in lanes.indices where due[e] <= now {
            guard let observation = await observe(e) else {
                due[e] = now.addingTimeInterval(syncPeriod)
                continue
            }
            observations[e] = observation
            commands[e] = look(e, observation)
        }
        let acting = lanes.indices.compactMap { e -> (Int, PlacementActionKind)? in
            if case .act(let kind) = commands[e] { (e, kind) } else { nil }
        }
        let looks = commands.map { command -> ConsolidationLook? in
            if case .lookForConsolidation(let look) = command { look } else { nil }
        }
        let consolidating = lanes.indices.filter { looks[$0] != nil }
        if !acting.isEmpty {
            await readTheRest(&observations)
            var roles: [EdgeRole?] = observations.map { $0.map { .hold(headroomSeconds: headroom(of: $0, below: band.midpoint)) } }
            var planned = observations
            for (e, kind) in acting {
                roles[e] = .act(kind)
                // A rise the telemetry lags is planned ahead, as on a single edge (docs/controller.md §8.1).
                planned[e] = planned[e].map { o in
                    o.planned(joint.deciders[e].modelled(memories[e].plan, o, profile: profiles[e].snapshot), profile: profiles[e].snapshot)
                }
            }
            let decision = await joint.decide(planned, roles: roles, at: now)
            await carryOut(decision, observations: observations, concerning: Set(acting.map(\.0)), commands: &commands)
        } else if !consolidating.isEmpty {
            await readTheRest(&observations)
            let roles: [EdgeRole?] = lanes.indices.map { e in
                guard let o = observations[e] else { return nil }
                guard let look = looks[e], let mean = o.snapshot.userDelaySeconds else { return .frozen }
                let ceiling = joint.deciders[e].consolidationCeiling(look, meanSeconds: mean)
                return .hold(headroomSeconds: headroom(of: o, below: ceiling))
            }
            let decision = await joint.decide(observations, roles: roles, consolidating: true, at: now)
            if decision.changesAnything {
                await carryOut(
                    decision, observations: observations, concerning: Set(consolidating), consolidated: true, commands: &commands)
            } else {
                for e in consolidating { commands[e] = apply(e, machine.nothingToConsolidate(memories[e], at: now), at: now) }
            }
        }
        for e in lanes.indices {
            if case .wait(let seconds) = commands[e] { due[e] = now.addingTimeInterval(seconds) }
        }
        let next = due.min() ?? now
        return max(next.timeIntervalSince(clock.now()), 0)
    }

    var band: DelayBand { lanes[0].settings.band }

    func headroom(of o: PlacementDecider.Observation, below limit: Double) -> Double {
        max(limit - (o.snapshot.userDelaySeconds ?? limit), 0)
    }

    /// Edge `e`'s machine on this observation.
    private func look(_ e: Int, _ observation: PlacementDecider.Observation) -> ControlCommand {
        let decider = joint.deciders[e]
        let input = decider.controlInput(
            observation, state: memories[e].state, moving: hpaActivity[e].active(in: observation.hpa),
            lead: machine.lead(memories[e], decider.trendSample(observation)))
        let snapshot = observation.snapshot
        observer(edgeNames[e], .observed(
            time: input.time, state: memories[e].state, meanDelaySeconds: input.meanDelaySeconds,
            quantileDelaySeconds: snapshot.userDelayQuantileSeconds))
        profiles[e].observe(input, snapshot)
        return apply(e, machine.step(memories[e], input), at: input.time)
    }

    /// Keeps edge `e`'s step memory, tells its notes, returns its command.
    private func apply(_ e: Int, _ step: ControlStep, at time: Date) -> ControlCommand {
        var current = memories[e].state
        for note in step.notes {
            switch note {
            case .transition(let from, let to, let reason):
                observer(edgeNames[e], .transition(time: time, from: from, to: to, reason: reason))
                current = to
            case .skipped(let reason):
                observer(edgeNames[e], .skipped(time: time, state: current, reason: reason))
            }
        }
        memories[e] = step.memory
        return step.command
    }

    /// Reads the edges not looked at this cycle: the joint problem needs every edge's users as they are now.
    private func readTheRest(_ observations: inout [PlacementDecider.Observation?]) async {
        for e in lanes.indices where observations[e] == nil {
            if case .success(let observation) = await read(e) { observations[e] = observation }
        }
    }

    /// Tells the observers each edge's part, runs each edge's operations, and reports to the machines of the
    /// edges `concerning` (the ones that asked) and of every edge whose placement changed.
    private func carryOut(
        _ decision: JointDecision, observations: [PlacementDecider.Observation?], concerning: Set<Int>,
        consolidated: Bool = false, commands: inout [ControlCommand?]
    ) async {
        for e in lanes.indices where concerning.contains(e) || !decision.decisions[e].operations.isEmpty {
            var mine = decision.decisions[e]
            mine.reason = "\(decision.reason) — \(edgeNames[e]): \(mine.reason)"
            observer(edgeNames[e], .decided(mine))
            let runner = OperationRunner(cluster: lanes[e].cluster, clock: clock, policy: lanes[e].settings.policy)
            let failures = await runner.run(mine.operations, hpa: observations[e]?.hpa ?? [:], calls: mine.problem?.calls ?? [])
            for (operation, error) in failures {
                observer(edgeNames[e], .operationFailed(time: clock.now(), operation: operation, error: error))
            }
            let at = clock.now()
            if !mine.operations.isEmpty { profiles[e].forget() }
            let changed = !mine.operations.isEmpty
            commands[e] = apply(e, machine.acted(memories[e], at: at, changed: changed, consolidated: consolidated), at: at)
        }
    }

    private func observe(_ e: Int) async -> PlacementDecider.Observation? {
        switch await read(e) {
        case .success(let observation): return observation
        case .failure(let failure):
            observer(edgeNames[e], .skipped(time: clock.now(), state: memories[e].state, reason: failure.message))
            return nil
        }
    }

    func read(_ e: Int, at time: Date? = nil) async -> Result<PlacementDecider.Observation, WorldReader.Failure> {
        let lane = lanes[e]
        return await WorldReader(
            telemetry: lane.telemetry, cluster: lane.cluster, network: lane.network, clock: clock,
            telemetryAtClockTime: telemetryAtClockTime
        ).read(at: time)
    }
}

extension JointPlacementController {
    /// One consistent look at every edge for `gma decide`: the joint decision the loop would take now if every
    /// edge's condition were confirmed, or, with every edge in band, the consolidation that would be due after
    /// the dwell. Nothing is applied.
    public func decideOnce(at time: Date? = nil) async -> JointDecision {
        var observations: [PlacementDecider.Observation?] = []
        var failures: [String?] = []
        for e in edgeNames.indices {
            switch await read(e, at: time) {
            case .success(let observation):
                observations.append(observation)
                failures.append(nil)
            case .failure(let failure):
                observations.append(nil)
                failures.append(failure.message)
            }
        }
        let now = time ?? clock.now()
        var roles: [EdgeRole?] = observations.map { $0.map { .hold(headroomSeconds: headroom(of: $0, below: band.midpoint)) } }
        for e in edgeNames.indices {
            guard let o = observations[e] else { continue }
            let (wanted, _) = joint.deciders[e].wantedAction(o)
            if wanted == .offload || wanted == .unoffload { roles[e] = .act(wanted) }
        }
        var decision: JointDecision
        if roles.contains(where: { if case .act = $0 { true } else { false } }) {
            decision = await joint.decide(observations, roles: roles, at: now)
        } else if lanes[0].settings.policy.consolidation.enabled, observations.contains(where: { $0 != nil }) {
            let ceiling = band.midpoint - lanes[0].settings.policy.consolidation.marginSeconds
            let held: [EdgeRole?] = observations.map { $0.map { .hold(headroomSeconds: headroom(of: $0, below: ceiling)) } }
            decision = await joint.decide(observations, roles: held, consolidating: true, at: now)
            if decision.changesAnything {
                decision.reason = "pending consolidation (after \(Int(lanes[0].settings.policy.consolidation.dwellSeconds)) s in band): " + decision.reason
            }
        } else {
            decision = await joint.decide(observations, roles: roles, at: now)
        }
        for e in edgeNames.indices {
            if let failure = failures[e] {
                decision.decisions[e].reason = failure
                decision.decisions[e].readFailures = [failure]
                continue
            }
            // An edge left as it is: what its band says, then what the joint decision said of it, if anything.
            guard let o = observations[e], decision.decisions[e].operations.isEmpty else { continue }
            let why = joint.deciders[e].wantedAction(o).1
            let said = decision.decisions[e].reason
            decision.decisions[e].reason = said.isEmpty ? why : "\(why); \(said)"
        }
        return decision
    }
}
