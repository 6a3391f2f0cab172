import Foundation
import GMAOptimizer

/// The simulated cloud–edge deployment: which services serve at the edge, their replicas and autoscalers,
/// pending rollouts, the load and the network. It moves only when asked, in ticks, up to the clock's now,
/// so the controller on a simulated clock sees a world exactly as old as its own time.
///
/// The delay users see is the placement model's (FORMAT.md §1.5, the same the controller plans with) plus a
/// queueing term per invocation that grows with CPU utilisation, so the HPAs' lag shows, and a placement the
/// model says meets the target does meet it once the autoscalers have caught up.
public final class TwinWorld: @unchecked Sendable {
    public let app: TwinApp
    public let load: LoadProfile
    public let network: NetworkProfile
    public let settings: TwinSettings
    public let clock: SimulatedClock
    public let start: Date
    public let recorder: TimelineRecorder

    private let lock = NSLock()
    private let totalCalls: [Double]
    private var time = 0.0
    private var nextHPASync = 0.0
    private var deployed: [Bool]
    private var serving: [Bool]
    private var cloud: [TwinAutoscaler]
    private var edge: [TwinAutoscaler]
    private var pending: [(time: Double, service: Int, serve: Bool)] = []
    private var noise: TwinRandom
    private var truth: Truth

    /// The model's view of the current tick.
    struct Truth {
        var lambda: Double
        var network: NetworkConditions
        var evaluation: PlacementEvaluation
        var cloudOnly: PlacementEvaluation
    }

    public init(
        app: TwinApp, load: LoadProfile, network: NetworkProfile, settings: TwinSettings, clock: SimulatedClock,
        recorder: TimelineRecorder = TimelineRecorder()
    ) throws(ProblemError) {
        self.app = app
        self.load = load
        self.network = network
        self.settings = settings
        self.clock = clock
        self.recorder = recorder
        start = clock.now()
        let n = app.problem.services.count
        let base = try PlacementModel(app.problem(lambda: 1, network: network.conditions(at: 0), totalCalls: Array(repeating: 1, count: n)))
        totalCalls = (0..<n).map { base.cloudOnly.cloudCalls[$0] + base.cloudOnly.edgeCalls[$0] }
        deployed = Array(repeating: false, count: n)
        serving = deployed
        noise = TwinRandom.stream(seed: settings.seed, label: 1)
        // Start at the HPAs' steady state for the first load, as a system that has been running a while.
        let first = try PlacementModel(app.problem(lambda: load.rate(at: 0), network: network.conditions(at: 0), totalCalls: totalCalls))
        cloud = (0..<n).map { i in
            let bounds = app.replicaBounds[i].cloud
            let replicas = Int(first.cloudOnly.replicasCloud[i])
            return TwinAutoscaler(replicas: min(max(replicas, bounds.min), bounds.max), bounds: bounds)
        }
        edge = (0..<n).map { TwinAutoscaler(replicas: 0, bounds: app.replicaBounds[$0].edge) }
        truth = Truth(lambda: load.rate(at: 0), network: network.conditions(at: 0), evaluation: first.cloudOnly, cloudOnly: first.cloudOnly)
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

        let lambda = load.rate(at: time)
        let net = network.conditions(at: time)
        let problem = app.problem(lambda: max(lambda, 1e-9), network: net, totalCalls: totalCalls)
        // The bundled apps and validated problem files keep this valid; a failure would be a twin bug.
        guard let model = try? PlacementModel(problem) else { preconditionFailure("twin app became invalid") }
        let evaluation = model.evaluate(serving)
        truth = Truth(lambda: lambda, network: net, evaluation: evaluation, cloudOnly: model.cloudOnly)

        let n = serving.count
        for i in 0..<n {
            cloud[i].finishScaling(at: time)
            edge[i].finishScaling(at: time)
        }
        if time + 1e-9 >= nextHPASync {
            nextHPASync = time + settings.hpa.syncSeconds
            for i in 0..<n {
                let service = app.problem.services[i]
                cloud[i].evaluate(
                    at: time, usageCores: evaluation.cpuUsageCloud[i], requestCores: service.cpuRequestCores.cloud,
                    target: service.hpaCpuThreshold, settings: settings.hpa)
                // A new edge copy has no metrics until it serves; its HPA waits for them.
                if deployed[i] && serving[i] {
                    edge[i].evaluate(
                        at: time, usageCores: evaluation.cpuUsageEdge[i], requestCores: service.cpuRequestCores.edge,
                        target: service.hpaCpuThreshold, settings: settings.hpa)
                }
            }
        }

        let queueing = queueingDelay(evaluation)
        let processing = evaluation.internalDelaySeconds + queueing
        let mean = min(evaluation.delaySeconds + queueing, settings.timeoutSeconds)
        // The network part is taken as steady; the processing part spreads with the given variation.
        let z = NormalQuantile.z(settings.delayQuantile)
        let quantile = min(mean + z * settings.processingVariation * processing, settings.timeoutSeconds)
        recorder.append(
            TimelineSample(
                time: time, userRequestsPerSecond: lambda, rttSeconds: net.rttSeconds,
                bandwidthBitsPerSecond: net.cloudToEdgeBitsPerSecond, delaySeconds: mean, delayQuantileSeconds: quantile,
                modelDelaySeconds: evaluation.delaySeconds, queueingDelaySeconds: queueing, rho: evaluation.rho,
                servingAtEdge: (0..<n).filter { serving[$0] }.map { serviceNames[$0] },
                deployedAtEdge: (0..<n).filter { deployed[$0] }.map { serviceNames[$0] },
                replicasCloud: cloud.reduce(0) { $0 + $1.current }, replicasEdge: edge.reduce(0) { $0 + $1.current },
                costPerHour: evaluation.cost.total, cloudOnlyCostPerHour: model.cloudOnly.cost.total,
                cpuCloud: evaluation.cpuUsageCloud, cpuEdge: evaluation.cpuUsageEdge,
                memoryCloud: evaluation.memoryUsageCloud, memoryEdge: evaluation.memoryUsageEdge,
                callsCloud: evaluation.cloudCalls, callsEdge: evaluation.edgeCalls))
    }

    /// Σ over instance-sets of N · queueing · D_int · ρ/(1−ρ), ρ = usage / (replicas · request), capped so
    /// that an instance-set without ready replicas is slow but finite.
    private func queueingDelay(_ e: PlacementEvaluation) -> Double {
        let cap = 0.95
        var total = 0.0
        for (i, service) in app.problem.services.enumerated() {
            let parts: [(calls: Double, usage: Double, replicas: Int, request: Double)] = [
                (e.cloudCalls[i], e.cpuUsageCloud[i], cloud[i].current, service.cpuRequestCores.cloud),
                (e.edgeCalls[i], e.cpuUsageEdge[i], edge[i].current, service.cpuRequestCores.edge),
            ]
            for part in parts where part.calls > 0 && part.usage > 0 {
                let capacity = Double(part.replicas) * part.request
                let rho = capacity > 0 ? min(part.usage / capacity, cap) : cap
                total += part.calls * settings.queueing * service.internalDelaySeconds * rho / (1 - rho)
            }
        }
        return total
    }
}
