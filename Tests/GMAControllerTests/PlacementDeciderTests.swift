import Foundation
import GMAController
import GMAOptimizer
import Testing

/// How the decider turns the measured delay into the problem's target.
@Suite struct PlacementDeciderTests {
    static func observation(_ world: ControllerTestWorld, network: NetworkConditions) async throws -> PlacementDecider.Observation {
        PlacementDecider.Observation(
            time: world.clock.now(), snapshot: try await world.snapshot(at: nil), edgeServices: world.edge,
            hpa: try await world.hpaStatus(), network: network)
    }

    @Test func relativeTargetWhenTheModelExplainsPartOfTheDelay() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        let decider = PlacementDecider(settings: ControllerTestWorld.settings())
        let decision = await decider.decide(try await Self.observation(world, network: ControllerTestWorld.network.conditions))
        let problem = try #require(decision.problem)
        // Midpoint of [80, 120] ms is 100 ms: reduce by 50 ms relative to the model's current delay.
        #expect(abs((problem.target.delayReductionSeconds ?? 0) - 0.050) < 1e-12)
        #expect(decision.placement?.feasible == true)
    }

    @Test func absoluteTargetWhenTheModelPredictsMoreThanMeasured() async throws {
        // 50 req/s × 5 kB × 8 = 2 Mbit/s over a 2.1 Mbit/s link: ρ ≈ 0.95, the model's transfer term explodes
        // while clients measure only 150 ms.
        let world = ControllerTestWorld { _ in 0.150 }
        let saturated = NetworkConditions(rttSeconds: 0.05, cloudToEdgeBitsPerSecond: 2.1e6, edgeToCloudBitsPerSecond: 2.1e6)
        let decider = PlacementDecider(settings: ControllerTestWorld.settings())
        let decision = await decider.decide(try await Self.observation(world, network: saturated))
        let problem = try #require(decision.problem)
        let placement = try #require(decision.placement)
        #expect(decision.reason.contains("absolute target"))
        #expect(placement.feasible)
        #expect(placement.evaluation.delaySeconds <= 0.100 + 1e-12, "the model's own delay reaches the 100 ms target")
        #expect(try PlacementModel(problem).current.delaySeconds > 0.150)
    }
}

/// `optimizer.connector: exec:PATH`: a program reading the problem on stdin, writing a solve result.
@Suite struct ExternalSolverTests {
    /// An executable script in a temporary directory.
    static func plugin(_ body: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gma-plugin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("plugin").path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    static func decide(with plugin: String) async throws -> ControllerDecision {
        let world = ControllerTestWorld { _ in 0.150 }
        var settings = ControllerTestWorld.settings()
        settings.externalSolver = plugin
        let observation = try await PlacementDeciderTests.observation(world, network: ControllerTestWorld.network.conditions)
        return await PlacementDecider(settings: settings).decide(observation)
    }

    @Test func gmaSolveIsAValidPlugin() async throws {
        let binary = try #require(gmaBinary, "the gma executable is built by swift test")
        let decision = try await Self.decide(with: try Self.plugin("exec '\(binary)' solve - --solver greedy --format json"))
        let placement = try #require(decision.placement)
        #expect(placement.solver == "exec:plugin")
        #expect(placement.feasible)
        #expect(placement.note == nil)
        #expect(!decision.operations.isEmpty)
    }

    @Test(arguments: [
        ("exit 3", "exit status 3"),
        ("echo 'not json'", "edgeServices"),
        (#"echo '{"edgeServices": ["nope"]}'"#, "nope"),
        (#"cat > /dev/null; echo '{"edgeServices": ["a", "b", "c", "zz"]}'"#, "zz"),
    ])
    func badPluginsFallBackToAuto(script: String, mentioned: String) async throws {
        let decision = try await Self.decide(with: try Self.plugin(script))
        let placement = try #require(decision.placement)
        #expect(placement.solver != "exec:plugin")
        #expect(placement.note?.contains("fell back to auto") == true)
        #expect(placement.note?.contains(mentioned) == true, "\(placement.note ?? "")")
        #expect(decision.reason.contains("plug-in failed"))
        #expect(placement.feasible)
    }

    @Test func aPluginMayNotRemoveDuringAnOffload() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        world.edge = ["a"]
        var settings = ControllerTestWorld.settings()
        settings.externalSolver = try Self.plugin(#"cat > /dev/null; echo '{"edgeServices": ["b"]}'"#)
        let observation = try await PlacementDeciderTests.observation(world, network: ControllerTestWorld.network.conditions)
        let decision = await PlacementDecider(settings: settings).decide(observation)
        #expect(decision.placement?.note?.contains("removes a") == true, "\(decision.placement?.note ?? "")")
    }
}
