import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer

/// The simulated cloud–edge deployment: which services serve at the edge, their replicas and autoscalers,
/// pending rollouts, the load and the network. It moves only when asked, in ticks, up to the clock's now,
/// so the controller on a simulated clock sees a world exactly as old as its own time.
///
/// The delay users see comes from the twin's own physics (`TwinPhysics`, docs/twin.md), never from the
/// controller's placement model: queues per copy fed by the ready replicas, the call graph, the true RTT and
/// bandwidth. The controller learns about it only through telemetry.
///
/// Unchecked because the world's state is a dozen private `var`s mutated together by `tick()` and its
/// helpers, and `withNoise` lends the noise stream `inout` to a caller's closure; a `Mutex` around one state
/// struct would rewrite the whole type. It is safe: every `var` is private to this file and read or written
/// only inside `lock.withLock` (the tick helpers are called only from there, marked "lock held"); every
/// other stored property is a `let` of a Sendable type.
public final class TwinWorld: @unchecked Sendable {
    public let app: TwinApp
    /// Every edge's users and link (one, `edge1`, for a single-edge scenario; docs/twin.md §6).
    public let sites: [ScenarioEdge]
    public let settings: TwinSettings
    public let clock: SimulatedClock
    public let start: Date
    /// One timeline per edge: its users' samples and its controller's events.
    public let recorders: [TimelineRecorder]

    let physics: TwinPhysics
    let oracle: TwinOracle
    private let lock = NSLock()
    private let totalCalls: [Double]
    private var time = 0.0
    private var nextHPASync = 0.0
    /// The shared cloud: one autoscaler and one backlog per service.
    private var cloud: [TwinAutoscaler]
    private var cloudBacklog: [Double]
    private var edges: [TwinEdgeSite]
    /// Each edge's telemetry noise: its own stream, so that one edge's reads do not shift another's.
    private var noise: [TwinRandom]

    /// One edge over its own cloud: today's single-edge twin.
    public convenience init(
        app: TwinApp, load: LoadProfile, network: NetworkProfile, settings: TwinSettings, clock: SimulatedClock,
        recorder: TimelineRecorder = TimelineRecorder(), offloadThresholdSeconds: Double = 0.120
    ) throws(ProblemError) {
        try self.init(
            app: app, sites: [ScenarioEdge(name: "edge1", load: load, network: network)], settings: settings, clock: clock,
            recorders: [recorder], offloadThresholdSeconds: offloadThresholdSeconds)
    }

    /// K edges sharing one cloud (`recorders`: one per site, or none for fresh ones).
    public init(
        app: TwinApp, sites: [ScenarioEdge], settings: TwinSettings, clock: SimulatedClock, recorders: [TimelineRecorder] = [],
        offloadThresholdSeconds: Double = 0.120
    ) throws(ProblemError) {
        // The app is validated once, as the controller would find it; the twin's physics does not use the model.
        _ = try PlacementModel(app.problem)
        precondition(!sites.isEmpty, "a twin has at least one edge")
        self.app = app
        self.sites = sites
        self.settings = settings
        self.clock = clock
        self.recorders = recorders.count == sites.count ? recorders : sites.map { _ in TimelineRecorder() }
        start = clock.now()
        let n = app.problem.services.count
        let physics = TwinPhysics(app: app, settings: settings)
        self.physics = physics
        oracle = TwinOracle(
            physics: physics, thresholdSeconds: offloadThresholdSeconds, locked: app.problem.services.map(\.locked))
        let cloudOnly = [Bool](repeating: false, count: n)
        totalCalls = physics.route(serving: cloudOnly).cloud
        cloudBacklog = Array(repeating: 0, count: n)
        edges = sites.map { _ in TwinEdgeSite(serviceCount: n, bounds: app.replicaBounds) }
        // Edge 0 keeps the single-edge twin's stream; the others get streams of their own.
        noise = sites.indices.map { TwinRandom.stream(seed: settings.seed, label: $0 == 0 ? 1 : 1000 + UInt64($0)) }
        // Start at the HPAs' steady state for the first load, as a system that has been running a while.
        var first = [Double](repeating: 0, count: n)
        for site in sites {
            let lambda = site.load.rate(at: 0)
            for i in 0..<n { first[i] += lambda * totalCalls[i] }
        }
        cloud = (0..<n).map { i in
            TwinAutoscaler(
                replicas: physics.steadyReplicas(i, .cloud, callsPerSecond: first[i]), bounds: app.replicaBounds[i].cloud)
        }
        lock.withLock { tick() }
    }

    public var serviceNames: [String] { app.serviceNames }
    /// The first edge's load, network and timeline: the whole twin of a single-edge scenario.
    public var load: LoadProfile { sites[0].load }
    public var network: NetworkProfile { sites[0].network }
    public var recorder: TimelineRecorder { recorders[0] }

    /// Seconds since the start of the scenario.
    public var elapsed: Double { lock.withLock { time } }

    /// Moves the world to the clock's now (whole ticks; the last partial tick waits).
    public func catchUp() {
        let target = clock.now().timeIntervalSince(start)
        lock.withLock {
            while time + settings.tickSeconds <= target + 1e-9 {
                time += settings.tickSeconds
                tick()
            }
        }
    }

    // MARK: Cluster side

    struct ClusterView {
        var cloud: [TwinAutoscaler]
        var edge: [TwinAutoscaler]
        var deployed: [Bool]
    }

    /// The shared cloud's autoscalers with one edge's.
    func clusterView(edge e: Int = 0) -> ClusterView {
        catchUp()
        return lock.withLock { ClusterView(cloud: cloud, edge: edges[e].autoscalers, deployed: edges[e].deployed) }
    }

    func applyEdge(_ i: Int, edge e: Int = 0) {
        catchUp()
        lock.withLock {
            guard !edges[e].deployed[i] else { return }
            edges[e].deployed[i] = true
            // The manifests ask for the HPA minimum; gma scales right after applying.
            edges[e].autoscalers[i].set(
                max(edges[e].autoscalers[i].desired, app.replicaBounds[i].edge.min), at: time,
                startup: settings.hpa.podStartupSeconds)
            // A removal under way still happens: the old pods go, the new ones serve after their rollout.
            edges[e].pending.append((time + settings.rolloutSeconds, i, true))
        }
        note(.offload, "apply \(serviceNames[i]) at the edge (serving after \(Int(settings.rolloutSeconds)) s rollout)", edge: e)
    }

    func deleteEdge(_ i: Int, edge e: Int = 0) {
        catchUp()
        let wasDeployed = lock.withLock {
            guard edges[e].deployed[i] else { return false }
            edges[e].deployed[i] = false
            edges[e].pending.removeAll { $0.service == i }
            edges[e].pending.append((time + settings.removalSeconds, i, false))
            return true
        }
        if wasDeployed { note(.unoffload, "delete \(serviceNames[i]) from the edge", edge: e) }
    }

    /// Scales the shared cloud's copy, or edge `e`'s.
    func scale(_ i: Int, area: ClusterArea, replicas: Int, edge e: Int = 0) {
        catchUp()
        lock.withLock {
            let startup = settings.hpa.podStartupSeconds
            if area == .cloud {
                cloud[i].set(replicas, at: time, startup: startup)
            } else if edges[e].deployed[i] {
                edges[e].autoscalers[i].set(replicas, at: time, startup: startup)
            }
        }
    }

    private func note(_ kind: TimelineEvent.Kind, _ text: String, edge e: Int) {
        recorders[e].record(TimelineEvent(time: elapsed, kind: kind, text: text))
    }

    // MARK: Telemetry side

    /// Draws from edge `e`'s noise stream (its telemetry's measurement noise).
    func withNoise<T>(edge e: Int = 0, _ body: (inout TwinRandom) -> T) -> T {
        lock.withLock { body(&noise[e]) }
    }

    var currentTotalCalls: [Double] { totalCalls }

    // MARK: The tick

    /// One step of the world at `time` (lock held).
    private func tick() {
        for e in edges.indices { edges[e].takeDueRollouts(at: time) }
        let n = app.problem.services.count
        for i in 0..<n {
            cloud[i].finishScaling(at: time)
            for e in edges.indices { edges[e].autoscalers[i].finishScaling(at: time) }
        }
        let inputs = sites.indices.map { e in
            TwinSiteInput(
                lambda: sites[e].load.rate(at: time), network: sites[e].network.conditions(at: time),
                serving: edges[e].serving, edgeReplicas: edges[e].autoscalers.map(\.current), edgeBacklog: edges[e].backlog)
        }
        let capacity = TwinCloudCapacity(replicas: cloud.map(\.current), backlog: cloudBacklog)
        let shared = physics.evaluate(sites: inputs, cloud: capacity)
        drainBacklogs(shared, inputs: inputs, cloud: capacity)
        if time + 1e-9 >= nextHPASync {
            nextHPASync = time + settings.hpa.syncSeconds
            evaluateAutoscalers(shared)
        }
        let sampler = TwinSampleMaker(physics: physics, names: serviceNames, cloud: cloud.map(\.desired))
        for (e, input) in inputs.enumerated() {
            let replicas = edges[e].autoscalers.map(\.desired)
            // The oracle answers for one edge (docs/twin.md §3); K > 1 has none.
            let best = sites.count == 1 ? oracle.placement(lambda: input.lambda, network: input.network) : nil
            recorders[e].append(
                sampler.sample(
                    time: time, input: input, state: shared.sites[e], deployed: edges[e].deployed, edgeReplicas: replicas,
                    cloudShare: sites.count == 1 ? nil : sampler.cloudShare(of: e, inputs: inputs, states: shared.sites),
                    oracle: best))
        }
    }

    /// Backlogs for the next tick: overloads fill them, spare capacity drains them (lock held).
    private func drainBacklogs(_ shared: TwinSharedState, inputs: [TwinSiteInput], cloud capacity: TwinCloudCapacity) {
        for i in 0..<app.problem.services.count {
            cloudBacklog[i] = physics.drained(
                cloudBacklog[i], callsPerSecond: shared.cloudCallsPerSecond[i], replicas: capacity.replicas[i],
                busy: physics.busySeconds(i, .cloud), seconds: settings.tickSeconds)
            for (e, input) in inputs.enumerated() {
                let state = shared.sites[e]
                // Calls waiting at an edge copy that stopped serving are retried in the cloud: counted as lost here.
                edges[e].backlog[i] = state.edgeCalls[i] > 0 ? physics.drained(
                    edges[e].backlog[i], callsPerSecond: input.lambda * state.edgeCalls[i], replicas: input.edgeReplicas[i],
                    busy: physics.busySeconds(i, .edge), seconds: settings.tickSeconds) : 0
            }
        }
    }

    /// One pass of every HPA on the CPU the copies use (lock held): the shared cloud's on the sum of every
    /// edge's users, each edge's on its own.
    private func evaluateAutoscalers(_ shared: TwinSharedState) {
        for (i, service) in app.problem.services.enumerated() {
            cloud[i].evaluate(
                at: time, usageCores: shared.sites[0].cpuCloud[i], requestCores: service.cpuRequestCores.cloud,
                target: service.hpaCpuThreshold, settings: settings.hpa)
            // A new edge copy has no metrics until it serves; its HPA waits for them.
            for e in edges.indices where edges[e].deployed[i] && edges[e].serving[i] {
                edges[e].autoscalers[i].evaluate(
                    at: time, usageCores: shared.sites[e].cpuEdge[i], requestCores: service.cpuRequestCores.edge,
                    target: service.hpaCpuThreshold, settings: settings.hpa)
            }
        }
    }
}

/// One edge's part of the world: its copies (deployed, serving), their autoscalers and backlogs, and the
/// rollouts and removals under way.
struct TwinEdgeSite: Sendable {
    var deployed: [Bool]
    var serving: [Bool]
    var autoscalers: [TwinAutoscaler]
    var backlog: [Double]
    var pending: [(time: Double, service: Int, serve: Bool)] = []

    init(serviceCount n: Int, bounds: [PerArea<ReplicaBounds>]) {
        deployed = [Bool](repeating: false, count: n)
        serving = deployed
        autoscalers = (0..<n).map { TwinAutoscaler(replicas: 0, bounds: bounds[$0].edge) }
        backlog = Array(repeating: 0, count: n)
    }

    /// Rollouts and removals whose time has come take effect.
    mutating func takeDueRollouts(at time: Double) {
        for event in pending where event.time <= time + 1e-9 {
            serving[event.service] = event.serve
            // The old pods are gone; a copy applied again since has replicas of its own.
            if !event.serve && !deployed[event.service] { autoscalers[event.service].set(0, at: time) }
        }
        pending.removeAll { $0.time <= time + 1e-9 }
    }
}
