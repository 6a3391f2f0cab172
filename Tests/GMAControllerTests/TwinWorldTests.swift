import Foundation
import GMAOptimizer
import Testing

@testable import GMAControl
@testable import GMAProcess
@testable import GMATwin

/// The twin's world on a simulated clock, without the controller: what telemetry reports against the model,
/// how actuation takes effect, and what a seed fixes.
@Suite("Twin: world, telemetry and actuation")
struct TwinWorldTests {
    /// No measurement noise, no processing variation and no mismatch: telemetry reports window averages exactly.
    static var exact: TwinSettings {
        var s = TwinSettings()
        s.delayNoise = 0
        s.usageNoise = 0
        s.processingVariation = 0
        s.mismatch = .none
        return s
    }

    static func world(
        _ segments: [LoadProfile.Segment], settings: TwinSettings = exact, app: TwinApp = BundledApps.mubench
    ) throws -> (world: TwinWorld, clock: SimulatedClock) {
        let clock = SimulatedClock()
        let network = NetworkProfile(
            rttSeconds: app.problem.network.rttSeconds, bandwidthBitsPerSecond: app.problem.network.cloudToEdgeBitsPerSecond)
        let world = try TwinWorld(
            app: app, load: LoadProfile(segments: segments), network: network, settings: settings, clock: clock)
        return (world, clock)
    }

    static func advance(_ w: (world: TwinWorld, clock: SimulatedClock), to t: Double) {
        w.clock.advance(by: t - w.clock.now().timeIntervalSince(w.world.start))
        w.world.catchUp()
    }

    /// The delay users see at `t`, from the twin's physics on the serving set and the ready replicas now
    /// (the physics itself is checked by hand in TwinPhysicsTests).
    static func expected(_ world: TwinWorld, serving names: Set<String>, at t: Double) -> TwinState {
        let view = world.clusterView()
        return world.physics.evaluate(
            lambda: world.load.rate(at: t), network: world.network.conditions(at: t),
            serving: world.app.serviceNames.map { names.contains($0) },
            capacity: TwinCapacity(cloudReplicas: view.cloud.map(\.current), edgeReplicas: view.edge.map(\.current)))
    }

    /// Checks the last telemetry window against the physics at `t`; the world must have been steady for a window.
    static func expectTelemetryMatchesPhysics(
        _ w: (world: TwinWorld, clock: SimulatedClock), serving: Set<String>, at t: Double
    ) async throws {
        let truth = expected(w.world, serving: serving, at: t)
        let window = w.world.recorder.samples(after: t - w.world.settings.telemetryWindowSeconds, upTo: t)
        #expect(window.count == 12, "a minute of 5 s ticks")
        for sample in window {
            #expect(Set(sample.servingAtEdge) == serving, "t = \(sample.time): serving \(sample.servingAtEdge)")
            #expect(abs(sample.delaySeconds - truth.meanSeconds) < 1e-9, "t = \(sample.time): \(sample.delaySeconds) vs \(truth.meanSeconds)")
            #expect(abs(sample.queueingDelaySeconds - truth.queueingSeconds) < 1e-9,
                    "t = \(sample.time): \(sample.queueingDelaySeconds) vs \(truth.queueingSeconds)")
        }
        let snapshot = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        let mean = try #require(snapshot.userDelaySeconds)
        #expect(abs(mean - truth.meanSeconds) < 1e-9, "reported \(mean), physics \(truth.meanSeconds)")
        #expect(truth.queueingSeconds > 0, "the queueing term is part of what is checked")
        #expect(mean < w.world.settings.timeoutSeconds, "not capped by the timeout")
        let quantile = try #require(snapshot.userDelayQuantileSeconds)
        #expect(quantile > mean, "waits spread even without latency variation: the quantile is above the mean")
        #expect(snapshot.reasons.isEmpty)
    }

    @Test func cloudOnlyTelemetryIsThePhysics() async throws {
        let w = try Self.world([.hold(rate: 160, seconds: 3600)])
        Self.advance(w, to: 600)
        try await Self.expectTelemetryMatchesPhysics(w, serving: [], at: 600)
    }

    @Test func offloadedTelemetryIsThePhysicsOfTheServingPlacement() async throws {
        // 240 req/s: the first offload of the calibrated app is enough (BundledApps.mubench).
        let w = try Self.world([.hold(rate: 240, seconds: 3600)])
        let cluster = TwinCluster(world: w.world)
        Self.advance(w, to: 60)
        let offloaded: Set<String> = ["s0", "s1", "s2", "s3", "s4", "s9"]
        for name in offloaded.sorted() { try await cluster.apply(service: name) }
        // Rollout, the edge HPAs' start and the cloud HPAs' scale-down window, then a quiet window.
        Self.advance(w, to: 900)
        try await Self.expectTelemetryMatchesPhysics(w, serving: offloaded, at: 900)
    }

    @Test func usageIsReportedExactlyWithoutNoise() async throws {
        let w = try Self.world([.hold(rate: 120, seconds: 3600)])
        Self.advance(w, to: 300)
        let snapshot = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        let last = try #require(w.world.recorder.lastSample)
        for (i, service) in snapshot.services.enumerated() {
            #expect(abs((service.cpuUsageCores.cloud ?? -1) - last.cpuCloud[i]) < 1e-12, "\(service.name)")
            #expect(service.cpuUsageCores.edge == nil, "\(service.name) has no edge copy")
        }
    }

    @Test func noTrafficIsUnknownNotZero() async throws {
        let w = try Self.world([.hold(rate: 0, seconds: 300), .hold(rate: 50, seconds: 600)])
        Self.advance(w, to: 120)
        let idle = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        #expect(idle.userDelaySeconds == nil && idle.userDelayQuantileSeconds == nil && idle.userRequestsPerSecond == nil)
        #expect(idle.reasons.contains { $0.problem == .noTraffic }, "\(idle.reasons)")
        Self.advance(w, to: 420)
        let busy = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        #expect(busy.userDelaySeconds != nil, "traffic again after 300 s")
    }

    @Test func aSaturatedLinkReportsTheTimeout() async throws {
        var settings = Self.exact
        settings.timeoutSeconds = 4
        // Far beyond what a 20 Mbit/s uplink carries cloud-only.
        let w = try Self.world([.hold(rate: 2000, seconds: 600)], settings: settings)
        Self.advance(w, to: 120)
        let snapshot = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        #expect(snapshot.userDelaySeconds == 4)
        #expect(w.world.recorder.lastSample?.delaySeconds == 4)
    }

    @Test func noTrafficRunSkipsCyclesAndNeverActs() async throws {
        let scenario = try Scenario.parse("app: mubench\nload:\n  - hold: {rate: 0, for: 10m}\n", file: "idle.yaml")
        let run = try await TwinSimulation(scenario: scenario).run()
        #expect(run.actions.isEmpty)
        #expect(run.events.contains { $0.kind == .skipped }, "\(run.events.map(\.text))")
        #expect(!run.events.contains { $0.kind == .observation })
    }

    // MARK: Rollout

    @Test func applyServesOnlyAfterTheRolloutAndDeleteStopsAfterTheRemoval() async throws {
        var settings = Self.exact
        settings.rolloutSeconds = 30
        settings.removalSeconds = 10
        let w = try Self.world([.hold(rate: 160, seconds: 3600)], settings: settings)
        let cluster = TwinCluster(world: w.world)
        Self.advance(w, to: 60)
        #expect(try await cluster.edgeServices().isEmpty)
        #expect(try await cluster.hpaStatus()["s0"]?.edge == nil)

        try await cluster.apply(service: "s0")
        // Deployed at once (the Deployment and its HPA exist) ...
        #expect(try await cluster.edgeServices() == ["s0"])
        #expect(try await cluster.hpaStatus()["s0"]?.edge != nil)
        Self.advance(w, to: 300)
        try await cluster.delete(service: "s0")
        // ... and gone at once from the cluster's view on delete.
        #expect(try await cluster.edgeServices().isEmpty)
        #expect(try await cluster.hpaStatus()["s0"]?.edge == nil)
        Self.advance(w, to: 400)

        // Serving (what users see) follows 30 s after the apply and 10 s after the delete.
        let samples = w.world.recorder.samples
        let serving = samples.filter { $0.servingAtEdge.contains("s0") }.map(\.time)
        #expect(serving.first == 90, "first tick serving s0: \(String(describing: serving.first))")
        #expect(serving.last == 305, "last tick serving s0: \(String(describing: serving.last))")
        #expect(serving.count == Int((310 - 90) / 5), "serving without a gap from 90 s to 305 s")
        let deployed = samples.filter { $0.deployedAtEdge.contains("s0") }.map(\.time)
        #expect(deployed.first == 65 && deployed.last == 300, "deployed \(deployed.first ?? -1) … \(deployed.last ?? -1)")

        // The delay moves when serving changes, not when gma acts.
        func delay(_ t: Double) -> Double { samples.first { $0.time == t }?.networkDelaySeconds ?? -1 }
        #expect(delay(60) == delay(85), "no change during the rollout")
        #expect(delay(85) != delay(90), "the placement changes when the edge copy serves")
        #expect(delay(310) == delay(60), "cloud-only again after the removal")
    }

    @Test func reapplyDuringTheRemovalKeepsServing() async throws {
        let w = try Self.world([.hold(rate: 160, seconds: 3600)])
        let cluster = TwinCluster(world: w.world)
        try await cluster.apply(service: "s0")
        Self.advance(w, to: 100)
        try await cluster.delete(service: "s0")
        Self.advance(w, to: 105)
        try await cluster.apply(service: "s0")
        Self.advance(w, to: 200)
        let samples = w.world.recorder.samples.filter { $0.time >= 30 }
        // The new rollout ends at 135 s; the removal would have ended at 110 s.
        let gap = samples.filter { !$0.servingAtEdge.contains("s0") }.map(\.time)
        #expect(gap == [110, 115, 120, 125, 130], "\(gap)")
    }

    @Test func unknownServiceIsAnError() async throws {
        let w = try Self.world([.hold(rate: 160, seconds: 600)])
        await #expect(throws: ClusterError.self) { try await TwinCluster(world: w.world).apply(service: "s42") }
    }

    @Test func scaleUpOfTheCloudStartsPods() async throws {
        let w = try Self.world([.hold(rate: 160, seconds: 600)])
        let cluster = TwinCluster(world: w.world)
        Self.advance(w, to: 60)
        let before = try #require(try await cluster.hpaStatus()["s5"]?.cloud?.currentReplicas)
        try await cluster.scale(service: "s5", area: .cloud, replicas: before + 3)
        let starting = try #require(try await cluster.hpaStatus()["s5"]?.cloud)
        #expect(starting.currentReplicas == before && starting.desiredReplicas == before + 3)
        Self.advance(w, to: 60 + w.world.settings.hpa.podStartupSeconds)
        #expect(try await cluster.hpaStatus()["s5"]?.cloud?.currentReplicas == before + 3)
    }

    // MARK: Seeds

    static let short = """
        app: mubench
        load:
          - hold: {rate: 160, for: 10m}
          - hold: {rate: 220, for: 15m}
        """

    @Test func sameSeedSameRunOtherSeedOtherNoise() async throws {
        // Without a service-time spread the seed draws only measurement noise (the spread is checked below).
        let scenario = try Scenario.parse(Self.short + "\nseed: 5\nmismatch: {serviceTime: 0}\n", file: "seeded.yaml")
        let first = try await TwinSimulation(scenario: scenario).run()
        let again = try await TwinSimulation(scenario: scenario).run()
        #expect(first.csv == again.csv, "same seed, same timeline CSV")
        #expect(first.events == again.events)

        var reseeded = scenario
        reseeded.twin.seed = 6
        let other = try await TwinSimulation(scenario: reseeded).run()
        #expect(first.csv != other.csv)
        let measured = { (run: TwinRunResult) in run.events.filter { $0.kind == .observation }.map(\.values) }
        let pairs = zip(measured(first), measured(other))
        #expect(pairs.contains { $0.0 != $0.1 }, "the measured delays differ")
        // Noise is measurement only: before gma acts, the truth is the same.
        let firstAction = min(first.actions.first?.time ?? .infinity, other.actions.first?.time ?? .infinity)
        let quiet = { (run: TwinRunResult) in run.samples.filter { $0.time < firstAction } }
        #expect(quiet(first) == quiet(other))
    }

    /// The service-time mismatch is drawn per seed, within ±spread, and changes what users see.
    @Test func theSeedDrawsTheServiceTimeMismatch() async throws {
        let spread = TwinMismatch(rttFactor: 1, bandwidthFactor: 1, serviceTimeSpread: 0.3)
        let a = spread.serviceTimeFactors(count: 10, seed: 5)
        #expect(a == spread.serviceTimeFactors(count: 10, seed: 5))
        #expect(a != spread.serviceTimeFactors(count: 10, seed: 6))
        #expect(a.allSatisfy { $0 >= 0.7 && $0 <= 1.3 } && Set(a).count == 10, "\(a)")
        #expect(TwinMismatch.none.serviceTimeFactors(count: 3, seed: 5) == [1, 1, 1])
        var settings = Self.exact
        settings.mismatch = spread
        let seeded = try Self.world([.hold(rate: 160, seconds: 600)], settings: settings)
        let plain = try Self.world([.hold(rate: 160, seconds: 600)])
        #expect(seeded.world.recorder.lastSample?.processingDelaySeconds != plain.world.recorder.lastSample?.processingDelaySeconds)
    }

    @Test func randomStreamsAreReproducibleAndIndependent() {
        var a = TwinRandom.stream(seed: 9, label: 1)
        var b = TwinRandom.stream(seed: 9, label: 1)
        var c = TwinRandom.stream(seed: 9, label: 2)
        let x = (0..<100).map { _ in a.normal() }
        #expect(x == (0..<100).map { _ in b.normal() })
        #expect(x != (0..<100).map { _ in c.normal() })
        let mean = x.reduce(0, +) / 100
        #expect(abs(mean) < 0.4, "standard normal draws: mean \(mean)")
    }
}
