import Foundation
@testable import GMAControl
import Testing

/// The last check before a placement action: the condition and the autoscalers are read again at action time,
/// and either change sends the loop back to camping without touching the cluster.
@Suite struct ActionTimeGuardTests {
    /// Drives a steady 125 ms delay (above the 120 ms offload threshold, not far above it) into the offloading state: one step
    /// raises the alarm, ⌈120 s / 30 s⌉ = 4 checks hold it.
    static func armed(_ world: ControllerTestWorld, _ log: EventLog) async -> PlacementController {
        let controller = ControllerStateMachineTests.controller(world, log)
        _ = await controller.step()
        for _ in 0..<4 { _ = await controller.step() }
        return controller
    }

    @Test func autoscalersThatStartMovingAfterTheAlarmCancelTheAction() async throws {
        let world = ControllerTestWorld { _ in 0.125 }
        let log = EventLog()
        let controller = await Self.armed(world, log)
        try #require(await controller.state == .offloading)
        // b's cloud HPA now wants 5 replicas instead of its 2: usage is in flux, so no placement this cycle.
        world.hpa["b"]?.cloud?.desiredReplicas = 5
        #expect(await controller.step() == 0, "straight back to checking, no stabilisation pause")
        #expect(await controller.state == .camping)
        #expect(world.operations.isEmpty)
        #expect(log.decisions.isEmpty)
        #expect(log.transitions == ["camping>offload-alarm", "offload-alarm>offloading", "offloading>camping"])
    }

    @Test func settledAutoscalersLetTheActionRun() async throws {
        // The same path without the HPA change acts: the guard above is what stopped it.
        let world = ControllerTestWorld { _ in 0.125 }
        let log = EventLog()
        let controller = await Self.armed(world, log)
        try #require(await controller.state == .offloading)
        #expect(await controller.step() == 120, "the stabilisation window follows an action")
        #expect(!world.operations.isEmpty)
        #expect(log.decisions.count == 1)
    }
}
