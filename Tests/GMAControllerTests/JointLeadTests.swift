import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl

/// A lead in the joint loop (docs/controller.md §8.1, docs/multi-edge.md §9): each edge's machine leads on its own
/// trend, and the joint decision plans the leading edge for its led world.
@Suite struct JointLeadTests {
    /// An RTT that rises by 1/3 ms per second of simulated time from 50 ms.
    struct RisingRTT: NetworkConditionsSource {
        let clock: SimulatedClock
        let start: Date

        func current() async -> NetworkConditions {
            let rtt = 0.050 + clock.now().timeIntervalSince(start) / 3000
            return NetworkConditions(rttSeconds: rtt, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9)
        }
    }

    @Test func anEdgeWhoseRTTRisesOffloadsWhileItsDelayIsStillInBand() async throws {
        // A measures 112 ms throughout: in band, at or above 80 % of 120 ms. Its RTT rises 50 → 60 → 70 ms at the checks
        // 0, 30, 60 s: 1/3 ms per second, carried on over 60/2 + 15 + 30 = 75 s: 25 ms more on its one crossing (user
        // → a), 137 ms — above the band. B on the same link is led to 95.5 + 25 = 120.5 ms, above the band too, but
        // measures 95.5 ms, under the neighbourhood's 96 ms: it does not lead.
        let a = JointDecisionTests.world(delay: 0.112, edge: [])
        let b = JointDecisionTests.world(delay: 0.0955, edge: [])
        let network = RisingRTT(clock: a.clock, start: a.clock.now())
        let lanes = [("A", a), ("B", b)].map { name, world in
            EdgeLane(name: name, settings: ControllerTestWorld.settings(), telemetry: world, cluster: world, network: network)
        }
        let logs = ["A": EventLog(), "B": EventLog()]
        let controller = JointPlacementController(
            lanes: lanes, clock: a.clock, solver: BuiltInJointSolver(.auto), telemetryAtClockTime: true,
            observer: { edge, event in logs[edge]?.record(event) })
        await JointControllerTests.cycles(3, of: controller, on: a.clock)
        #expect(await controller.states == [.offloadAlarm, .camping], "\(logs["A"]!.transitions)")
        // The confirming check 15 s on, then the action on the led world: A offloads, B keeps its placement.
        for _ in 0..<3 {
            let wait = await controller.step()
            a.clock.advance(by: wait)
        }
        #expect(logs["A"]!.transitions.prefix(3) == ["camping>offload-alarm", "offload-alarm>offloading", "offloading>camping"])
        #expect(a.operations.contains(.apply(service: "a")), "\(logs["A"]!.decisions.map(\.reason))")
        #expect(b.operations.isEmpty)
        #expect(logs["B"]!.transitions.isEmpty)
    }
}
