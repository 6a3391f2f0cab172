import Foundation
import Testing

import GMAConfig
@testable import GMAControl

/// An unoffload waits while the world it would plan on still gets better (docs/controller.md §8.2), at most a dwell
/// from the alarm's start. Machine: sync 30 s, telemetry window 60 s, so trends are fitted on the checks of the
/// last 90 s; a trend is a fitted change of at least 3 % of the value over the checks' span; dwell 600 s.
@Suite struct ImprovingWorldTests {
    let base = ControlStateMachineTests()
    var t0: Date { base.t0 }

    func input(_ seconds: Double, _ wanted: PlacementActionKind = .unoffload, load: Double = 100, rtt: Double? = nil, bandwidth: Double? = nil) -> ControlInput {
        var input = base.input(seconds, mean: 0.050, wanted, load: load)
        input.rttSeconds = rtt
        input.bandwidthBitsPerSecond = bandwidth
        return input
    }

    /// An unoffload alarm that started at 0 s with these earlier checks.
    func alarm(_ samples: [ControlInput]) -> ControlMemory {
        var memory = ControlMemory(state: .unoffloadAlarm)
        memory.alarmSince = t0
        memory.trendSamples = samples.map(\.trendSample)
        return memory
    }

    @Test func aSteadyFallRestartsTheCountUntilItStops() {
        let m = base.machine()
        // 700, 670, 640, 610, 580 req/s every 30 s, then 580: each step under the 10 % jump. From the third check
        // (60 s: 60 req/s fitted fall over 60 s ≥ 3 % of 640) the count starts again at every check while the last
        // 90 s still fall: at 180 s the checks 610, 580, 580, 580 fit a fall of 27 req/s over 90 s ≥ 17.4; at 210 s
        // they are flat. The count that started again at 180 s is complete at 270 s: the action is due.
        var step = m.step(ControlMemory(), input(0, load: 700))
        var unoffloadingAt: Double?
        for seconds in stride(from: 0.0, through: 330, by: 30) where unoffloadingAt == nil {
            step = m.step(step.memory, input(seconds, load: max(700 - seconds, 580)))
            // Said once, when the wait starts; remembered while it lasts.
            let said = step.notes.contains(.skipped(reason: "unoffload waits: the load still falling"))
            #expect(said == (seconds == 60), "at \(seconds) s")
            #expect(step.memory.improvement == ((60...180).contains(seconds) ? "the load still falling" : nil), "at \(seconds) s")
            if step.memory.state == .unoffloading { unoffloadingAt = seconds }
        }
        #expect(unoffloadingAt == 270)
        // The reference's policy counts through the fall: four checks, the action due at 90 s.
        step = base.machine(.reference).step(ControlMemory(), input(0, load: 700))
        for seconds in stride(from: 0.0, through: 90, by: 30) {
            step = base.machine(.reference).step(step.memory, input(seconds, load: 700 - seconds))
        }
        #expect(step.memory.state == .unoffloading)
    }

    @Test func aTrendIsThreePerCentOfTheValueOverTheSpan() {
        let m = base.machine()
        // 100, 99, 98 req/s over 60 s: a fall of 2 < 3 % of 98 (2.94). 100, 98.5, 97: 3 ≥ 2.91.
        #expect(m.improving(input(60, load: 98), alarm([input(0, load: 100), input(30, load: 99)])) == nil)
        #expect(m.improving(input(60, load: 97), alarm([input(0, load: 100), input(30, load: 98.5)])) == "the load still falling")
        // Two checks are no trend; a rising load is none either.
        #expect(m.improving(input(30, load: 90), alarm([input(0, load: 100)])) == nil)
        #expect(m.improving(input(60, load: 120), alarm([input(0, load: 100), input(30, load: 110)])) == nil)
        // Checks older than 90 s are not fitted: 200 req/s at −31 s drops out at 60 s.
        #expect(m.improving(input(60, load: 100), alarm([input(-31, load: 200), input(0, load: 100), input(30, load: 100)])) == nil)
    }

    @Test func aFallingRTTOrARisingBandwidthWaitsToo() {
        let m = base.machine()
        // RTT 70, 63, 56 ms: 14 ms over 60 s ≥ 3 % of 56. Bandwidth 12, 14, 16 Mbit/s: 4 over 60 s ≥ 0.48.
        let rtt = alarm([input(0, rtt: 0.070), input(30, rtt: 0.063)])
        #expect(m.improving(input(60, rtt: 0.056), rtt) == "the RTT still falling")
        let link = alarm([input(0, bandwidth: 12e6), input(30, bandwidth: 14e6)])
        #expect(m.improving(input(60, bandwidth: 16e6), link) == "the bandwidth still rising")
        let all = alarm([input(0, load: 120, rtt: 0.070, bandwidth: 12e6), input(30, load: 110, rtt: 0.063, bandwidth: 14e6)])
        #expect(m.improving(input(60, load: 100, rtt: 0.056, bandwidth: 16e6), all) == "the load and the RTT still falling, the bandwidth still rising")
        // The opposite directions are no improvement.
        #expect(m.improving(input(60, rtt: 0.070), alarm([input(0, rtt: 0.056), input(30, rtt: 0.063)])) == nil)
        #expect(m.improving(input(60, bandwidth: 12e6), alarm([input(0, bandwidth: 16e6), input(30, bandwidth: 14e6)])) == nil)
    }

    @Test func theWaitEndsADwellAfterTheAlarmBegan() {
        let m = base.machine()
        let samples = [input(510, load: 120), input(540, load: 110)]
        var memory = alarm(samples)
        #expect(m.improving(input(570, load: 100), memory) == "the load still falling", "570 s of 600")
        memory.trendSamples = [input(570, load: 120), input(585, load: 110)].map(\.trendSample)
        #expect(m.improving(input(600, load: 100), memory) == nil, "a dwell since the alarm began")
        #expect(base.machine(.reference).improving(input(570, load: 100), alarm(samples)) == nil)
    }

    @Test func anAlarmSentBackByMovingAutoscalersKeepsItsStart() {
        let m = base.machine()
        var memory = ControlMemory(state: .unoffloading)
        memory.alarmSince = t0
        // At action time autoscalers move: back to camping, then a new alarm at 400 s that began at 0 s.
        var step = m.step(memory, base.input(400, mean: 0.050, .unoffload, moving: ["a/cloud"]))
        #expect(step.memory.state == .camping && step.memory.alarmSince == t0)
        step = m.step(step.memory, input(430))
        #expect(step.memory.state == .unoffloadAlarm && step.memory.alarmSince == t0)
        // A check in band ends the episode; the next alarm starts its own.
        step = m.step(ControlMemory(state: .camping), input(430, .none))
        step.memory.alarmSince = t0
        step = m.step(step.memory, input(460, .none))
        #expect(step.memory.alarmSince == nil)
        step = m.step(step.memory, input(490))
        #expect(step.memory.alarmSince == t0.addingTimeInterval(490))
        // An alarm cleared or an action no longer wanted ends it too.
        var cleared = ControlMemory(state: .unoffloadAlarm)
        cleared.alarmSince = t0
        #expect(m.step(cleared, input(30, .none)).memory.alarmSince == nil)
        cleared.state = .unoffloading
        #expect(m.step(cleared, input(30, .none)).memory.alarmSince == nil)
    }
}
