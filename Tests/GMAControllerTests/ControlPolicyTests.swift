import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl
@testable import GMAObservability

/// gma's extensions to the decision rules (docs/controller.md §8): the fast path far above the band, the
/// staged unoffload and consolidation while in band, each against the reference behaviour.
@Suite struct ControlPolicyTests {
    static func controller(
        _ world: ControllerTestWorld, _ log: EventLog, settings: ControllerSettings = ControllerTestWorld.settings()
    ) -> PlacementController {
        PlacementController(
            settings: settings, telemetry: world, cluster: world, network: ControllerTestWorld.network, clock: world.clock,
            solver: BuiltInSolver(.auto),
            observer: { log.record($0) })
    }

    /// Steps until an action was decided (or `limit` cycles), advancing the clock by each pause; returns the pauses.
    static func stepsUntilDecision(_ world: ControllerTestWorld, _ controller: PlacementController, _ log: EventLog, limit: Int = 20)
        async throws -> [Double]
    {
        var pauses: [Double] = []
        while log.decisions.isEmpty && pauses.count < limit {
            let pause = await controller.step()
            pauses.append(pause)
            try await world.clock.sleep(seconds: pause)
        }
        return pauses
    }

    // MARK: Fast path (docs/controller.md §8.1)

    /// 300 ms is 2.5× the 120 ms threshold (far: ≥ 1.1×): the alarm (0 s), one confirming check 15 s later, the action at once.
    @Test func farAboveTheBandActsAfterOneConfirmingCheck() async throws {
        let world = ControllerTestWorld { _ in 0.300 }
        let log = EventLog()
        let pauses = try await Self.stepsUntilDecision(world, Self.controller(world, log), log)
        #expect(pauses == [0, 15, 0, 120], "\(pauses)")
        #expect(log.decisions.first?.action == .offload)
        #expect(log.transitions.contains("offload-alarm>offloading"))
        #expect(world.clock.now().timeIntervalSince(world.start) == 15 + 120, "acted 15 s after the alarm")
    }

    @Test func theReferencePolicyWaitsTheWholeWindow() async throws {
        let world = ControllerTestWorld { _ in 0.300 }
        let log = EventLog()
        var settings = ControllerTestWorld.settings()
        settings.policy = .reference
        let pauses = try await Self.stepsUntilDecision(world, Self.controller(world, log, settings: settings), log)
        #expect(pauses == [0, 30, 30, 30, 30, 120], "⌈120/30⌉ = 4 checks: \(pauses)")
    }

    /// 130 ms is above the band but below 1.1 × 120 = 132 ms, the HPA-like tolerance: the window applies.
    @Test func justAboveTheBandKeepsTheWindow() async throws {
        let world = ControllerTestWorld { _ in 0.130 }
        let log = EventLog()
        let pauses = try await Self.stepsUntilDecision(world, Self.controller(world, log), log)
        #expect(pauses == [0, 30, 30, 30, 30, 120], "\(pauses)")
    }

    /// Far above at the alarm, back inside the band at the confirmation: no action.
    @Test func anUnconfirmedSpikeDoesNotAct() async throws {
        let world = ControllerTestWorld { t in t < 10 ? 0.300 : 0.100 }
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await controller.run(until: world.clock.now().addingTimeInterval(600))
        #expect(log.decisions.isEmpty && world.operations.isEmpty)
        #expect(log.transitions == ["camping>offload-alarm", "offload-alarm>camping"])
    }

    /// Moving autoscalers defer a windowed action, not a confirmed fast one.
    @Test func theFastPathDoesNotWaitForMovingAutoscalers() async throws {
        let world = ControllerTestWorld { _ in 0.300 }
        world.locked {
            world.hpa["a"]?.cloud = HPAStatus(name: "a", currentReplicas: 2, desiredReplicas: 5, minReplicas: 1, maxReplicas: 10)
        }
        let log = EventLog()
        let pauses = try await Self.stepsUntilDecision(world, Self.controller(world, log), log)
        #expect(pauses == [0, 15, 0, 120], "\(pauses)")
        #expect(log.decisions.first?.action == .offload)
    }

    // MARK: Consolidation (docs/controller.md §8.3)

    /// Band 50–300 ms (midpoint 175 ms), all three services at the edge, the measured mean in band. Bringing
    /// them all back adds one crossing (user → a: RTT 50 ms, 5 kB at 1 Gbit/s) to the model's delay: predicted
    /// mean + 50.04 ms. Cloud replicas cost 0.0416 $/h against 0.056 $/h at the edge, for the same 27 replicas
    /// (5 cores each at a 60 % target): about 31 % cheaper.
    static func consolidationSettings(margin: Double = 0.005, saving: Double = 0.10) -> ControllerSettings {
        var settings = ControllerTestWorld.settings()
        settings.band = DelayBand(offloadSeconds: 0.300, unoffloadSeconds: 0.050)
        settings.policy.consolidation.marginSeconds = margin
        settings.policy.consolidation.minimumSaving = saving
        return settings
    }

    static func consolidations(_ log: EventLog) -> [ControllerDecision] { log.decisions.filter { $0.action == .consolidate } }

    @Test func consolidationWaitsForTheDwellAndHappensOnce() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        world.edge = ["a", "b", "c"]
        let log = EventLog()
        let controller = Self.controller(world, log, settings: Self.consolidationSettings())
        try await controller.run(until: world.start.addingTimeInterval(590))
        #expect(Self.consolidations(log).isEmpty, "not before 600 s in band")
        try await controller.run(until: world.start.addingTimeInterval(3600))
        let done = Self.consolidations(log)
        #expect(done.count == 1, "\(done.map(\.reason))")
        let first = try #require(done.first)
        #expect(first.time.timeIntervalSince(world.start) >= 600)
        #expect(Set(first.placement?.removed ?? []) == ["a", "b", "c"])
        #expect(world.edge.isEmpty)
        // Removals go as an unoffload's: every cloud scaled before any edge copy is deleted.
        let firstDelete = try #require(world.operations.firstIndex { if case .delete = $0 { true } else { false } })
        #expect(world.operations[..<firstDelete].allSatisfy { if case .scale(_, .cloud, _) = $0 { true } else { false } })
        #expect(firstDelete == 3)
    }

    /// 122 ms + 50.04 ms = 172.04 ms: under the midpoint (175 ms) but not by the 5 ms margin.
    @Test func theMarginAndTheSavingAreRequired() async throws {
        for (margin, saving, expected) in [(0.005, 0.10, 0), (0.0, 0.10, 1), (0.0, 0.5, 0)] {
            let world = ControllerTestWorld { _ in 0.122 }
            world.edge = ["a", "b", "c"]
            let log = EventLog()
            let controller = Self.controller(world, log, settings: Self.consolidationSettings(margin: margin, saving: saving))
            try await controller.run(until: world.start.addingTimeInterval(1800))
            #expect(Self.consolidations(log).count == expected, "margin \(margin), saving \(saving)")
        }
    }

    @Test func noConsolidationWhileAutoscalersMoveOrWhenSwitchedOff() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        world.edge = ["a", "b", "c"]
        world.locked {
            world.hpa["b"]?.cloud = HPAStatus(name: "b", currentReplicas: 2, desiredReplicas: 4, minReplicas: 1, maxReplicas: 10)
        }
        let log = EventLog()
        try await Self.controller(world, log, settings: Self.consolidationSettings())
            .run(until: world.start.addingTimeInterval(3600))
        #expect(Self.consolidations(log).isEmpty)

        let still = ControllerTestWorld { _ in 0.100 }
        still.edge = ["a", "b", "c"]
        var off = Self.consolidationSettings()
        off.policy.consolidation.enabled = false
        let quiet = EventLog()
        try await Self.controller(still, quiet, settings: off).run(until: still.start.addingTimeInterval(3600))
        #expect(quiet.decisions.isEmpty && still.operations.isEmpty)
    }

    /// A consolidation is its own action kind in `/metrics`, next to offloads and unoffloads.
    @Test func consolidationsAreCountedInTheMetrics() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        world.edge = ["a", "b", "c"]
        let settings = Self.consolidationSettings()
        let metrics = ControllerMetrics(band: settings.band, clock: { world.clock.now() })
        let controller = PlacementController(
            settings: settings, telemetry: world, cluster: world, network: ControllerTestWorld.network, clock: world.clock,
            solver: BuiltInSolver(.auto),
            observer: { metrics.record($0) })
        try await controller.run(until: world.start.addingTimeInterval(1200))
        let text = metrics.exposition()
        #expect(ObservabilityTests.value(#"gma_decisions_total{action="consolidate"}"#, in: text) == 1, "\(text)")
    }

    @Test func decideShowsAPendingConsolidation() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        world.edge = ["a", "b", "c"]
        let decision = await Self.controller(world, EventLog(), settings: Self.consolidationSettings()).decideOnce()
        #expect(decision.action == .consolidate)
        #expect(decision.reason.hasPrefix("pending consolidation"), "\(decision.reason)")
        #expect(!decision.operations.isEmpty)
    }
}
