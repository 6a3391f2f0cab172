import Foundation
@testable import GMAControl
import GMAOptimizer
import Testing

/// Every transition of docs/controller.md §2 on a simulated clock (no real sleeping).
@Suite struct ControllerStateMachineTests {
    static func controller(_ world: ControllerTestWorld, _ log: EventLog) -> PlacementController {
        PlacementController(
            settings: ControllerTestWorld.settings(), telemetry: world, cluster: world,
            network: ControllerTestWorld.network, clock: world.clock, solver: BuiltInSolver(.auto),
            observer: { log.record($0) })
    }

    func run(_ world: ControllerTestWorld, _ controller: PlacementController, seconds: Double) async throws {
        try await controller.run(until: world.clock.now().addingTimeInterval(seconds))
    }

    @Test func delayInsideTheBandStaysCamping() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 3600)
        #expect(log.transitions.isEmpty)
        #expect(await controller.state == .camping)
        #expect(world.operations.isEmpty)
    }

    @Test func persistentHighDelayOffloadsAfterTheWindow() async throws {
        // 125 ms: above the 120 ms threshold but within its 10 % neighbourhood (132 ms), where W applies.
        let world = ControllerTestWorld { _ in 0.125 }
        let log = EventLog()
        let controller = Self.controller(world, log)
        // Camping notices at once; the alarm must persist ⌈120/30⌉ = 4 checks, 30 s apart.
        #expect(await controller.step() == 0)
        #expect(await controller.state == .offloadAlarm)
        for _ in 0..<4 { #expect(await controller.step() == 30) }
        #expect(await controller.state == .offloading)
        #expect(await controller.step() == 120)
        #expect(log.transitions == ["camping>offload-alarm", "offload-alarm>offloading", "offloading>camping"])
        #expect(world.clock.now() == world.start, "steps alone do not move the clock")
        let decision = try #require(log.decisions.first)
        #expect(decision.action == .offload)
        #expect(decision.placement?.feasible == true)
        #expect(!world.edge.isEmpty)
        #expect(world.operations.first == .apply(service: "a"))
        #expect(world.operations.contains { if case .scale(_, .edge, _) = $0 { true } else { false } })
    }

    @Test func alarmClearsWhenTheDelayReturns() async throws {
        let world = ControllerTestWorld { t in t < 60 ? 0.125 : 0.100 }
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 600)
        #expect(log.transitions == ["camping>offload-alarm", "offload-alarm>camping"])
        #expect(world.operations.isEmpty)
    }

    @Test func conditionIsCheckedAgainAtActionTime() async throws {
        // High through all four alarm checks (t = 0…90), back in band when the action would run (t = 120).
        let world = ControllerTestWorld { t in t < 100 ? 0.125 : 0.100 }
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 600)
        #expect(log.transitions.contains("offload-alarm>offloading"))
        #expect(log.transitions.contains("offloading>camping"))
        #expect(log.decisions.isEmpty)
        #expect(world.operations.isEmpty)
    }

    @Test func movingAutoscalersDeferTheActionButNotTheAlarm() async throws {
        let world = ControllerTestWorld { _ in 0.100 }
        world.hpa["b"]?.cloud?.desiredReplicas = 5
        let log = EventLog()
        let controller = Self.controller(world, log)
        // In band while an HPA moves: hpa-running, and nothing else.
        #expect(await controller.step() == 30)
        #expect(await controller.state == .hpaRunning)
        // The delay leaves the band (not far: W applies) while the HPA still moves: the alarm runs its course,
        // the action waits.
        world.meanDelay = { _ in 0.125 }
        try await run(world, controller, seconds: 1000)
        #expect(world.operations.isEmpty)
        #expect(await controller.state == .offloadAlarm)
        #expect(log.skips.contains { $0.contains("action deferred") })
        // Once it settles, the action follows at the next check.
        world.hpa["b"]?.cloud?.desiredReplicas = 2
        try await run(world, controller, seconds: 60)
        #expect(log.transitions.prefix(3) == ["camping>hpa-running", "hpa-running>offload-alarm", "offload-alarm>offloading"])
        #expect(!world.operations.isEmpty)
    }

    @Test func autoscalersThatFixTheDelayClearTheAlarm() async throws {
        let world = ControllerTestWorld { t in t < 60 ? 0.125 : 0.100 }
        world.hpa["b"]?.cloud?.desiredReplicas = 5
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 600)
        #expect(world.operations.isEmpty)
        #expect(log.transitions.contains("offload-alarm>camping"))
    }

    @Test func unknownTelemetryNeverActs() async throws {
        let world = ControllerTestWorld { _ in nil }
        world.edge = ["a", "b"]
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 7200)
        #expect(world.operations.isEmpty)
        #expect(log.transitions.isEmpty)
        #expect(log.skips.count >= 200)
    }

    @Test func lowDelayUnoffloadsScalingTheCloudFirst() async throws {
        // 20 ms leaves 80 ms to the band's midpoint; moving c back costs one remote call (RTT 50 ms).
        let world = ControllerTestWorld { _ in 0.020 }
        world.edge = ["a", "b", "c"]
        let log = EventLog()
        let controller = Self.controller(world, log)
        try await run(world, controller, seconds: 200)
        let decision = try #require(log.decisions.first)
        #expect(decision.action == .unoffload)
        let removed = try #require(decision.placement?.removed)
        #expect(!removed.isEmpty)
        // Staged (docs/controller.md §8.2): every removed service's cloud is scaled before any edge copy goes,
        // and the edge copies go callees first (the calls are a → b → c).
        let scales = world.operations.prefix(removed.count)
        #expect(scales.allSatisfy { if case .scale(_, .cloud, _) = $0 { true } else { false } }, "\(world.operations)")
        let deletes = world.operations.dropFirst(removed.count).map(\.service)
        #expect(deletes == ["c", "b", "a"].filter { removed.contains($0) }, "\(world.operations)")
    }

    @Test func theReferenceUnoffloadGoesPairByPair() async throws {
        let world = ControllerTestWorld { _ in 0.020 }
        world.edge = ["a", "b", "c"]
        let log = EventLog()
        var settings = ControllerTestWorld.settings()
        settings.policy = .reference
        let controller = PlacementController(
            settings: settings, telemetry: world, cluster: world, network: ControllerTestWorld.network, clock: world.clock,
            solver: BuiltInSolver(.auto),
            observer: { log.record($0) })
        try await run(world, controller, seconds: 200)
        guard case .scale(let first, .cloud, _)? = world.operations.first else {
            Issue.record("the cloud must absorb the replicas before the edge copy goes: \(world.operations)")
            return
        }
        #expect(world.operations[1] == .delete(service: first))
    }

    @Test func restartInTheMiddleOfAnOffloadConverges() async throws {
        let world = ControllerTestWorld { _ in 0.125 }
        world.failingApplies = ["b"]
        let log = EventLog()
        let first = Self.controller(world, log)
        try await run(world, first, seconds: 200)
        let planned = Set(try #require(log.decisions.first?.placement?.edgeServices))
        #expect(planned.contains("b"))
        #expect(!world.edge.contains("b"), "the failed service is not half applied")
        #expect(!world.operations.contains(.scale(service: "b", area: .edge, replicas: 1)))
        // A new process knows nothing of the first; it reads the cluster and finishes the job.
        let second = Self.controller(world, EventLog())
        try await run(world, second, seconds: 600)
        #expect(planned.isSubset(of: world.edge))
    }
}
