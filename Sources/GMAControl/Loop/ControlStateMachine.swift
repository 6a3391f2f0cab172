import Foundation
import GMAConfig

/// The control loop's rules (docs/controller.md §2 and §8) as a pure function: the memory of the previous
/// cycles and one cycle's facts in, the next memory, one command and the notes for observers out. No clock,
/// no I/O, no solver: `PlacementController` reads the world, asks the decider for the facts, runs the command
/// and feeds the outcome back (`acted`, `nothingToConsolidate`).
public struct ControlStateMachine: Sendable {
    public let timing: LoopTiming
    public let policy: ControlPolicy
    public let band: DelayBand

    public init(timing: LoopTiming, policy: ControlPolicy, band: DelayBand) {
        self.timing = timing
        self.policy = policy
        self.band = band
    }

    /// One cycle.
    public func step(_ memory: ControlMemory, _ input: ControlInput) -> ControlStep {
        var next = ControlStep(memory: memory, command: .wait(seconds: timing.syncPeriodSeconds))
        guard input.meanDelaySeconds != nil else {
            // A failed delay query is a telemetry fault, not an absence of data: the note says which.
            next.notes.append(.skipped(reason: input.telemetryFailed ? "telemetry failed: \(input.why)" : input.why))
            if memory.state != .camping && memory.state != .hpaRunning {
                next.move(to: .camping, "alarm dropped: \(input.why)")
            }
            next.memory.alarmSince = nil
            next.memory.inBandSince = nil
            return next
        }
        switch memory.state {
        case .camping, .hpaRunning: camp(input, &next)
        case .offloadAlarm, .unoffloadAlarm: alarm(input, &next)
        case .offloading, .unoffloading: act(input, &next)
        }
        return next
    }

    /// After an action (or a consolidation, `consolidated`) was carried out at `time`: camp and pause for the
    /// window; the consolidation dwell starts again.
    public func acted(_ memory: ControlMemory, at time: Date, changed: Bool, consolidated: Bool = false) -> ControlStep {
        var next = ControlStep(memory: memory, command: .wait(seconds: timing.stabilizationWindowSeconds))
        next.move(to: .camping, changed ? "placement applied" : "nothing to change")
        next.memory.inBandSince = time
        if consolidated && changed { next.memory.lastConsolidation = time }
        next.memory.peakLoad = 0
        next.memory.ledOffload = changed && memory.state == .offloading && memory.ledAlarm
        next.memory.nextConsolidationLook = nil
        next.memory.modelGapSeconds = nil
        next.memory.plan = ActionPlan()
        next.memory.trendSamples = []
        next.memory.ledAlarm = false
        next.memory.alarmSince = nil
        // An offload that changed the placement was meant to bring the delay into the band; until a check sees it
        // there, an excess is that offload falling short, not noise (docs/controller.md §8.1).
        next.memory.shortOffload = changed && memory.state == .offloading
        return next
    }

    /// A consolidation look found nothing: look again after a tenth of the dwell (at least one sync period).
    public func nothingToConsolidate(_ memory: ControlMemory, at time: Date) -> ControlStep {
        var next = ControlStep(memory: memory, command: .wait(seconds: timing.syncPeriodSeconds))
        let again = max(timing.syncPeriodSeconds, policy.consolidation.dwellSeconds / 10)
        next.memory.nextConsolidationLook = time.addingTimeInterval(again)
        return next
    }

    private func camp(_ input: ControlInput, _ next: inout ControlStep) {
        switch input.wanted {
        case .offload, .unoffload:
            next.move(to: input.wanted == .offload ? .offloadAlarm : .unoffloadAlarm, input.why)
            next.memory.alarmChecks = 0
            // An alarm sent back by autoscalers that started moving at action time goes on from where it began.
            next.memory.alarmSince = next.memory.alarmSince ?? input.time
            next.memory.improvement = nil
            next.memory.farChecks = 0
            next.memory.alarmLoad = input.userRequestsPerSecond ?? 0
            next.memory.ledAlarm = false
            // Only a delay above the band restarts the consolidation dwell: one near the unoffload threshold dips
            // below it and back with the noise, and an unoffload alarm that never holds is no reason to wait
            // another dwell (docs/controller.md §8.3).
            if input.wanted == .offload { next.memory.inBandSince = nil }
            next.command = .wait(seconds: 0)
        case .none, .consolidate:
            next.memory.shortOffload = false
            next.memory.alarmSince = nil
            if let why = led(input) {
                startLedAlarm(input, why, &next)
                return
            }
            learnModelGap(input, &next.memory)
            rememberTrend(input, &next.memory)
            if input.moving.isEmpty {
                next.move(to: .camping, "autoscalers settled")
            } else {
                next.move(to: .hpaRunning, "autoscalers moving: \(Self.names(input.moving))")
            }
            if let look = consolidationDue(input, &next.memory) { next.command = .lookForConsolidation(look) }
        }
    }

    /// An offload alarm ahead of the window, its first check counted as the first far one: the next check
    /// (`fastConfirmSeconds` on) confirms it if the rise still leads above the band (docs/controller.md §8.1).
    private func startLedAlarm(_ input: ControlInput, _ why: String, _ next: inout ControlStep) {
        next.move(to: .offloadAlarm, "in band, but \(why)")
        next.memory.alarmChecks = 1
        next.memory.farChecks = 1
        next.memory.farLoad = input.userRequestsPerSecond ?? 0
        next.memory.farDelay = input.meanDelaySeconds ?? 0
        next.memory.farSince = input.time
        next.memory.plan = ActionPlan()
        next.memory.ledAlarm = true
        next.memory.alarmLead = input.lead
        next.memory.inBandSince = nil
        next.command = .wait(seconds: policy.fastConfirmSeconds)
    }

    /// Counts the dwell at or below the offload threshold; the look due now, if any (docs/controller.md §8.3).
    /// After the dwell, any cheaper placement in band. Before it, once the stabilisation window has passed, at most
    /// once per dwell and not while the load or the network is moving toward the band's limit: a placement that is
    /// no slower, or, when the load fell by `earlyLoadFall` or more below its peak since the last action, one in
    /// band. A placement sized for a peak that is over may buy little or no delay, and waiting out the dwell for it
    /// only costs (the HPA scales down after its stabilisation window, not longer).
    private func consolidationDue(_ input: ControlInput, _ memory: inout ControlMemory) -> ConsolidationLook? {
        guard let mean = input.meanDelaySeconds, mean <= band.offloadSeconds else {
            memory.inBandSince = nil
            return nil
        }
        let since = memory.inBandSince ?? input.time
        memory.inBandSince = since
        let load = input.userRequestsPerSecond ?? 0
        memory.peakLoad = max(memory.peakLoad, load)
        let policy = policy.consolidation
        guard policy.enabled, input.moving.isEmpty, input.time >= (memory.nextConsolidationLook ?? since) else { return nil }
        let camped = input.time.timeIntervalSince(since)
        if camped >= policy.dwellSeconds { return .dwelt }
        let lastOneLongAgo = memory.lastConsolidation.map { input.time.timeIntervalSince($0) >= policy.dwellSeconds } ?? true
        guard policy.early, camped >= timing.stabilizationWindowSeconds, lastOneLongAgo, !input.lead.leads else { return nil }
        if load > 0 && load <= (1 - policy.earlyLoadFall) * memory.peakLoad { return .loadFell }
        if memory.ledOffload { return .riseStopped }
        return .dominated
    }

    /// Smooths the gap between the measured delay and the model's over the checks in band (an exponential
    /// average: one noisy check moves it by a third).
    private func learnModelGap(_ input: ControlInput, _ memory: inout ControlMemory) {
        guard let mean = input.meanDelaySeconds, let model = input.modelDelaySeconds, mean.isFinite, model.isFinite else { return }
        let gap = mean - model
        memory.modelGapSeconds = memory.modelGapSeconds.map { $0 + (gap - $0) / 3 } ?? gap
    }

    /// Why the excess above the band is the world's and not noise, or nil: the model's delay for the current
    /// placement on the measured load and network, plus its usual gap to the measured delay, is above the
    /// offload threshold too (docs/controller.md §8.1).
    private func explained(_ input: ControlInput, _ memory: ControlMemory) -> String? {
        guard policy.fastWhenExplained, let model = input.modelDelaySeconds, model.isFinite,
            let gap = memory.modelGapSeconds
        else { return nil }
        let predicted = model + gap
        guard predicted > band.offloadSeconds else { return nil }
        return "the model explains it: \(ms(predicted)) on the measured load and network"
    }

    /// The mean fell by more than 10 % since the first far check: the window is still draining an excess that
    /// is over (a backlog after an offload), so this check cannot confirm it (docs/controller.md §8.1).
    private func draining(_ input: ControlInput, _ memory: ControlMemory) -> Bool {
        (input.meanDelaySeconds ?? 0) < 0.9 * memory.farDelay
    }

    /// Why the excess follows an offload that fell short (no check in band since it), or nil.
    private func short(_ memory: ControlMemory) -> String? {
        policy.fastWhenExplained && memory.shortOffload ? "still above the band since the last offload" : nil
    }

    private func alarm(_ input: ControlInput, _ next: inout ControlStep) {
        let expected: PlacementActionKind = next.memory.state == .offloadAlarm ? .offload : .unoffload
        let ledNow = expected == .offload ? led(input) : nil
        guard input.wanted == expected || ledNow != nil else {
            next.memory.ledAlarm = false
            next.memory.alarmSince = nil
            next.move(to: .camping, "alarm cleared: \(input.why)")
            next.command = .wait(seconds: 0)
            return
        }
        next.memory.alarmChecks += 1
        // Stabilised down, as the HPA's scale-down: a load that jumped more than 10 % since the last check (the
        // window still catching up with a drop) would plan the unoffload for a world that is gone, and only part
        // of it be given back; the count starts again (docs/controller.md §8.2).
        // Nor while the world is still getting better: the unoffload would plan on a world half-way through its
        // fall (docs/controller.md §8.2).
        if expected == .unoffload {
            if loadJumped(input, &next.memory) {
                next.memory.alarmChecks = 1
            } else if let better = improving(input, next.memory) {
                next.memory.alarmChecks = 1
                // Said when the wait starts or its reason changes, not at every check of it.
                if next.memory.improvement != better { next.notes.append(.skipped(reason: "unoffload waits: \(better)")) }
                next.memory.improvement = better
            } else {
                next.memory.improvement = nil
            }
            rememberTrend(input, &next.memory)
        }
        // Far above the band the window costs more than a superfluous action (docs/controller.md §8.1). The
        // confirmation must see the load the alarm saw, or a rise that the offload then plans ahead for: the
        // window lags a ramp, and a placement planned on it would be too small and a second action follow.
        let fastPath = expected == .offload && policy.fastReaction
        let farAbove = fastPath ? input.farAbove : nil
        let far = fastPath ? farAbove ?? explained(input, next.memory) ?? short(next.memory) ?? ledNow : nil
        let load = input.userRequestsPerSecond ?? 0
        if far == nil {
            next.memory.farChecks = 0
        } else if next.memory.farChecks >= 1, !draining(input, next.memory),
            let factor = confirmingLoadFactor(load, at: input.time, next.memory)
        {
            next.memory.farChecks += 1
            next.memory.plan = ActionPlan(lead: RiseLead(loadFactor: factor))
        } else {
            next.memory.farChecks = 1
            next.memory.farLoad = load
            next.memory.farDelay = input.meanDelaySeconds ?? 0
            next.memory.farSince = input.time
            next.memory.plan = ActionPlan()
        }
        if let far, next.memory.farChecks >= 2 {
            // Far above, moving autoscalers do not defer the action; a merely explained excess waits for them,
            // unless the load or the RTT is rising: a rise keeps them moving until it ends (docs/controller.md §8.1).
            let leading = far == ledNow && ledNow != nil
            next.memory.fastAction = farAbove != nil || leading || input.lead.leads
            let kind = farAbove != nil ? "far above the band" : leading ? "rising toward the band's limit" : "above the band"
            next.move(to: .offloading, "\(kind), confirmed: \(far)")
            next.command = .wait(seconds: 0)
            return
        }
        if next.memory.alarmChecks >= timing.alarmCycles {
            guard input.moving.isEmpty else {
                next.notes.append(.skipped(reason: "action deferred: autoscalers moving: \(Self.names(input.moving))"))
                return
            }
            // The action runs at the next check, one alarm cycle on, on fresh data (docs/controller.md §2).
            next.move(to: expected == .offload ? .offloading : .unoffloading, "condition held for \(next.memory.alarmChecks) checks")
            next.command = .wait(seconds: timing.alarmCycleSeconds)
            return
        }
        next.command = .wait(seconds: next.memory.farChecks == 1 ? policy.fastConfirmSeconds : timing.alarmCycleSeconds)
    }

    private func act(_ input: ControlInput, _ next: inout ControlStep) {
        let expected: PlacementActionKind = next.memory.state == .offloading ? .offload : .unoffload
        let fast = next.memory.fastAction
        next.memory.fastAction = false
        let ledNow = expected == .offload ? led(input) : nil
        let stillWanted = input.wanted == expected || ledNow != nil
        // Checked again on fresh data: the world may have moved since the alarm (docs/differences.md D23).
        guard stillWanted, input.moving.isEmpty || fast else {
            let cause = stillWanted ? "autoscalers started moving" : input.why
            if !stillWanted { next.memory.alarmSince = nil }
            next.move(to: .camping, "no \(expected.rawValue) at action time: \(cause)")
            next.command = .wait(seconds: 0)
            return
        }
        // The unoffload's load must still be the one its count saw: a jump in the last alarm cycle sends it back
        // to count again (docs/controller.md §8.2).
        if expected == .unoffload, loadJumped(input, &next.memory) {
            next.move(to: .unoffloadAlarm, "no unoffload at action time: the load moved more than 10 % since the last check")
            next.memory.alarmChecks = 1
            next.command = .wait(seconds: timing.alarmCycleSeconds)
            return
        }
        // Still in band and led above it: the offload plans for the led world and delay.
        if input.wanted != expected, ledNow != nil {
            next.memory.plan = ActionPlan(lead: plannedLead(input.lead), ledDelaySeconds: input.ledDelaySeconds)
        }
        next.command = .act(expected)
    }

    /// Whether the steady-unoffload rule sees a jump of more than 10 % in the load since the alarm's last check;
    /// the check's load becomes the one the next compares with.
    private func loadJumped(_ input: ControlInput, _ memory: inout ControlMemory) -> Bool {
        guard policy.steadyUnoffload, let load = input.userRequestsPerSecond else { return false }
        defer { memory.alarmLoad = load }
        return abs(load - memory.alarmLoad) > 0.1 * memory.alarmLoad
    }

    private static func names(_ moving: [String]) -> String { moving.prefix(3).joined(separator: ", ") }
}
