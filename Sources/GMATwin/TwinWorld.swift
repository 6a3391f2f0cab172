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
    public let load: LoadProfile
    public let network: NetworkProfile
    public let settings: TwinSettings
    public let clock: SimulatedClock
    public let start: Date
    public let recorder: TimelineRecorder

    let physics: TwinPhysics
    let oracle: TwinOracle
    private let lock = NSLock()
    private let totalCalls: [Double]
    private var time = 0.0
    private var nextHPASync = 0.0
    private var deployed: [Bool]
    private var serving: [Bool]
    private var cloud: [TwinAutoscaler]
    private var edge: [TwinAutoscaler]
    private var backlog: (cloud: [Double], edge: [Double])
    private var pending: [(time: Double, service: Int, serve: Bool)] = []
    private var noise: TwinRandom

    public init(
        app: TwinApp, load: LoadProfile, network: NetworkProfile, settings: TwinSettings, clock: SimulatedClock,
        recorder: TimelineRecorder = TimelineRecorder(), offloadThresholdSeconds: Double = 0.120
    ) throws(ProblemError) {
        // The app is validated once, as the controller would find it; the twin's physics does not use the model.
        _ = try PlacementModel(app.problem)
        self.app = app
        self.load = load
        self.network = network
        self.settings = settings
        self.clock = clock
        self.recorder = recorder
        start = clock.now()
        let n = app.problem.services.count
        let physics = TwinPhysics(app: app, settings: settings)
        self.physics = physics
        oracle = TwinOracle(
            physics: physics, thresholdSeconds: offloadThresholdSeconds, locked: app.problem.services.map(\.locked))
        let cloudOnly = [Bool](repeating: false, count: n)
        totalCalls = physics.route(serving: cloudOnly).cloud
        deployed = cloudOnly
        serving = cloudOnly
        backlog = (Array(repeating: 0, count: n), Array(repeating: 0, count: n))
        noise = TwinRandom.stream(seed: settings.seed, label: 1)
        // Start at the HPAs' steady state for the first load, as a system that has been running a while.
        let first = load.rate(at: 0)
        cloud = (0..<n).map { i in
            TwinAutoscaler(
                replicas: physics.steadyReplicas(i, .cloud, callsPerSecond: first * physics.route(serving: cloudOnly).cloud[i]),
                bounds: app.replicaBounds[i].cloud)
        }
        edge = (0..<n).map { TwinAutoscaler(replicas: 0, bounds: app.replicaBounds[$0].edge) }
        lock.withLock { tick() }
    }

    public var serviceNames: [String] { app.serviceNames }

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

    func clusterView() -> ClusterView {
        catchUp()
        return lock.withLock { ClusterView(cloud: cloud, edge: edge, deployed: deployed) }
    }

    func applyEdge(_ i: Int) {
        catchUp()
        lock.withLock {
            guard !deployed[i] else { return }
            deployed[i] = true
            // The manifests ask for the HPA minimum; gma scales right after applying.
            edge[i].set(
                max(edge[i].desired, app.replicaBounds[i].edge.min), at: time, startup: settings.hpa.podStartupSeconds)
            // A removal under way still happens: the old pods go, the new ones serve after their rollout.
            pending.append((time + settings.rolloutSeconds, i, true))
        }
        note(.offload, "apply \(serviceNames[i]) at the edge (serving after \(Int(settings.rolloutSeconds)) s rollout)")
    }

    func deleteEdge(_ i: Int) {
        catchUp()
        let wasDeployed = lock.withLock {
            guard deployed[i] else { return false }
            deployed[i] = false
            pending.removeAll { $0.service == i }
            pending.append((time + settings.removalSeconds, i, false))
            return true
        }
        if wasDeployed { note(.unoffload, "delete \(serviceNames[i]) from the edge") }
    }

    func scale(_ i: Int, area: ClusterArea, replicas: Int) {
        catchUp()
        lock.withLock {
            let startup = settings.hpa.podStartupSeconds
            if area == .cloud {
                cloud[i].set(replicas, at: time, startup: startup)
            } else if deployed[i] {
                edge[i].set(replicas, at: time, startup: startup)
            }
        }
    }

    private func note(_ kind: TimelineEvent.Kind, _ text: String) {
        recorder.record(TimelineEvent(time: elapsed, kind: kind, text: text))
    }

    // MARK: Telemetry side

    /// Draws from the world's noise stream (telemetry's measurement noise).
    func withNoise<T>(_ body: (inout TwinRandom) -> T) -> T {
        lock.withLock { body(&noise) }
    }

    var currentTotalCalls: [Double] { totalCalls }

    // MARK: The tick

    /// One step of the world at `time` (lock held).
    private func tick() {
        for event in pending where event.time <= time + 1e-9 {
            serving[event.service] = event.serve
            // The old pods are gone; a copy applied again since has replicas of its own.
            if !event.serve && !deployed[event.service] { edge[event.service].set(0, at: time) }
        }
        pending.removeAll { $0.time <= time + 1e-9 }

        let n = serving.count
        for i in 0..<n {
            cloud[i].finishScaling(at: time)
            edge[i].finishScaling(at: time)
        }
        let lambda = load.rate(at: time)
        let net = network.conditions(at: time)
        var capacity = TwinCapacity(cloudReplicas: cloud.map(\.current), edgeReplicas: edge.map(\.current))
        capacity.cloudBacklog = backlog.cloud
        capacity.edgeBacklog = backlog.edge
        let state = physics.evaluate(lambda: lambda, network: net, serving: serving, capacity: capacity)
        drainBacklogs(state, lambda: lambda, capacity: capacity)
        if time + 1e-9 >= nextHPASync {
            nextHPASync = time + settings.hpa.syncSeconds
            evaluateAutoscalers(state)
        }
        let best = oracle.placement(lambda: lambda, network: net)
        let bandwidth = net.cloudToEdgeBitsPerSecond * settings.mismatch.bandwidthFactor
        recorder.append(
            TimelineSample(
                time: time, userRequestsPerSecond: lambda, rttSeconds: net.rttSeconds,
                bandwidthBitsPerSecond: net.cloudToEdgeBitsPerSecond, delaySeconds: state.meanSeconds,
                delayQuantileSeconds: state.quantileSeconds, networkDelaySeconds: state.networkSeconds,
                processingDelaySeconds: state.processingSeconds, queueingDelaySeconds: state.queueingSeconds,
                rho: state.linkUtilisation,
                servingAtEdge: (0..<n).filter { serving[$0] }.map { serviceNames[$0] },
                deployedAtEdge: (0..<n).filter { deployed[$0] }.map { serviceNames[$0] },
                replicasCloud: cloud.reduce(0) { $0 + $1.desired }, replicasEdge: edge.reduce(0) { $0 + $1.desired },
                costPerHour: physics.costPerHour(
                    cloudReplicas: cloud.map(\.desired), edgeReplicas: edge.map(\.desired),
                    trafficBitsPerSecond: state.trafficBitsPerSecond, bandwidth: bandwidth),
                cloudOnlyCostPerHour: best.cloudOnlyCost, oracleCostPerHour: best.cost, oracleEdgeCount: best.edgeCount,
                cpuCloud: state.cpuCloud, cpuEdge: state.cpuEdge,
                memoryCloud: state.memoryCloud, memoryEdge: state.memoryEdge,
                callsCloud: state.cloudCalls, callsEdge: state.edgeCalls))
    }

    /// Backlogs for the next tick: overloads fill them, spare capacity drains them (lock held).
    private func drainBacklogs(_ state: TwinState, lambda: Double, capacity: TwinCapacity) {
        for i in 0..<serving.count {
            backlog.cloud[i] = physics.drained(
                backlog.cloud[i], callsPerSecond: lambda * state.cloudCalls[i], replicas: capacity.cloudReplicas[i],
                busy: physics.busySeconds(i, .cloud), seconds: settings.tickSeconds)
            // Calls waiting at an edge copy that stopped serving are retried in the cloud: counted as lost here.
            backlog.edge[i] = state.edgeCalls[i] > 0 ? physics.drained(
                backlog.edge[i], callsPerSecond: lambda * state.edgeCalls[i], replicas: capacity.edgeReplicas[i],
                busy: physics.busySeconds(i, .edge), seconds: settings.tickSeconds) : 0
        }
    }

    /// One pass of every HPA on the CPU the copies use (lock held).
    private func evaluateAutoscalers(_ state: TwinState) {
        for (i, service) in app.problem.services.enumerated() {
            cloud[i].evaluate(
                at: time, usageCores: state.cpuCloud[i], requestCores: service.cpuRequestCores.cloud,
                target: service.hpaCpuThreshold, settings: settings.hpa)
            // A new edge copy has no metrics until it serves; its HPA waits for them.
            if deployed[i] && serving[i] {
                edge[i].evaluate(
                    at: time, usageCores: state.cpuEdge[i], requestCores: service.cpuRequestCores.edge,
                    target: service.hpaCpuThreshold, settings: settings.hpa)
            }
        }
    }
}
