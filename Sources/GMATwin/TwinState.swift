import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer

/// The twin at one instant, as its physics computes it (docs/twin.md §1).
struct TwinState: Sendable {
    /// Invocations per user request of each copy.
    var cloudCalls: [Double]
    var edgeCalls: [Double]
    /// CPU (cores) and memory (bytes) the copies use: a saturated copy uses what its replicas have.
    var cpuCloud: [Double]
    var cpuEdge: [Double]
    var memoryCloud: [Double]
    var memoryEdge: [Double]
    /// Offered edge-ward traffic (bit/s) and the link's utilisation (may exceed 1: saturated).
    var trafficBitsPerSecond: Double
    var linkUtilisation: Double
    /// The highest utilisation of any queue that gets calls (ready replicas' capacity; ≥ 1: saturated).
    var highestQueueUtilisation: Double
    /// Parts of the mean user delay: RTTs and transfers, service latencies, waiting in queues.
    var networkSeconds: Double
    var processingSeconds: Double
    var queueingSeconds: Double
    /// Mean and quantile user delay (capped at the timeout).
    var meanSeconds: Double
    var quantileSeconds: Double
}

/// Ready replicas and waiting calls per copy: the part of the world the physics does not decide.
struct TwinCapacity: Sendable {
    var cloudReplicas: [Int]
    var edgeReplicas: [Int]
    /// Calls left waiting by an overload (fluid), per copy.
    var cloudBacklog: [Double]
    var edgeBacklog: [Double]

    init(cloudReplicas: [Int], edgeReplicas: [Int]) {
        self.cloudReplicas = cloudReplicas
        self.edgeReplicas = edgeReplicas
        cloudBacklog = Array(repeating: 0, count: cloudReplicas.count)
        edgeBacklog = cloudBacklog
    }

    init(cloudReplicas: [Int], edgeReplicas: [Int], cloudBacklog: [Double], edgeBacklog: [Double]) {
        self.cloudReplicas = cloudReplicas
        self.edgeReplicas = edgeReplicas
        self.cloudBacklog = cloudBacklog
        self.edgeBacklog = edgeBacklog
    }

    func replicas(_ area: ClusterArea) -> [Int] { area == .cloud ? cloudReplicas : edgeReplicas }
    func backlog(_ area: ClusterArea) -> [Double] { area == .cloud ? cloudBacklog : edgeBacklog }
}

/// One edge's users at one instant (docs/twin.md §6): their rate, the nominal link, the copies serving at
/// their edge, and that edge's ready replicas and backlogs.
struct TwinSiteInput: Sendable {
    var lambda: Double
    var network: NetworkConditions
    var serving: [Bool]
    var edgeReplicas: [Int]
    var edgeBacklog: [Double]
}

/// The shared cloud's ready replicas and backlogs.
struct TwinCloudCapacity: Sendable {
    var replicas: [Int]
    var backlog: [Double]
}

/// Every edge's users at one instant over one shared cloud.
struct TwinSharedState: Sendable {
    /// Per edge, what its users see; `cpuCloud` and `memoryCloud` are the whole shared cloud's.
    var sites: [TwinState]
    /// Calls per second each cloud copy gets from all edges' users together.
    var cloudCallsPerSecond: [Double]
}

extension TwinPhysics {
    /// The delay users see at rate λ on the nominal network `net` (the mismatch is applied here) with the
    /// copies in `serving` taking calls, given ready replicas and backlogs: one edge over its own cloud.
    func evaluate(lambda: Double, network net: NetworkConditions, serving: [Bool], capacity: TwinCapacity) -> TwinState {
        let site = TwinSiteInput(
            lambda: lambda, network: net, serving: serving, edgeReplicas: capacity.edgeReplicas,
            edgeBacklog: capacity.edgeBacklog)
        let cloud = TwinCloudCapacity(replicas: capacity.cloudReplicas, backlog: capacity.cloudBacklog)
        return evaluate(sites: [site], cloud: cloud).sites[0]
    }

    /// K edges over one cloud (docs/twin.md §6): each edge's users follow their own routes and link; every
    /// cloud copy is one queue fed by the sum of the edges' calls. With one edge the sums add one term to
    /// zero, so the result is the single-edge physics bit for bit.
    func evaluate(sites: [TwinSiteInput], cloud: TwinCloudCapacity) -> TwinSharedState {
        let n = serviceCount
        let routes = sites.map { route(serving: $0.serving) }
        var cloudRate = [Double](repeating: 0, count: n)
        var cloudMemory = [Double](repeating: 0, count: n)
        var used = [Bool](repeating: false, count: n)
        for (site, route) in zip(sites, routes) {
            for i in 0..<n where route.cloud[i] > 0 {
                used[i] = true
                cloudRate[i] += site.lambda * route.cloud[i]
                cloudMemory[i] += memoryPerCall[i] * site.lambda * route.cloud[i]
            }
        }
        let cloudOnly = TwinCapacity(
            cloudReplicas: cloud.replicas, edgeReplicas: [Int](repeating: 0, count: n), cloudBacklog: cloud.backlog,
            edgeBacklog: [Double](repeating: 0, count: n))
        let queues = (0..<n).map { i in used[i] ? queue(i, .cloud, callsPerSecond: cloudRate[i], capacity: cloudOnly) : nil }
        let cloudCPU = queues.map { $0?.cpu ?? 0 }
        let states = zip(sites, routes).map { site, route in
            evaluate(site, route: route, cloudQueues: queues, cloudCPU: cloudCPU, cloudMemory: cloudMemory, cloud: cloud)
        }
        return TwinSharedState(sites: states, cloudCallsPerSecond: cloudRate)
    }

    typealias Queue = (wait: Double, waitVariance: Double, cpu: Double, utilisation: Double, replicas: Int)

    /// One edge's users: their link, the shared cloud queues they use, their edge's queues.
    private func evaluate(
        _ site: TwinSiteInput, route: (cloud: [Double], edge: [Double]), cloudQueues: [Queue?], cloudCPU: [Double],
        cloudMemory: [Double], cloud: TwinCloudCapacity
    ) -> TwinState {
        let n = serviceCount
        let (lambda, serving) = (site.lambda, site.serving)
        let (cloudCalls, edgeCalls) = route
        let (rtt, bandwidth) = mismatch.trueLink(site.network)

        let link = self.link(lambda: lambda, serving: serving, edgeCalls: edgeCalls, rtt: rtt, bandwidth: bandwidth)
        var variance = link.variance
        var state = TwinState(
            cloudCalls: cloudCalls, edgeCalls: edgeCalls, cpuCloud: cloudCPU, cpuEdge: [], memoryCloud: cloudMemory,
            memoryEdge: [], trafficBitsPerSecond: link.traffic, linkUtilisation: link.utilisation,
            highestQueueUtilisation: 0, networkSeconds: link.seconds, processingSeconds: processingSeconds(route),
            queueingSeconds: 0, meanSeconds: 0, quantileSeconds: 0)
        var saturated = link.utilisation >= 1
        let capacity = TwinCapacity(
            cloudReplicas: cloud.replicas, edgeReplicas: site.edgeReplicas, cloudBacklog: cloud.backlog,
            edgeBacklog: site.edgeBacklog)
        var edgeCPU = [Double](repeating: 0, count: n)
        var edgeMemory = [Double](repeating: 0, count: n)
        for area in ClusterArea.allCases {
            let perRequest = area == .cloud ? cloudCalls : edgeCalls
            for i in 0..<n where perRequest[i] > 0 {
                let queue: Queue
                if area == .cloud, let shared = cloudQueues[i] {
                    queue = shared
                } else {
                    queue = self.queue(i, area, callsPerSecond: lambda * perRequest[i], capacity: capacity)
                    edgeCPU[i] = queue.cpu
                    edgeMemory[i] = memoryPerCall[i] * lambda * perRequest[i]
                }
                state.highestQueueUtilisation = max(state.highestQueueUtilisation, queue.utilisation)
                if queue.replicas == 0 { saturated = true }
                state.queueingSeconds += perRequest[i] * queue.wait
                let ownSpread = variation * latency[i]
                variance += perRequest[i] * (ownSpread * ownSpread + queue.waitVariance)
            }
        }
        (state.cpuEdge, state.memoryEdge) = (edgeCPU, edgeMemory)
        // Summed as in `delayFloor`: the floor plus a non-negative wait is never below the floor.
        let mean = link.seconds + state.processingSeconds + state.queueingSeconds
        state.meanSeconds = saturated ? timeoutSeconds : min(mean, timeoutSeconds)
        // The sum of many independent parts: normal with the parts' variances.
        state.quantileSeconds = saturated ? timeoutSeconds : min(mean + z * variance.squareRoot(), timeoutSeconds)
        return state
    }

    /// One copy's queue: its wait (Erlang C below saturation, plus the backlog ahead of a new call), the CPU
    /// it uses and its utilisation.
    private func queue(_ i: Int, _ area: ClusterArea, callsPerSecond: Double, capacity: TwinCapacity) -> Queue {
        let replicas = capacity.replicas(area)[i]
        let busy = busySeconds(i, area)
        guard replicas > 0 else { return (0, 0, 0, .infinity, 0) }
        guard busy > 0 else { return (0, 0, 0, 0, replicas) }
        let servers = Double(replicas)
        let offered = callsPerSecond * busy
        let utilisation = offered / servers
        // At or past saturation the steady state does not exist; the queue's wait is that of a nearly full
        // one plus the backlog the world accumulates (TwinWorld drains and fills it).
        // The replicas are the servers and their CPU utilisation (over the limit) the queue's, so the queue
        // saturates exactly when the pods use their whole limit; a call holds a server for the service's latency (docs/twin.md §1).
        let (mean, second) = ErlangC.wait(servers: replicas, offered: min(offered, 0.99 * servers), service: latency[i])
        let backlog = capacity.backlog(area)[i] * busy / servers
        let working = capacity.backlog(area)[i] > 0 ? servers : min(offered, servers)
        return (mean + backlog, second - mean * mean, working * cpuRequest[i][area] * cpuLimitFactor, utilisation, replicas)
    }

    /// The backlog after `seconds` more of the same arrivals and capacity (bounded: calls waiting longer than
    /// the timeout give up).
    func drained(_ backlog: Double, callsPerSecond: Double, replicas: Int, busy: Double, seconds: Double) -> Double {
        guard busy > 0 else { return 0 }
        let rate = Double(replicas) / busy
        let next = backlog + (callsPerSecond - rate) * seconds
        return min(max(next, 0), rate * timeoutSeconds)
    }

    /// The steady state of `serving` at λ: the HPAs settled, no backlog; its cost per hour included.
    func steadyState(lambda: Double, network net: NetworkConditions, serving: [Bool]) -> (state: TwinState, cost: Double) {
        let (cloudCalls, edgeCalls) = route(serving: serving)
        let cloud = (0..<serviceCount).map { steadyReplicas($0, .cloud, callsPerSecond: lambda * cloudCalls[$0]) }
        let edge = (0..<serviceCount).map { serving[$0] ? steadyReplicas($0, .edge, callsPerSecond: lambda * edgeCalls[$0]) : 0 }
        let state = evaluate(
            lambda: lambda, network: net, serving: serving, capacity: TwinCapacity(cloudReplicas: cloud, edgeReplicas: edge))
        let cost = costPerHour(
            cloudReplicas: cloud, edgeReplicas: edge, trafficBitsPerSecond: state.trafficBitsPerSecond,
            bandwidth: mismatch.trueLink(net).bitsPerSecond)
        return (state, cost)
    }
}
