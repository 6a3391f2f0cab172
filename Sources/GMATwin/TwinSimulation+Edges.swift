import Foundation
import GMAControl
import GMAOptimizer

/// How the edges of a multi-edge scenario are controlled (docs/twin.md §6).
public enum MultiEdgeMode: String, Sendable, CaseIterable {
    /// K single-edge `PlacementController`s, one per edge, each configured the reference's way: it treats the
    /// shared cloud's whole usage as its own users' (resource scaling 1).
    case independent
    /// One `JointPlacementController` over every edge, told each edge's share of the cloud usage.
    case joint
}

extension TwinSimulation {
    /// Runs a multi-edge scenario (any scenario: a single-edge one is one edge) to its end with `mode`'s
    /// controllers on the per-edge views of one world. `onEvent` and `onControllerEvent` get the edge's name.
    public func runEdges(
        mode: MultiEdgeMode,
        progress: @escaping @Sendable (Double) -> Void = { _ in },
        onEvent: @escaping @Sendable (String, TimelineEvent) -> Void = { _, _ in },
        onControllerEvent: @escaping @Sendable (String, ControllerEvent) -> Void = { _, _ in }
    ) async throws -> MultiEdgeRunResult {
        let clock = SimulatedClock()
        let sites = scenario.sites
        let world = try TwinWorld(
            app: scenario.app, sites: sites, settings: scenario.twin, clock: clock,
            offloadThresholdSeconds: scenario.band.offloadSeconds)
        let start = clock.now()
        let observers = sites.indices.map { e in
            let name = sites[e].name
            let recorder = world.recorders[e]
            return { @Sendable (event: ControllerEvent) in
                onControllerEvent(name, event)
                for line in TimelineEvent.from(event, start: start) {
                    recorder.record(line)
                    onEvent(name, line)
                }
            }
        }
        let paced: any ControllerClock = pacing > 0 ? PacedClock(base: clock, realSecondsPerSecond: pacing) : clock
        let end = start.addingTimeInterval(scenario.durationSeconds)
        switch mode {
        case .independent:
            let controllers = sites.indices.map { e in
                PlacementController(
                    settings: laneSettings(e, shares: nil), telemetry: TwinTelemetry(world: world, edge: e),
                    cluster: TwinCluster(world: world, edge: e), network: TwinNetworkProbe(world: world, edge: e),
                    clock: paced, solver: BuiltInSolver(scenario.solver), observer: observers[e])
            }
            try await runIndependent(controllers, clock: paced, world: world, end: end, progress: progress)
        case .joint:
            let step = jointStepper(world: world, clock: paced, observers: observers)
            while clock.now() < end {
                try await Self.beginCycle()
                let pause = await step()
                try await paced.sleep(seconds: min(pause, end.timeIntervalSince(clock.now())))
                world.catchUp()
                progress(world.elapsed)
            }
        }
        world.catchUp()
        let edges = sites.indices.map { e in
            TwinRunResult(
                scenario: scenario.edgeScenario(e), samples: world.recorders[e].samples, events: world.recorders[e].events)
        }
        return MultiEdgeRunResult(scenario: scenario, mode: mode, edges: edges)
    }

    /// K controllers on one clock: every controller whose wake-up time has come steps, in edge order; then the
    /// clock moves to the earliest next wake-up and the world catches up. Deterministic: no tasks race.
    private func runIndependent(
        _ controllers: [PlacementController], clock: any ControllerClock, world: TwinWorld, end: Date,
        progress: @Sendable (Double) -> Void
    ) async throws {
        var wake = controllers.map { _ in clock.now() }
        while clock.now() < end {
            try await Self.beginCycle()
            for (e, controller) in controllers.enumerated() where wake[e] <= clock.now() {
                let pause = await controller.step()
                wake[e] = clock.now().addingTimeInterval(pause)
            }
            // Never past the end, so the last tick is the scenario's.
            let next = min(wake.min() ?? end, end)
            try await clock.sleep(seconds: max(next.timeIntervalSince(clock.now()), 0))
            world.catchUp()
            progress(world.elapsed)
        }
    }

    /// Edge `e`'s single-edge controller settings: the scenario's, with the edge's link in the template and,
    /// for the joint controller, the edge's share of the cloud usage as every service's resource scaling.
    func laneSettings(_ e: Int, shares: [Double]?) -> ControllerSettings {
        var settings = scenario.controllerSettings
        let net = scenario.sites[e].network.conditions(at: 0)
        settings.template.network = Network(
            rttSeconds: net.rttSeconds, cloudToEdgeBitsPerSecond: net.cloudToEdgeBitsPerSecond,
            edgeToCloudBitsPerSecond: net.edgeToCloudBitsPerSecond)
        if let shares {
            settings.resourceScaling = Dictionary(uniqueKeysWithValues: scenario.app.serviceNames.map { ($0, shares[e]) })
        }
        return settings
    }
}

extension Scenario {
    /// Each edge's share of the cloud usage as the joint controller is told it (docs/twin.md §6): the edge's
    /// `share` where given; the others split what is left by their mean load over the run.
    public var cloudShares: [Double] {
        let sites = self.sites
        let given = sites.compactMap(\.share).reduce(0, +)
        let open = sites.indices.filter { sites[$0].share == nil }
        let means = sites.map { site in Self.meanRate(site.load, over: durationSeconds) }
        let openLoad = open.reduce(0) { $0 + means[$1] }
        let left = max(1 - given, 0)
        return sites.indices.map { e in
            if let share = sites[e].share { return share }
            return openLoad > 0 ? left * means[e] / openLoad : left / Double(max(open.count, 1))
        }
    }

    /// The load's mean over `seconds`, sampled every second (a sine's mean needs its whole period).
    static func meanRate(_ load: LoadProfile, over seconds: Double) -> Double {
        let count = max(Int(seconds.rounded(.down)), 1)
        var sum = 0.0
        for t in 0..<count { sum += load.rate(at: Double(t)) }
        return sum / Double(count)
    }

    /// Edge `e` alone, as a single-edge scenario: its summary and plot use its load.
    func edgeScenario(_ e: Int) -> Scenario {
        let site = sites[e]
        var copy = self
        copy.name = isMultiEdge ? "\(name) · \(site.name)" : name
        copy.load = site.load
        copy.network = site.network
        copy.edges = []
        return copy
    }
}
