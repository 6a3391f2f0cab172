import Foundation
@testable import GMAControl
import GMAOptimizer
import Testing

/// The joint loop over two edges on a simulated clock: one state machine per edge, one joint decision.
@Suite struct JointControllerTests {
    static func controller(
        _ a: ControllerTestWorld, _ b: ControllerTestWorld, logs: [String: EventLog],
        network: FixedNetwork = ControllerTestWorld.network
    ) -> JointPlacementController {
        JointPlacementController(
            lanes: [JointDecisionTests.lane("A", a, network: network), JointDecisionTests.lane("B", b, network: network)],
            clock: a.clock,
            solver: BuiltInJointSolver(.auto), telemetryAtClockTime: true, observer: { edge, event in logs[edge]?.record(event) })
    }

    /// `count` cycles, 30 s of simulated time apart.
    static func cycles(_ count: Int, of controller: JointPlacementController, on clock: SimulatedClock) async {
        for _ in 0..<count {
            _ = await controller.step()
            clock.advance(by: 30)
        }
    }

    @Test func onlyTheEdgeInAlarmActsAfterItsWindow() async throws {
        // A measures 125 ms (above 120 ms, inside the 10 % neighbourhood: the window applies); B 100 ms, in band.
        let a = JointDecisionTests.world(delay: 0.125, edge: [])
        let b = JointDecisionTests.world(delay: 0.100, edge: [])
        let logs = ["A": EventLog(), "B": EventLog()]
        let controller = Self.controller(a, b, logs: logs)
        // t = 0: A notices (look again at once), B is in band (again in 30 s).
        #expect(await controller.step() == 0)
        #expect(await controller.states == [.offloadAlarm, .camping])
        // A's alarm must hold ⌈120/30⌉ = 4 checks, 30 s apart: at 0, 30, 60 and 90 s; B is looked at with it.
        for _ in 0..<4 {
            #expect(await controller.step() == 30)
            a.clock.advance(by: 30)
        }
        #expect(await controller.states == [.offloading, .camping])
        // t = 120 s: the action, then the window (120 s) for A; B's next look is due at once (it was due at 120 s).
        _ = await controller.step()
        #expect(await controller.states == [.camping, .camping])
        #expect(logs["A"]!.transitions == ["camping>offload-alarm", "offload-alarm>offloading", "offloading>camping"])
        #expect(logs["B"]!.transitions.isEmpty)
        let decided = try #require(logs["A"]!.decisions.first)
        #expect(decided.action == .offload)
        #expect(decided.reason.hasPrefix("joint decision for A"))
        #expect(a.operations.contains(.apply(service: "a")))
        #expect(b.operations.isEmpty, "B is in band: adding at its edge only costs")
        #expect(logs["B"]!.decisions.isEmpty)
    }

    @Test func aHeldEdgeNearItsThresholdKeepsItsServices() async throws {
        // B runs the whole chain at its edge and measures 119 ms: 1 ms under the offload threshold. Giving anything
        // back adds a 50.04 ms crossing and would save B's edge copies, so when A's offload starts a joint decision,
        // B's placement must stay as it is.
        let a = JointDecisionTests.world(delay: 0.125, edge: [])
        let b = JointDecisionTests.world(delay: 0.119, edge: ["a", "b", "c"])
        let logs = ["A": EventLog(), "B": EventLog()]
        let controller = Self.controller(a, b, logs: logs)
        await Self.cycles(6, of: controller, on: a.clock)
        #expect(a.operations.contains(.apply(service: "a")))
        #expect(b.operations.isEmpty, "\(logs["A"]!.decisions.map(\.reason))")
    }

    @Test func aHeldEdgeGivesBackOnlyUpToTheMidpoint() async throws {
        // RTT 5 ms: a crossing costs 5.04 ms. B runs the whole chain at its edge. At 92 ms it may rise to the band's
        // midpoint, 100 ms: one crossing fits (97.04 ms), two do not (102.08 ms), and giving back all three leaves
        // one (user → a), the cheapest. At 105 ms (in band, above the midpoint) it has no room and keeps everything,
        // though the offload threshold (120 ms) would leave 15 ms: a held edge moves no closer to it than a
        // single-edge unoffload would (docs/multi-edge.md §9).
        let network = FixedNetwork(NetworkConditions(rttSeconds: 0.005, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9))
        for (delay, givesBack) in [(0.092, true), (0.105, false)] {
            let a = JointDecisionTests.world(delay: 0.125, edge: [])
            let b = JointDecisionTests.world(delay: delay, edge: ["a", "b", "c"])
            let logs = ["A": EventLog(), "B": EventLog()]
            let controller = Self.controller(a, b, logs: logs, network: network)
            await Self.cycles(6, of: controller, on: a.clock)
            #expect(a.operations.contains(.apply(service: "a")))
            let deleted = Set(b.operations.compactMap { if case .delete(let s) = $0 { s } else { nil } })
            #expect(deleted == (givesBack ? ["a", "b", "c"] : []), "B at \(delay): \(logs["B"]!.decisions.map(\.reason))")
        }
    }

    @Test func bothEdgesInAlarmAreDecidedTogether() async throws {
        // Both above the band from the start: the same schedule, one joint decision with two acting edges.
        let a = JointDecisionTests.world(delay: 0.125, edge: [])
        let b = JointDecisionTests.world(delay: 0.126, edge: [])
        let logs = ["A": EventLog(), "B": EventLog()]
        let controller = Self.controller(a, b, logs: logs)
        #expect(await controller.step() == 0)
        for _ in 0..<4 {
            _ = await controller.step()
            a.clock.advance(by: 30)
        }
        _ = await controller.step()
        let decisions = logs["A"]!.decisions + logs["B"]!.decisions
        #expect(decisions.count == 2)
        #expect(decisions.allSatisfy { $0.reason.hasPrefix("joint decision for A, B") && $0.action == .offload })
        #expect(a.operations.contains(.apply(service: "a")) && b.operations.contains(.apply(service: "a")))
    }

    @Test func anUnreadableEdgeIsSkippedAndTheOtherGoesOn() async throws {
        let a = JointDecisionTests.world(delay: 0.125, edge: [])
        let b = JointDecisionTests.world(delay: 0.100, edge: [])
        b.locked { b.meanDelay = { _ in nil } }
        let logs = ["A": EventLog(), "B": EventLog()]
        let controller = Self.controller(a, b, logs: logs)
        await Self.cycles(6, of: controller, on: a.clock)
        #expect(a.operations.contains(.apply(service: "a")))
        #expect(b.operations.isEmpty)
        #expect(logs["B"]!.skips.contains { $0.contains("delay unknown") })
    }

    @Test func decideOnceShowsEveryEdge() async throws {
        // A above the band wants an offload now; B in band is held and keeps its placement; nothing is applied.
        let a = JointDecisionTests.world(delay: 0.150, edge: [])
        let b = JointDecisionTests.world(delay: 0.100, edge: [])
        let controller = Self.controller(a, b, logs: [:])
        let decision = await controller.decideOnce()
        #expect(decision.decisions[0].action == .offload, "\(decision.reason)")
        #expect(decision.decisions[1].operations.isEmpty)
        #expect(decision.decisions[1].reason.contains("inside the band"), "\(decision.decisions[1].reason)")
        #expect(a.operations.isEmpty && b.operations.isEmpty, "decide changes nothing")
    }

    @Test func decideOnceShowsAPendingConsolidation() async throws {
        // Both in band, RTT 5 ms (a crossing: 5 ms + 40 µs); B runs the whole chain at its edge and measures
        // 85 ms. The ceiling is the midpoint minus the margin, 100 − 5 = 95 ms: B may take one more crossing
        // (90.04 ms), not two (95.08 ms). Giving back all three leaves one crossing (user → a) and saves every
        // edge copy: the cheapest placement under the ceiling.
        let a = JointDecisionTests.world(delay: 0.100, edge: [])
        let b = JointDecisionTests.world(delay: 0.085, edge: ["a", "b", "c"])
        let network = FixedNetwork(NetworkConditions(rttSeconds: 0.005, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9))
        let controller = Self.controller(a, b, logs: [:], network: network)
        let decision = await controller.decideOnce()
        let policy = ControllerTestWorld.settings().policy.consolidation
        let ceiling = 0.100 - policy.marginSeconds
        let held = decision.decisions[1]
        #expect(!held.operations.isEmpty, "\(decision.reason)")
        #expect(decision.reason.hasPrefix("pending consolidation"))
        let placement = try #require(held.placement)
        let predicted = 0.085 + placement.evaluation.delaySeconds
        #expect(predicted <= ceiling + 1e-9)
        #expect(placement.edgeServices.isEmpty, "\(placement.edgeServices)")
        let problem = try #require(decision.problem)
        #expect(abs((decision.solution?.evaluation.cost.total ?? 0) - (try JointDecisionTests.bruteForceCost(problem))) < 1e-9)
        #expect(b.operations.isEmpty, "decide changes nothing")
    }
}
