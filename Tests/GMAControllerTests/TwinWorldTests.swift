import Foundation
import GMAOptimizer
import Testing

@testable import GMAController

/// The twin's world on a simulated clock, without the controller: what telemetry reports against the model,
/// how actuation takes effect, and what a seed fixes.
@Suite("Twin: world, telemetry and actuation")
struct TwinWorldTests {
    /// No measurement noise and no processing variation: telemetry reports window averages exactly.
    static var exact: TwinSettings {
        var s = TwinSettings()
        s.delayNoise = 0
        s.usageNoise = 0
        s.processingVariation = 0
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

    /// The delay users see, computed here from the model and the ready replicas: the model's delay of the
    /// serving placement (FORMAT.md §1.5) plus Σ N · queueing · D_int · ρ/(1−ρ) over the instance-sets that
    /// get calls, ρ = usage / (ready replicas · request) capped at 0.95.
    static func expected(_ world: TwinWorld, serving names: Set<String>, at t: Double) throws
        -> (model: Double, queueing: Double)
    {
        let app = world.app
        let problem = app.problem(
            lambda: world.load.rate(at: t), network: world.network.conditions(at: t), totalCalls: world.currentTotalCalls)
        let evaluation = try PlacementModel(problem).evaluate(app.serviceNames.map { names.contains($0) })
        let view = world.clusterView()
        var queueing = 0.0
        for (i, service) in app.problem.services.enumerated() {
            let sets = [
                (evaluation.cloudCalls[i], evaluation.cpuUsageCloud[i], view.cloud[i].current, service.cpuRequestCores.cloud),
                (evaluation.edgeCalls[i], evaluation.cpuUsageEdge[i], view.edge[i].current, service.cpuRequestCores.edge),
            ]
            for (calls, usage, ready, request) in sets where calls > 0 && usage > 0 {
                let rho = ready > 0 ? min(usage / (Double(ready) * request), 0.95) : 0.95
                queueing += calls * world.settings.queueing * service.internalDelaySeconds * rho / (1 - rho)
            }
        }
        return (evaluation.delaySeconds, queueing)
    }

    /// Checks the last telemetry window against the model at `t`; the world must have been steady for a window.
    static func expectTelemetryMatchesModel(
        _ w: (world: TwinWorld, clock: SimulatedClock), serving: Set<String>, at t: Double
    ) async throws {
        let truth = try expected(w.world, serving: serving, at: t)
        let window = w.world.recorder.samples(after: t - w.world.settings.telemetryWindowSeconds, upTo: t)
        #expect(window.count == 12, "a minute of 5 s ticks")
        for sample in window {
            #expect(Set(sample.servingAtEdge) == serving, "t = \(sample.time): serving \(sample.servingAtEdge)")
            #expect(abs(sample.modelDelaySeconds - truth.model) < 1e-9, "t = \(sample.time): \(sample.modelDelaySeconds) vs \(truth.model)")
            #expect(abs(sample.queueingDelaySeconds - truth.queueing) < 1e-9,
                    "t = \(sample.time): \(sample.queueingDelaySeconds) vs \(truth.queueing)")
        }
        let snapshot = try await TwinTelemetry(world: w.world).snapshot(at: nil)
        let mean = try #require(snapshot.userDelaySeconds)
        #expect(abs(mean - (truth.model + truth.queueing)) < 1e-9, "reported \(mean), model \(truth.model) + queueing \(truth.queueing)")
        #expect(truth.queueing > 0, "the queueing term is part of what is checked")
        #expect(mean < w.world.settings.timeoutSeconds, "not capped by the timeout")
        let quantile = try #require(snapshot.userDelayQuantileSeconds)
        #expect(abs(quantile - mean) < 1e-9, "no processing variation: the quantile is the mean")
        #expect(snapshot.reasons.isEmpty)
    }

    @Test func cloudOnlyTelemetryIsTheModelPlusQueueing() async throws {
        let w = try Self.world([.hold(rate: 160, seconds: 3600)])
        Self.advance(w, to: 600)
        try await Self.expectTelemetryMatchesModel(w, serving: [], at: 600)
    }

    @Test func offloadedTelemetryIsTheModelOfTheServingPlacementPlusQueueing() async throws {
        // 240 req/s: the first offload of the calibrated app is enough (BundledApps.mubench).
        let w = try Self.world([.hold(rate: 240, seconds: 3600)])
        let cluster = TwinCluster(world: w.world)
        Self.advance(w, to: 60)
        let offloaded: Set<String> = ["s0", "s1", "s2", "s3", "s4", "s9"]
        for name in offloaded.sorted() { try await cluster.apply(service: name) }
        // Rollout, the edge HPAs' start and the cloud HPAs' scale-down window, then a quiet window.
        Self.advance(w, to: 900)
        try await Self.expectTelemetryMatchesModel(w, serving: offloaded, at: 900)
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
        func delay(_ t: Double) -> Double { samples.first { $0.time == t }?.modelDelaySeconds ?? -1 }
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
        let scenario = try Scenario.parse(Self.short + "\nseed: 5\n", file: "seeded.yaml")
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
