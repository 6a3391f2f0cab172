import Foundation
@testable import GMAControl
@testable import GMARuntime
import GMAOptimizer
import GMATestSupport
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
        let decider = PlacementDecider(settings: ControllerTestWorld.settings(), solver: BuiltInSolver(.auto))
        let decision = await decider.decide(try await Self.observation(world, network: ControllerTestWorld.network.conditions))
        let problem = try #require(decision.problem)
        // Midpoint of [80, 120] ms is 100 ms: reduce by 50 ms relative to the model's current delay.
        #expect(abs((problem.target.delayReductionSeconds ?? 0) - 0.050) < 1e-12)
        #expect(decision.placement?.feasible == true)
    }

    @Test func anEdgeCopyStartsAtTheCountTheCloudHPAAskedFor() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        var observation = try await Self.observation(world, network: ControllerTestWorld.network.conditions)
        // A surge: every cloud HPA runs 2 replicas and already wants 7.
        for service in observation.hpa.keys {
            observation.hpa[service]?.cloud = HPAStatus(name: service, currentReplicas: 2, desiredReplicas: 7, minReplicas: 1, maxReplicas: 20)
        }
        let settings = ControllerTestWorld.settings()
        let decision = await PlacementDecider(settings: settings, solver: BuiltInSolver(.auto)).decide(observation)
        let added = try #require(decision.placement?.added)
        #expect(!added.isEmpty)
        for service in added {
            let bounds = settings.bounds(of: service)
            let wanted = ReplicaScaling.edgeReplicasAfterOffload(
                cloudCurrent: 7, resourceScaling: settings.scaling(of: service), edgeMin: bounds.edge.min, edgeMax: bounds.edge.max)
            #expect(wanted > 2, "the edge bounds leave room to tell 7 from 2")
            #expect(decision.operations.contains(.scale(service: service, area: .edge, replicas: wanted)), "\(service): \(decision.operations)")
        }
    }

    @Test func anEdgeCopyStartsWithTheReplicasThatServeItsPlannedUsage() async throws {
        // Every service uses 4 cloud cores on 1-core edge requests; its cloud HPA runs and wants 2. As measured, the copy
        // starts at 4 replicas; planned for twice the load, at 8.
        let world = ControllerTestWorld { _ in 0.150 }
        let observation = try await Self.observation(world, network: ControllerTestWorld.network.conditions)
        let decider = PlacementDecider(settings: ControllerTestWorld.settings(), solver: BuiltInSolver(.auto))
        for (plan, replicas) in [(ActionPlan(), 4), (ActionPlan(lead: RiseLead(loadFactor: 2)), 8)] {
            let decision = await decider.decide(observation, plan: plan)
            let added = try #require(decision.placement?.added)
            #expect(!added.isEmpty)
            for service in added {
                #expect(decision.operations.contains(.scale(service: service, area: .edge, replicas: replicas)), "\(decision.operations)")
            }
        }
    }

    @Test func theCloudTakesBackAServiceWithTheReplicasItsUsageNeeds() async throws {
        // 45 ms, under the band: unoffload (all three back: + 50.04 ms, under the 100 ms midpoint). Each service uses 4 cloud cores and 1 edge core on 1-core requests at the
        // HPA's 60 % target: ⌈5 / 0.6⌉ = 9 replicas. The edge still runs the 20 of a peak that is over: rc + re = 23
        // is capped at 9; with 4 at the edge, 3 + 4 = 7 stays (the cap never adds replicas); a cloud already running
        // 12 keeps them (12 + 20 capped at 12, never below the running count).
        let world = ControllerTestWorld { _ in 0.045 }
        world.edge = ["a", "b", "c"]
        var observation = try await Self.observation(world, network: ControllerTestWorld.network.conditions)
        let decider = PlacementDecider(settings: ControllerTestWorld.settings(), solver: BuiltInSolver(.auto))
        for (running, edgeReplicas, cloudReplicas) in [(3, 20, 9), (3, 4, 7), (12, 20, 12)] {
            for service in ControllerTestWorld.names {
                observation.hpa[service] = ServiceHPAStatus(
                    cloud: HPAStatus(name: service, currentReplicas: running, desiredReplicas: running, minReplicas: 1, maxReplicas: 40),
                    edge: HPAStatus(name: service, currentReplicas: edgeReplicas, desiredReplicas: edgeReplicas, minReplicas: 1, maxReplicas: 30))
            }
            let decision = await decider.decide(observation)
            #expect(decision.action == .unoffload)
            let removed = try #require(decision.placement?.removed)
            #expect(!removed.isEmpty)
            for service in removed {
                #expect(decision.operations.contains(.scale(service: service, area: .cloud, replicas: cloudReplicas)), "\(decision.operations)")
            }
        }
    }

    @Test func aProjectedLoadScalesRatesAndCPUAndSaysSo() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        let observation = try await Self.observation(world, network: ControllerTestWorld.network.conditions)
        let measured = observation.snapshot
        let doubled = measured.scaledToLoad(2)
        #expect(doubled.userRequestsPerSecond == measured.userRequestsPerSecond.map { $0 * 2 })
        #expect(doubled.services.map(\.requestsPerSecond) == measured.services.map { $0.requestsPerSecond.map { $0 * 2 } })
        #expect(doubled.services.map(\.cpuUsageCores.cloud) == measured.services.map { $0.cpuUsageCores.cloud.map { $0 * 2 } })
        #expect(doubled.services.map(\.memoryUsageBytes) == measured.services.map(\.memoryUsageBytes), "memory does not scale")
        #expect(doubled.callRates.map(\.callsPerSecond) == measured.callRates.map { $0.callsPerSecond * 2 })
        #expect(doubled.callsPerRequest == measured.callsPerRequest && doubled.userDelaySeconds == measured.userDelaySeconds)

        let decider = PlacementDecider(settings: ControllerTestWorld.settings(), solver: BuiltInSolver(.auto))
        let planned = await decider.decide(observation, plan: ActionPlan(lead: RiseLead(loadFactor: 2)))
        let lambda = try #require(measured.userRequestsPerSecond)
        #expect(planned.problem?.userRequestsPerSecond == 2 * lambda, "the problem is the projected load's")
        #expect(planned.userRequestsPerSecond == lambda, "the decision reports what was measured")
        #expect(planned.reason.contains(String(format: "planned for %.1f req/s, the measured %.1f", 2 * lambda, lambda)))
        let asMeasured = await decider.decide(observation, plan: ActionPlan())
        #expect(asMeasured.problem?.userRequestsPerSecond == lambda && !asMeasured.reason.contains("planned for"))
    }

    @Test func aProjectionTakesTheAppsProfileFromTheLastCheckInBand() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        let now = try await Self.observation(world, network: ControllerTestWorld.network.conditions)
        // In band the app looked different: half the load, other calls per request and response sizes.
        var inBand = now.snapshot.scaledToLoad(0.5)
        inBand.callsPerRequest = inBand.callsPerRequest.map { Call(from: $0.from, to: $0.to, perRequest: $0.perRequest * 2) }
        inBand.services = inBand.services.map { var s = $0; s.responseBytes = 1234; return s }
        inBand.userDelaySeconds = 0.090
        let lambda = try #require(now.snapshot.userRequestsPerSecond)
        let projected = now.projected(by: 3, profile: inBand).snapshot
        // 3 × the measured λ, built from the profile scaled by 3λ / (λ/2) = 6.
        #expect(abs((projected.userRequestsPerSecond ?? 0) - 3 * lambda) < 1e-9)
        #expect(projected.callsPerRequest == inBand.callsPerRequest, "the profile's calls per request")
        #expect(projected.services.allSatisfy { $0.responseBytes == 1234 })
        #expect(projected.callRates.map(\.callsPerSecond) == inBand.callRates.map { $0.callsPerSecond * 6 })
        #expect(projected.userDelaySeconds == now.snapshot.userDelaySeconds, "the delays are the measured ones")
        // Without a profile, or at a factor of 1, the measured snapshot is scaled or kept.
        #expect(now.projected(by: 3, profile: nil).snapshot == now.snapshot.scaledToLoad(3))
        #expect(now.projected(by: 1, profile: inBand).snapshot == now.snapshot)
    }

    /// The cheapest subset of `candidates` the model accepts, by brute force: the answer the decider must give.
    static func bruteForceCheapest(_ problem: PlacementProblem) throws -> Set<String> {
        let model = try PlacementModel(problem)
        let movable = problem.services.filter { !$0.locked }.map(\.name)
        let current = Set(problem.services.filter(\.atEdge).map(\.name))
        var best: (cost: Double, set: Set<String>)?
        for mask in 0..<(1 << movable.count) {
            var set = Set(problem.services.filter(\.locked).filter(\.atEdge).map(\.name))
            for (bit, name) in movable.enumerated() where mask & (1 << bit) != 0 { set.insert(name) }
            // Offload only adds to the edge, unoffload only removes.
            if problem.action == .offload ? !set.isSuperset(of: current) : !set.isSubset(of: current) { continue }
            let evaluation = model.evaluate(try model.edgeSet(named: Array(set)))
            guard model.meetsTarget(delaySeconds: evaluation.delaySeconds) else { continue }
            if best == nil || evaluation.cost.total < best!.cost - 1e-12 { best = (evaluation.cost.total, set) }
        }
        return try #require(best).set
    }

    static func decide(edge: Set<String>, measured: Double, rtt: Double) async throws -> ControllerDecision {
        let world = ControllerTestWorld { _ in measured }
        world.locked { world.edge = edge }
        let network = NetworkConditions(rttSeconds: rtt, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9)
        let decider = PlacementDecider(settings: ControllerTestWorld.settings(), solver: BuiltInSolver(.auto))
        return await decider.decide(try await Self.observation(world, network: network))
    }

    /// Band 80–120 ms (midpoint 100 ms), quantile band 150–200 ms; the app is user → a → b → c, 50 req/s,
    /// 5 kB responses, 1 Gbit/s, so a crossing costs RTT + 8·5000/1e9 s = RTT + 40 µs.
    @Test func unoffloadWhenTheModelPredictsMoreThanMeasured() async throws {
        // RTT 200 ms (a multiplier used as a safety factor), edge {a}: the model puts the current placement at
        // 200.04 ms (one a → b crossing) while clients measure 50 ms (quantile 60 ms < 150 ms). Avg-driven
        // unoffload to the midpoint: an allowed increase of 100 − 50 = 50 ms on the model. Removing a moves the
        // crossing to user → a: 200.04 ms again, a change of 0 ≤ 50 ms, and the edge copy's cost is saved.
        let decision = try await Self.decide(edge: ["a"], measured: 0.050, rtt: 0.200)
        let problem = try #require(decision.problem)
        #expect(abs((problem.target.maxDelayIncreaseSeconds ?? -1) - 0.050) < 1e-12)
        #expect(try PlacementModel(problem).current.delaySeconds > 0.050, "the model is above the measured delay")
        #expect(decision.action == .unoffload, "\(decision.reason)")
        #expect(decision.placement?.removed == ["a"])
        #expect(try Self.bruteForceCheapest(problem) == [])
    }

    @Test func unoffloadWhenTheModelPredictsLessThanMeasured() async throws {
        // RTT 50 ms, everything at the edge: the model says 0 ms, clients measure 40 ms. Allowed increase
        // 100 − 40 = 60 ms; any single crossing costs 50.04 ms ≤ 60 ms and two cost 100.08 ms > 60 ms, so the
        // candidates are the prefixes of the chain left at the edge; the brute force picks the cheapest.
        let decision = try await Self.decide(edge: ["a", "b", "c"], measured: 0.040, rtt: 0.050)
        let problem = try #require(decision.problem)
        #expect(abs((problem.target.maxDelayIncreaseSeconds ?? -1) - 0.060) < 1e-12)
        #expect(decision.action == .unoffload, "\(decision.reason)")
        let placement = try #require(decision.placement)
        #expect(Set(placement.edgeServices) == (try Self.bruteForceCheapest(problem)))
        #expect(placement.evaluation.delaySeconds <= 0.060 + 1e-12)
        #expect(!placement.removed.isEmpty)
    }

    @Test func offloadWhenTheModelPredictsMoreThanMeasured() async throws {
        // RTT 200 ms, nothing at the edge: the model says 200.04 ms (user → a), clients measure 150 ms. Avg-driven
        // offload to the midpoint: a reduction of 150 − 100 = 50 ms relative to the model's current delay — the
        // chain must move whole (any cloud service behind an edge one keeps a 200 ms crossing), so all three.
        let decision = try await Self.decide(edge: [], measured: 0.150, rtt: 0.200)
        let problem = try #require(decision.problem)
        #expect(abs((problem.target.delayReductionSeconds ?? -1) - 0.050) < 1e-12)
        #expect(decision.action == .offload, "\(decision.reason)")
        #expect(Set(decision.placement?.added ?? []) == ["a", "b", "c"])
        #expect(try Self.bruteForceCheapest(problem) == ["a", "b", "c"])
    }

    @Test func offloadBeyondWhatTheModelExplainsPlansOnTheModelsOwnDelay() async throws {
        // RTT 200 ms, edge {a}: the model says 200.04 ms (the a → b crossing) while clients measure 5 s (a
        // saturation the model does not see). The relative target, a reduction of 5 − 0.1 = 4.9 s, no placement
        // meets (the model's whole delay is 200.04 ms), so the decider plans on the model's own delay: a
        // reduction of 200.04 − 100 = 100.04 ms, which only the whole chain at the edge meets (b or c left in
        // the cloud keeps a 200 ms crossing). The answer is feasible under that target and the cheapest one.
        let decision = try await Self.decide(edge: ["a"], measured: 5.0, rtt: 0.200)
        let problem = try #require(decision.problem)
        let model = try PlacementModel(problem)
        #expect(abs((problem.target.delayReductionSeconds ?? -1) - (model.current.delaySeconds - 0.100)) < 1e-12)
        #expect(abs(model.current.delaySeconds - 0.20004) < 1e-6)
        #expect(decision.reason.contains("planned on the model's own delay"), "\(decision.reason)")
        #expect(decision.placement?.feasible == true)
        #expect(Set(decision.placement?.added ?? []) == ["b", "c"])
        #expect(try Self.bruteForceCheapest(problem) == ["a", "b", "c"])
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
        // The plug-in's deadline is the solve budget + 5 s; a loaded machine (the whole suite in parallel) can
        // take longer than 7 s to start a debug gma, and these tests are about answers, not about time.
        settings.solveOptions.timeLimitSeconds = 60
        let observation = try await PlacementDeciderTests.observation(world, network: ControllerTestWorld.network.conditions)
        return await PlacementDecider(settings: settings, solver: settings.placementSolver).decide(observation)
    }

    @Test func gmaSolveIsAValidPlugin() async throws {
        let binary = try GMABinary.path()
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
        settings.solveOptions.timeLimitSeconds = 60
        let observation = try await PlacementDeciderTests.observation(world, network: ControllerTestWorld.network.conditions)
        let decision = await PlacementDecider(settings: settings, solver: settings.placementSolver).decide(observation)
        #expect(decision.placement?.note?.contains("removes a") == true, "\(decision.placement?.note ?? "")")
    }
}
