import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl
@testable import GMATwin

/// The twin's physics (docs/twin.md §1) against numbers worked by hand, and the oracle (§3) against brute force.
@Suite("Twin: physics and oracle")
struct TwinPhysicsTests {
    /// user → a (1 call), a → b (2 calls). 1-core requests, limit 2 cores; a: 10 ms CPU, 4 ms latency,
    /// 1000 B responses; b: 5 ms CPU, 2 ms latency, 5000 B responses. RTT 20 ms, 10 Mbit/s.
    static func tinyApp(bounds: ReplicaBounds = ReplicaBounds(min: 1, max: 10)) -> TwinApp {
        func service(_ name: String, bytes: Double, latency: Double) -> Service {
            Service(
                name: name, cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 0, edge: 0),
                cpuUsageCores: PerArea(cloud: 0, edge: 0), memoryUsageBytes: PerArea(cloud: 0, edge: 0),
                responseBytes: bytes, internalDelaySeconds: latency)
        }
        let problem = PlacementProblem(
            metadata: Metadata(name: "tiny", source: "test"), action: .offload,
            services: [service("a", bytes: 1000, latency: 0.004), service("b", bytes: 5000, latency: 0.002)],
            calls: [Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "b", perRequest: 2)],
            userRequestsPerSecond: 1,
            network: Network(rttSeconds: 0.020, cloudToEdgeBitsPerSecond: 10e6, edgeToCloudBitsPerSecond: 10e6),
            prices: BundledApps.prices, target: Target(delayReductionSeconds: 0))
        return TwinApp(
            name: "tiny", problem: problem, cpuSecondsPerCall: [0.010, 0.005], memoryByteSecondsPerCall: [0, 0],
            replicaBounds: Array(repeating: PerArea(cloud: bounds, edge: bounds), count: 2))
    }

    static var exact: TwinSettings {
        var s = TwinSettings()
        s.processingVariation = 0
        s.mismatch = .none
        return s
    }

    static let net = NetworkConditions(rttSeconds: 0.020, cloudToEdgeBitsPerSecond: 10e6, edgeToCloudBitsPerSecond: 10e6)
    static let oneEach = TwinCapacity(cloudReplicas: [1, 1], edgeReplicas: [1, 1])

    @Test func erlangCMatchesTheTextbook() {
        // M/M/1: P(wait) = ρ, W = ρ/(1−ρ) · s. ρ = 0.25, s = 4 ms: 1.333… ms.
        #expect(abs(ErlangC.wait(servers: 1, offered: 0.25, service: 0.004).mean - 0.25 * 0.004 / 0.75) < 1e-15)
        // Two servers at a = 1: C = 1/3, W = C · s / (c − a) = s/3.
        #expect(abs(ErlangC.wait(servers: 2, offered: 1, service: 0.009).mean - 0.003) < 1e-15)
    }

    /// Cloud-only at 50 req/s. One crossing (user → a): 8000 bits, link ρ = 50 · 8000 / 10⁷ = 0.04, transfer
    /// 0.8 ms / 0.96, so the network part is 20 + 0.8333 ms. Latencies 4 + 2 · 2 = 8 ms. Queues, one replica
    /// each: a gets 50 calls/s of 10 ms CPU on a 2-core limit, ρ = 0.25, wait 0.25 · 4 / 0.75 = 1.333 ms; b gets
    /// 100 calls/s of 5 ms, ρ = 0.25, wait 0.25 · 2 / 0.75 = 0.667 ms per call, twice. Sum: 31.5 ms.
    @Test func cloudOnlyDelayByHand() {
        let physics = TwinPhysics(app: Self.tinyApp(), settings: Self.exact)
        let state = physics.evaluate(lambda: 50, network: Self.net, serving: [false, false], capacity: Self.oneEach)
        #expect(abs(state.linkUtilisation - 0.04) < 1e-12)
        #expect(abs(state.networkSeconds - (0.020 + 0.0008 / 0.96)) < 1e-12)
        #expect(abs(state.processingSeconds - 0.008) < 1e-12)
        #expect(abs(state.queueingSeconds - 0.0026666666666667) < 1e-12)
        #expect(abs(state.meanSeconds - 0.0315) < 1e-12, "\(state.meanSeconds)")
        #expect(state.cloudCalls == [1, 2] && state.edgeCalls == [0, 0])
        // The CPU the copies use: 50 · 10 ms and 100 · 5 ms.
        #expect(abs(state.cpuCloud[0] - 0.5) < 1e-12 && abs(state.cpuCloud[1] - 0.5) < 1e-12)
    }

    /// a at the edge: the user's call stays at the edge, a's two calls to b cross: 2 · 40 000 bits at 50 req/s
    /// is 4 Mbit/s, ρ = 0.4, transfer 4 ms / 0.6; network 2 · (20 + 6.667) ms; the same queues: 64 ms.
    /// With the true RTT 1.5× the configured one, each crossing costs 10 ms more.
    @Test func edgeDelayAndTheRTTMismatchByHand() {
        let physics = TwinPhysics(app: Self.tinyApp(), settings: Self.exact)
        let state = physics.evaluate(lambda: 50, network: Self.net, serving: [true, false], capacity: Self.oneEach)
        #expect(state.cloudCalls == [0, 2] && state.edgeCalls == [1, 0])
        #expect(abs(state.linkUtilisation - 0.4) < 1e-12)
        #expect(abs(state.meanSeconds - 0.064) < 1e-12, "\(state.meanSeconds)")

        var slower = Self.exact
        slower.mismatch = TwinMismatch(rttFactor: 1.5, bandwidthFactor: 1, serviceTimeSpread: 0)
        let truth = TwinPhysics(app: Self.tinyApp(), settings: slower)
            .evaluate(lambda: 50, network: Self.net, serving: [true, false], capacity: Self.oneEach)
        #expect(abs(truth.meanSeconds - 0.084) < 1e-12, "two crossings, 10 ms each: \(truth.meanSeconds)")
    }

    @Test func aCopyWithoutReadyReplicasOrASaturatedLinkTimesOut() {
        let physics = TwinPhysics(app: Self.tinyApp(), settings: Self.exact)
        let noReplica = physics.evaluate(
            lambda: 50, network: Self.net, serving: [false, false], capacity: TwinCapacity(cloudReplicas: [1, 0], edgeReplicas: [0, 0]))
        #expect(noReplica.meanSeconds == Self.exact.timeoutSeconds)
        // 1300 req/s: the a → b crossings carry 104 Mbit/s on a 10 Mbit/s link.
        let flood = physics.evaluate(lambda: 1300, network: Self.net, serving: [true, false], capacity: Self.oneEach)
        #expect(flood.linkUtilisation > 1 && flood.meanSeconds == Self.exact.timeoutSeconds)
    }

    /// A backlog of 100 calls at a (capacity 1 replica · 2 cores / 10 ms = 200 calls/s) adds 0.5 s before a
    /// new call; at 50 calls/s it drains by 150 calls/s, so one 1 s tick empties it.
    @Test func aBacklogDelaysAndDrains() {
        let physics = TwinPhysics(app: Self.tinyApp(), settings: Self.exact)
        var capacity = Self.oneEach
        capacity.cloudBacklog = [100, 0]
        let state = physics.evaluate(lambda: 50, network: Self.net, serving: [false, false], capacity: capacity)
        #expect(abs(state.meanSeconds - (0.0315 + 0.5)) < 1e-12)
        #expect(physics.drained(100, callsPerSecond: 50, replicas: 1, busy: physics.busySeconds(0, .cloud), seconds: 0.5) == 25)
        #expect(physics.drained(100, callsPerSecond: 50, replicas: 1, busy: physics.busySeconds(0, .cloud), seconds: 1) == 0)
    }

    /// The oracle against trying every edge set of the bundled apps at several loads: the cheapest set whose
    /// steady-state delay is at or below the threshold (or the fastest when none is).
    @Test(arguments: [40.0, 160.0, 280.0, 520.0, 2000.0])
    func oracleIsTheBruteForceOptimum(lambda: Double) {
        let app = BundledApps.mubench
        var settings = TwinSettings()
        settings.seed = 3
        let physics = TwinPhysics(app: app, settings: settings)
        let oracle = TwinOracle(physics: physics, thresholdSeconds: 0.120, locked: [Bool](repeating: false, count: 10))
        let net = NetworkConditions(rttSeconds: 0.035, cloudToEdgeBitsPerSecond: 20e6, edgeToCloudBitsPerSecond: 20e6)
        var best: (cost: Double, mask: Int)?
        var fastest = (delay: Double.infinity, mask: 0)
        for mask in 0..<(1 << 10) {
            let serving = (0..<10).map { mask & (1 << $0) != 0 }
            let (state, cost) = physics.steadyState(lambda: lambda, network: net, serving: serving)
            if state.meanSeconds < fastest.delay { fastest = (state.meanSeconds, mask) }
            if state.meanSeconds <= 0.120, cost < (best?.cost ?? .infinity) { best = (cost, mask) }
        }
        let answer = oracle.placement(lambda: lambda, network: net)
        #expect(answer.exact)
        if let best {
            #expect(abs(answer.costPerHour - best.cost) < 1e-12, "oracle \(answer.costPerHour), brute force \(best.cost)")
            #expect(answer.delaySeconds <= 0.120)
        } else {
            let serving = (0..<10).map { fastest.mask & (1 << $0) != 0 }
            #expect(answer.edgeSet == serving, "nothing meets the threshold: the fastest set")
        }
        #expect(oracle.placement(lambda: lambda, network: net) == answer, "cached")
    }

    /// The oracle skips a set whose delay floor (link and latency, no queue) is over the threshold: sound only if
    /// no set's steady delay is ever below its floor. Every set of the bundled app at light to saturating loads,
    /// with a mismatch drawn; a saturated link's floor is the timeout, as its delay is.
    @Test(arguments: [40.0, 280.0, 520.0, 2000.0])
    func delayFloorNeverExceedsTheDelay(lambda: Double) {
        var settings = TwinSettings()
        settings.seed = 5
        let physics = TwinPhysics(app: BundledApps.mubench, settings: settings)
        let net = NetworkConditions(rttSeconds: 0.035, cloudToEdgeBitsPerSecond: 20e6, edgeToCloudBitsPerSecond: 20e6)
        var overThreshold = 0
        for mask in 0..<(1 << 10) {
            let serving = (0..<10).map { mask & (1 << $0) != 0 }
            let floor = physics.delayFloor(lambda: lambda, network: net, serving: serving, route: physics.route(serving: serving))
            let state = physics.steadyState(lambda: lambda, network: net, serving: serving).state
            #expect(floor <= state.meanSeconds, "set \(mask): floor \(floor) over the delay \(state.meanSeconds)")
            if state.linkUtilisation >= 1 { #expect(floor == physics.timeoutSeconds && state.meanSeconds == floor) }
            if floor > 0.120 { overThreshold += 1 }
        }
        // Sets that cross the link often are over the threshold by their round trips alone, at any load (480 of
        // 1,024 at 40 req/s); past the link's capacity most are.
        #expect(overThreshold > 0)
        if lambda == 2000 { #expect(overThreshold > 512) }
    }

    /// A threshold no set meets (5 ms): the oracle answers the fastest set, the cheapest of them on a tie, though
    /// every set's floor is over the threshold and none was timed on the way.
    @Test func oracleWithNothingInReachIsTheFastestSet() {
        let physics = TwinPhysics(app: BundledApps.mubench, settings: TwinSettings())
        let oracle = TwinOracle(physics: physics, thresholdSeconds: 0.005, locked: [Bool](repeating: false, count: 10))
        let net = NetworkConditions(rttSeconds: 0.035, cloudToEdgeBitsPerSecond: 20e6, edgeToCloudBitsPerSecond: 20e6)
        var fastest: (delay: Double, cost: Double)?
        for mask in 0..<(1 << 10) {
            let (state, cost) = physics.steadyState(lambda: 160, network: net, serving: (0..<10).map { mask & (1 << $0) != 0 })
            #expect(state.meanSeconds > 0.005)
            if fastest == nil || state.meanSeconds < fastest!.delay || (state.meanSeconds == fastest!.delay && cost < fastest!.cost) {
                fastest = (state.meanSeconds, cost)
            }
        }
        let answer = oracle.placement(lambda: 160, network: net)
        #expect(answer.delaySeconds == fastest?.delay)
        #expect(answer.costPerHour == fastest?.cost)
        #expect(answer.delaySeconds == physics.steadyState(lambda: 160, network: net, serving: answer.edgeSet).state.meanSeconds)
    }
}
