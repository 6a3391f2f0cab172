import Foundation
import Testing

/// Unknown data never counts as "still high": an alarm that meets a cycle without a delay value is dropped,
/// and a later alarm has to hold for the whole window again.
@Suite struct AlarmDropTests {
    @Test func anUnknownDelayDropsARunningAlarm() async throws {
        // 125 ms (above 120 ms, not far above: W applies) for the first checks, then no value for one cycle, then
        // 125 ms again.
        let world = ControllerTestWorld { _ in 0.125 }
        let log = EventLog()
        let controller = ControllerStateMachineTests.controller(world, log)
        _ = await controller.step()
        for _ in 0..<3 { _ = await controller.step() }
        try #require(await controller.state == .offloadAlarm, "3 of the 4 checks held")
        world.meanDelay = { _ in nil }
        _ = await controller.step()
        #expect(await controller.state == .camping)
        #expect(log.transitions == ["camping>offload-alarm", "offload-alarm>camping"])
        // Back to 125 ms: a new alarm, which needs all ⌈120 s / 30 s⌉ = 4 checks again, not the one left.
        world.meanDelay = { _ in 0.125 }
        _ = await controller.step()
        _ = await controller.step()
        #expect(await controller.state == .offloadAlarm, "one check into the new alarm is not enough")
        for _ in 0..<3 { _ = await controller.step() }
        #expect(await controller.state == .offloading)
    }
}
