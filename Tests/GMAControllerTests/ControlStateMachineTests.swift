import Foundation
import Testing

import GMAConfig
@testable import GMAControl

/// The state machine as the pure function it is: hand-worked sequences of facts in, states and commands out
/// (docs/controller.md §2 and §8). W = 120 s, alarm checks every 30 s → 4 checks; sync 30 s.
@Suite struct ControlStateMachineTests {
    let band = DelayBand(offloadSeconds: 0.120, unoffloadSeconds: 0.080)
    let t0 = Date(timeIntervalSince1970: 1_000_000)

    func machine(_ policy: ControlPolicy = ControlPolicy()) -> ControlStateMachine {
        ControlStateMachine(
            timing: LoopTiming(syncPeriodSeconds: 30, stabilizationWindowSeconds: 120, alarmCycleSeconds: 30),
            policy: policy, band: band)
    }

    func input(
        _ seconds: Double, mean: Double?, _ wanted: PlacementActionKind, moving: [String] = [], far: String? = nil,
        load: Double = 100, failed: Bool = false, model: Double? = nil
    ) -> ControlInput {
        ControlInput(
            time: t0.addingTimeInterval(seconds), meanDelaySeconds: mean, wanted: wanted, why: "test",
            moving: moving, farAbove: far, userRequestsPerSecond: load, telemetryFailed: failed, modelDelaySeconds: model)
    }

    @Test func anOffloadWaitsTheWholeWindowThenActsAndPauses() {
        let m = machine()
        var step = m.step(ControlMemory(), input(0, mean: 0.150, .offload))
        #expect(step.memory.state == .offloadAlarm && step.command == .wait(seconds: 0))
        for check in 1...3 {
            step = m.step(step.memory, input(Double(check) * 30, mean: 0.150, .offload))
            #expect(step.memory.state == .offloadAlarm, "check \(check) of 4")
            #expect(step.command == .wait(seconds: 30))
        }
        step = m.step(step.memory, input(120, mean: 0.150, .offload))
        #expect(step.memory.state == .offloading && step.command == .wait(seconds: 30), "acts one cycle on")
        step = m.step(step.memory, input(150, mean: 0.150, .offload))
        #expect(step.command == .act(.offload))
        step = m.acted(step.memory, at: t0.addingTimeInterval(125), changed: true)
        #expect(step.memory.state == .camping && step.command == .wait(seconds: 120))
        #expect(step.notes == [.transition(from: .offloading, to: .camping, reason: "placement applied")])
    }

    @Test func farAboveTheBandActsAfterOneConfirmationAtASteadyLoad() {
        let m = machine()
        var step = m.step(ControlMemory(), input(0, mean: 0.300, .offload))
        step = m.step(step.memory, input(0, mean: 0.300, .offload, far: "mean", load: 500))
        #expect(step.command == .wait(seconds: 15), "the confirming check comes fastConfirmSeconds later")
        // The load fell 20 % since: this is a new first far check, not a confirmation.
        step = m.step(step.memory, input(15, mean: 0.300, .offload, far: "mean", load: 400))
        #expect(step.memory.state == .offloadAlarm && step.memory.farChecks == 1)
        step = m.step(step.memory, input(30, mean: 0.300, .offload, far: "mean", load: 420))
        #expect(step.memory.state == .offloading && step.memory.fastAction && step.memory.plan.lead.loadFactor == 1)
        // Autoscalers moving do not defer a fast action.
        step = m.step(step.memory, input(30, mean: 0.300, .offload, moving: ["a/cloud"]))
        #expect(step.command == .act(.offload))
    }

    /// Two checks in band teach the model's gap: 100 − 90 = 10 ms, then 10 + (16 − 10)/3 = 12 ms.
    func learnedGap(_ m: ControlStateMachine) -> ControlMemory {
        var step = m.step(ControlMemory(), input(0, mean: 0.100, .none, model: 0.090))
        #expect(abs((step.memory.modelGapSeconds ?? 0) - 0.010) < 1e-12)
        step = m.step(step.memory, input(30, mean: 0.106, .none, model: 0.090))
        #expect(abs((step.memory.modelGapSeconds ?? 0) - 0.012) < 1e-12)
        return step.memory
    }

    @Test func anExcessTheModelExplainsActsAfterOneConfirmation() {
        let m = machine()
        // 123 ms, just within the 10 % of the threshold; the model on the measured load and network says 112 ms:
        // 112 + 12 = 124 > 120, the world changed.
        var step = m.step(learnedGap(m), input(60, mean: 0.123, .offload, model: 0.112))
        step = m.step(step.memory, input(60, mean: 0.123, .offload, model: 0.112))
        #expect(step.command == .wait(seconds: 15) && step.memory.farChecks == 1)
        step = m.step(step.memory, input(75, mean: 0.124, .offload, model: 0.113))
        #expect(step.memory.state == .offloading && !step.memory.fastAction, "explained, not far: autoscalers still defer")
        #expect(step.notes.last == .transition(
            from: .offloadAlarm, to: .offloading, reason: "above the band, confirmed: the model explains it: 125.0 ms on the measured load and network"))
        step = m.step(step.memory, input(75, mean: 0.124, .offload, moving: ["a/cloud"], model: 0.113))
        #expect(step.memory.state == .camping, "a merely explained excess waits for moving autoscalers")
        // After an action the gap is learnt again: the placement changed what the model misses.
        #expect(m.acted(learnedGap(m), at: t0, changed: true).memory.modelGapSeconds == nil)
    }

    @Test func anExcessTheModelDoesNotExplainWaitsTheWindow() {
        let m = machine()
        // Same 123 ms, but the model still says 100 ms: 100 + 12 = 112 ≤ 120, noise until the window says otherwise.
        var step = m.step(learnedGap(m), input(60, mean: 0.123, .offload, model: 0.100))
        for check in 0...2 {
            step = m.step(step.memory, input(60 + Double(check) * 30, mean: 0.123, .offload, model: 0.100))
            #expect(step.memory.state == .offloadAlarm && step.command == .wait(seconds: 30))
        }
        // Without a gap learnt in band, nothing is explained either; nor with the option off.
        step = m.step(ControlMemory(state: .offloadAlarm), input(0, mean: 0.123, .offload, model: 0.119))
        #expect(step.memory.farChecks == 0)
        var off = ControlPolicy()
        off.fastWhenExplained = false
        step = machine(off).step(learnedGap(machine(off)), input(60, mean: 0.123, .offload, model: 0.112))
        step = machine(off).step(step.memory, input(60, mean: 0.123, .offload, model: 0.112))
        #expect(step.memory.farChecks == 0 && step.command == .wait(seconds: 30))
    }

    @Test func aRiseConfirmedFarAbovePlansAheadOfTheWindow() {
        // Window 60 s, alarm cycle 30 s. 400 → 500 req/s in 15 s: 6.67 req/s per second, carried on over
        // 60/2 + 30 = 60 s → 500 + 400 = 900 req/s, a factor of 1.8.
        let m = machine()
        var step = m.step(ControlMemory(), input(0, mean: 0.300, .offload))
        step = m.step(step.memory, input(0, mean: 0.300, .offload, far: "link", load: 400))
        step = m.step(step.memory, input(15, mean: 0.300, .offload, far: "link", load: 500))
        #expect(step.memory.state == .offloading)
        #expect(abs(step.memory.plan.lead.loadFactor - 1.8) < 1e-12)
        #expect(m.acted(step.memory, at: t0, changed: true).memory.plan.lead.loadFactor == 1, "the next action plans as measured")
        // 400 → 1000 in 15 s projects 3 400 req/s, 3.4×: capped at 3.
        step = m.step(ControlMemory(state: .offloadAlarm), input(0, mean: 0.300, .offload, far: "link", load: 400))
        step = m.step(step.memory, input(15, mean: 0.300, .offload, far: "link", load: 1000))
        #expect(step.memory.plan.lead.loadFactor == 3)
        // With the projection off a rise is a new first check, as the reference's steady-load rule.
        var off = ControlPolicy()
        off.projectRamps = false
        step = machine(off).step(ControlMemory(state: .offloadAlarm), input(0, mean: 0.300, .offload, far: "link", load: 400))
        step = machine(off).step(step.memory, input(15, mean: 0.300, .offload, far: "link", load: 500))
        #expect(step.memory.state == .offloadAlarm && step.memory.farChecks == 1 && step.memory.farLoad == 500)
    }

    @Test func anOffloadThatFellShortIsFollowedAfterOneConfirmation() {
        let m = machine()
        // An offload applied; after its pause the delay is still 125 ms (within 10 % of 120 ms, nothing explained):
        // the offload fell short, not noise — one confirming check.
        var after = m.acted(ControlMemory(state: .offloading), at: t0, changed: true)
        #expect(after.memory.shortOffload)
        var step = m.step(after.memory, input(120, mean: 0.125, .offload))
        step = m.step(step.memory, input(120, mean: 0.125, .offload))
        #expect(step.command == .wait(seconds: 15))
        step = m.step(step.memory, input(135, mean: 0.125, .offload))
        #expect(step.memory.state == .offloading)
        #expect(step.notes.last == .transition(
            from: .offloadAlarm, to: .offloading, reason: "above the band, confirmed: still above the band since the last offload"))
        // One check in band since the offload: a later excess waits the window again.
        after = m.acted(ControlMemory(state: .offloading), at: t0, changed: true)
        step = m.step(after.memory, input(120, mean: 0.100, .none))
        #expect(!step.memory.shortOffload)
        step = m.step(step.memory, input(150, mean: 0.125, .offload))
        step = m.step(step.memory, input(150, mean: 0.125, .offload))
        #expect(step.command == .wait(seconds: 30) && step.memory.farChecks == 0)
        // Nor after an unoffload, or an offload that changed nothing.
        #expect(!m.acted(ControlMemory(state: .unoffloading), at: t0, changed: true).memory.shortOffload)
        #expect(!m.acted(ControlMemory(state: .offloading), at: t0, changed: false).memory.shortOffload)
    }

    @Test func aFarExcessThatIsDrainingIsNotConfirmed() {
        // 3 400 ms then 890 ms 15 s later: the window is emptying a backlog that is over (after an offload), not
        // holding an excess; the 890 ms check starts a new confirmation, and 880 ms (within 10 %) confirms it.
        let m = machine()
        var step = m.step(ControlMemory(state: .offloadAlarm), input(0, mean: 3.4, .offload, far: "mean"))
        #expect(step.memory.farChecks == 1 && step.memory.farDelay == 3.4)
        step = m.step(step.memory, input(15, mean: 0.890, .offload, far: "mean"))
        #expect(step.memory.state == .offloadAlarm && step.memory.farChecks == 1 && step.memory.farDelay == 0.890)
        step = m.step(step.memory, input(30, mean: 0.880, .offload, far: "mean"))
        #expect(step.memory.state == .offloading)
        // A load unknown at the first far check is no base for a projection: a new first check.
        step = m.step(ControlMemory(state: .offloadAlarm), input(0, mean: 0.300, .offload, far: "link", load: 0))
        step = m.step(step.memory, input(15, mean: 0.300, .offload, far: "link", load: 500))
        #expect(step.memory.state == .offloadAlarm && step.memory.farChecks == 1 && step.memory.plan.lead.loadFactor == 1)
    }

    @Test func anUnoffloadAlarmCountsItsWindowAtASteadyLoad() {
        let m = machine()
        // 1300 → 1300 → 700 req/s: the window is catching up with a drop; the count starts again at 700.
        var step = m.step(ControlMemory(), input(0, mean: 0.050, .unoffload, load: 1300))
        step = m.step(step.memory, input(0, mean: 0.050, .unoffload, load: 1300))
        step = m.step(step.memory, input(30, mean: 0.050, .unoffload, load: 1300))
        #expect(step.memory.alarmChecks == 2)
        step = m.step(step.memory, input(60, mean: 0.050, .unoffload, load: 700))
        #expect(step.memory.alarmChecks == 1 && step.memory.state == .unoffloadAlarm)
        // Then 700 steadily: the checks of the last 90 s still hold the fall from 1300 (a falling world, §8.2) at
        // 90 and 120 s; from 150 s they are all 700, and the fourth check in a row (210 s) completes the count.
        for seconds in stride(from: 90.0, through: 180, by: 30) {
            step = m.step(step.memory, input(seconds, mean: 0.050, .unoffload, load: 700))
            #expect(step.memory.state == .unoffloadAlarm)
            #expect(step.memory.alarmChecks == (seconds <= 120 ? 1 : Int(seconds - 90) / 30), "at \(seconds) s")
        }
        step = m.step(step.memory, input(210, mean: 0.050, .unoffload, load: 700))
        #expect(step.memory.state == .unoffloading, "\(step.memory.alarmChecks) checks")
        // The reference counts through the jump.
        step = machine(.reference).step(ControlMemory(), input(0, mean: 0.050, .unoffload, load: 1300))
        for (check, load) in [1300.0, 1300, 700, 700].enumerated() {
            step = machine(.reference).step(step.memory, input(Double(check) * 30, mean: 0.050, .unoffload, load: load))
        }
        #expect(step.memory.state == .unoffloading)
    }

    @Test func anUnoffloadIsNotRunOnALoadThatJumpedAfterItsCount() {
        let m = machine()
        // Four checks at 1300 req/s: the action is due one cycle on; the load drops to 80 in that cycle (a crowd
        // over). The window still holds part of the crowd: count again from this check instead of acting on it.
        var step = m.step(ControlMemory(), input(0, mean: 0.050, .unoffload, load: 1300))
        for check in 0...3 { step = m.step(step.memory, input(Double(check) * 30, mean: 0.050, .unoffload, load: 1300)) }
        #expect(step.memory.state == .unoffloading)
        let due = step.memory
        step = m.step(due, input(120, mean: 0.050, .unoffload, load: 700))
        #expect(step.memory.state == .unoffloadAlarm && step.memory.alarmChecks == 1 && step.command == .wait(seconds: 30))
        #expect(step.memory.alarmLoad == 700)
        // 1300 → 1200 (8 %): within 10 %, the unoffload runs; so does the reference's through any jump.
        #expect(m.step(due, input(120, mean: 0.050, .unoffload, load: 1200)).command == .act(.unoffload))
        var reference = machine(.reference).step(ControlMemory(), input(0, mean: 0.050, .unoffload, load: 1300))
        for check in 0...3 { reference = machine(.reference).step(reference.memory, input(Double(check) * 30, mean: 0.050, .unoffload, load: 1300)) }
        #expect(machine(.reference).step(reference.memory, input(120, mean: 0.050, .unoffload, load: 80)).command == .act(.unoffload))
    }

    @Test func theReferencePolicyIgnoresFarAbove() {
        var step = machine(.reference).step(ControlMemory(), input(0, mean: 0.300, .offload))
        for check in 1...3 {
            step = machine(.reference).step(step.memory, input(Double(check) * 15, mean: 0.300, .offload, far: "mean"))
        }
        #expect(step.memory.state == .offloadAlarm, "3 of 4 window checks")
    }

    @Test func movingAutoscalersDeferAWindowedActionButNotTheCount() {
        let m = machine()
        var step = m.step(ControlMemory(), input(0, mean: 0.150, .offload))
        for check in 1...4 { step = m.step(step.memory, input(Double(check) * 30, mean: 0.150, .offload, moving: ["a/cloud"])) }
        #expect(step.memory.state == .offloadAlarm && step.memory.alarmChecks == 4)
        #expect(step.notes == [.skipped(reason: "action deferred: autoscalers moving: a/cloud")])
        step = m.step(step.memory, input(150, mean: 0.150, .offload))
        #expect(step.memory.state == .offloading)
        // Moving again at action time: back to camping, checked again at once.
        step = m.step(step.memory, input(150, mean: 0.150, .offload, moving: ["a/cloud"]))
        #expect(step.memory.state == .camping && step.command == .wait(seconds: 0))
    }

    @Test func anAlarmClearsOrDropsOnNewFacts() {
        let m = machine()
        var step = m.step(ControlMemory(), input(0, mean: 0.050, .unoffload))
        #expect(step.memory.state == .unoffloadAlarm)
        step = m.step(step.memory, input(30, mean: 0.100, .none))
        #expect(step.memory.state == .camping && step.command == .wait(seconds: 0))
        step = m.step(ControlMemory(state: .offloadAlarm), input(30, mean: nil, .none, failed: true))
        #expect(step.memory.state == .camping)
        #expect(step.notes.first == .skipped(reason: "telemetry failed: test"), "skipped before the transition")
    }

    @Test func consolidationLooksAfterTheDwellAndThenEveryTenthOfIt() {
        var dwellOnly = ControlPolicy()
        dwellOnly.consolidation.early = false
        let m = machine(dwellOnly)
        var step = m.step(ControlMemory(), input(0, mean: 0.100, .none))
        #expect(step.command == .wait(seconds: 30) && step.memory.inBandSince == t0)
        step = m.step(step.memory, input(599, mean: 0.100, .none))
        #expect(step.command == .wait(seconds: 30), "one second short of the 600 s dwell")
        step = m.step(step.memory, input(600, mean: 0.100, .none, moving: ["a/edge"]))
        #expect(step.command == .wait(seconds: 30) && step.memory.state == .hpaRunning, "never while autoscalers move")
        step = m.step(step.memory, input(600, mean: 0.100, .none))
        #expect(step.command == .lookForConsolidation(.dwelt))
        step = m.nothingToConsolidate(step.memory, at: t0.addingTimeInterval(600))
        step = m.step(step.memory, input(630, mean: 0.100, .none))
        #expect(step.command == .wait(seconds: 30), "next look after 60 s")
        step = m.step(step.memory, input(660, mean: 0.100, .none))
        #expect(step.command == .lookForConsolidation(.dwelt))
        // A dip below the band (an unoffload alarm that does not hold) keeps the dwell; one above restarts it.
        step = m.step(step.memory, input(690, mean: 0.075, .unoffload))
        #expect(step.memory.state == .unoffloadAlarm && step.memory.inBandSince == t0)
        step = m.step(step.memory, input(690, mean: 0.085, .none))
        #expect(step.memory.state == .camping)
        step = m.step(step.memory, input(690, mean: 0.130, .offload))
        #expect(step.memory.inBandSince == nil)
        var off = ControlPolicy()
        off.consolidation.enabled = false
        step = machine(off).step(ControlMemory(), input(0, mean: 0.100, .none))
        step = machine(off).step(step.memory, input(700, mean: 0.100, .none))
        #expect(step.command == .wait(seconds: 30), "switched off in the config")
    }
}
