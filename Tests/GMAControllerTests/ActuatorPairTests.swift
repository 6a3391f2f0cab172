import Foundation
import Testing

@testable import GMAControl

/// The actuator on its own, against the in-memory cluster of the state-machine tests: what runs, what is
/// skipped and what is undone when one operation of a pair fails.
@Suite struct ActuatorPairTests {
    static let twoOffloads: [ClusterOperation] = [
        .apply(service: "a"), .scale(service: "a", area: .edge, replicas: 2),
        .apply(service: "b"), .scale(service: "b", area: .edge, replicas: 3),
    ]

    @Test func aFailedFirstHalfSkipsTheSecondAndIsUndone() async throws {
        let world = ControllerTestWorld { _ in nil }
        world.failingApplies = ["a"]
        let failures = await PlacementActuator(cluster: world).run(Self.twoOffloads)
        // a: apply fails, so its edge scale never runs; the undo deletes the edge copy the apply may have left.
        // b: unaffected, both halves run.
        #expect(world.operations == [
            .delete(service: "a"), .apply(service: "b"), .scale(service: "b", area: .edge, replicas: 3),
        ])
        #expect(failures.count == 1)
        #expect(failures.first?.0 == .apply(service: "a"))
        #expect(failures.first?.1.contains("pair undone") == true)
        #expect(world.edge == ["b"])
    }

    @Test func aStopRequestEndsTheRunBetweenPairsNeverInsideOne() async throws {
        let world = ControllerTestWorld { _ in nil }
        // Asked before each pair: true once a's pair (two operations) is done.
        let actuator = PlacementActuator(cluster: world, shouldStop: { world.locked { world.operations.count >= 2 } })
        let failures = await actuator.run(Self.twoOffloads)
        #expect(failures.isEmpty)
        #expect(world.operations == [.apply(service: "a"), .scale(service: "a", area: .edge, replicas: 2)])
    }
}
