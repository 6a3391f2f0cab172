import Foundation
import GMAConfig
import GMAControl
import GMAOptimizer

/// What users of the twin experience, from the twin's own physics (docs/twin.md §1), never from the
/// controller's `PlacementModel`:
///
/// - a request follows the call graph from the edge ingress; a copy at the edge calls the edge copy of its
///   callee when one serves, else the cloud copy; a cloud copy always calls cloud copies;
/// - every (service, area) is an M/M/c queue: c ready replicas, as busy as their CPU is (the call's CPU time
///   over the pod's CPU limit); a call waits (Erlang C) and then takes the service's own latency; a backlog left by an overload
///   drains at the replicas' rate;
/// - every edge→cloud call costs one true RTT plus the response's transfer on the true bandwidth, slowed by
///   the link's own utilisation as an M/M/1 queue.
///
/// The parameters are the app's profile bent by the scenario's `mismatch` (docs/twin.md §2).
struct TwinPhysics: Sendable {
    struct Call: Sendable {
        var from: Int
        var to: Int
        var rate: Double
    }

    let serviceCount: Int
    /// Calls between nodes; node `serviceCount` is the user (the edge ingress).
    let calls: [Call]
    /// Nodes callers first, or nil when the graph has a cycle (then the routing iterates).
    let order: [Int]?
    /// The calls each node makes (indices into `calls`): routing is the oracle's inner loop.
    let outgoing: [[Int]]
    /// True per-call latency of each service (s) and CPU time per call (core·s).
    let latency: [Double]
    let cpuPerCall: [Double]
    let memoryPerCall: [Double]
    let responseBits: [Double]
    let cpuRequest: [PerArea<Double>]
    let hpaTarget: [Double]
    let bounds: [PerArea<ReplicaBounds>]
    /// $/h of one replica, per area.
    let replicaPrice: [PerArea<Double>]
    let networkPricePerGB: Double
    let mismatch: TwinMismatch
    let variation: Double
    let cpuLimitFactor: Double
    let timeoutSeconds: Double
    let z: Double

    init(app: TwinApp, settings: TwinSettings) {
        let problem = app.problem
        let n = problem.services.count
        serviceCount = n
        var index: [String: Int] = [PlacementProblem.userName: n]
        for (i, s) in problem.services.enumerated() { index[s.name] = i }
        calls = problem.calls.compactMap { c in
            guard let a = index[c.from], let b = index[c.to] else { return nil }
            return Call(from: a, to: b, rate: c.perRequest)
        }
        order = Self.callersFirst(nodes: n + 1, calls: calls)
        var outgoing = [[Int]](repeating: [], count: n + 1)
        for (k, call) in calls.enumerated() { outgoing[call.from].append(k) }
        self.outgoing = outgoing
        let factors = settings.mismatch.serviceTimeFactors(count: n, seed: settings.seed)
        latency = (0..<n).map { problem.services[$0].internalDelaySeconds * factors[$0] }
        cpuPerCall = (0..<n).map { app.cpuSecondsPerCall[$0] * factors[$0] }
        memoryPerCall = app.memoryByteSecondsPerCall
        responseBits = problem.services.map { $0.responseBytes * 8 }
        cpuRequest = problem.services.map(\.cpuRequestCores)
        hpaTarget = problem.services.map(\.hpaCpuThreshold)
        bounds = app.replicaBounds
        let prices = problem.prices
        replicaPrice = problem.services.map { s in
            PerArea(
                cloud: prices.cloud.cpuCoreHour * s.cpuRequestCores.cloud + prices.cloud.memoryGBHour * s.memoryRequestBytes.cloud / 1e9,
                edge: prices.edge.cpuCoreHour * s.cpuRequestCores.edge + prices.edge.memoryGBHour * s.memoryRequestBytes.edge / 1e9)
        }
        networkPricePerGB = prices.networkGB
        mismatch = settings.mismatch
        variation = settings.processingVariation
        cpuLimitFactor = max(settings.cpuLimitFactor, 1e-9)
        timeoutSeconds = settings.timeoutSeconds
        z = NormalQuantile.z(settings.delayQuantile)
    }

    // MARK: Routing

    /// Expected invocations per user request of each service's cloud and edge copy.
    func route(serving: [Bool]) -> (cloud: [Double], edge: [Double]) {
        let n = serviceCount
        var cloud = [Double](repeating: 0, count: n + 1)
        var edge = [Double](repeating: 0, count: n + 1)
        edge[n] = 1
        if let order {
            for node in order { deliver(from: node, cloud[node], edge[node], serving, &cloud, &edge) }
            return (Array(cloud[0..<n]), Array(edge[0..<n]))
        }
        // A cycle: fixed-point iteration (the problem validator keeps the loop gain below one).
        for _ in 0..<10_000 {
            var nextCloud = [Double](repeating: 0, count: n + 1)
            var nextEdge = nextCloud
            nextEdge[n] = 1
            for node in 0...n { deliver(from: node, cloud[node], edge[node], serving, &nextCloud, &nextEdge) }
            let settled = zip(nextCloud + nextEdge, cloud + edge).allSatisfy { abs($0 - $1) <= 1e-12 * max(abs($0), 1) }
            (cloud, edge) = (nextCloud, nextEdge)
            if settled { break }
        }
        return (Array(cloud[0..<n]), Array(edge[0..<n]))
    }

    /// Adds the calls a node's copies make, routed by where each callee serves.
    private func deliver(
        from node: Int, _ cloudCalls: Double, _ edgeCalls: Double, _ serving: [Bool], _ cloud: inout [Double],
        _ edge: inout [Double]
    ) {
        guard cloudCalls > 0 || edgeCalls > 0 else { return }
        for k in outgoing[node] {
            let call = calls[k]
            if call.to < serviceCount && serving[call.to] {
                edge[call.to] += edgeCalls * call.rate
                cloud[call.to] += cloudCalls * call.rate
            } else {
                cloud[call.to] += (cloudCalls + edgeCalls) * call.rate
            }
        }
    }

    /// Kahn's order over the nodes, or nil when a cycle (a self-call included) remains.
    private static func callersFirst(nodes: Int, calls: [Call]) -> [Int]? {
        var incoming = [Int](repeating: 0, count: nodes)
        for call in calls { incoming[call.to] += 1 }
        var ready = (0..<nodes).filter { incoming[$0] == 0 }
        var order: [Int] = []
        while let node = ready.popLast() {
            order.append(node)
            for call in calls where call.from == node {
                incoming[call.to] -= 1
                if incoming[call.to] == 0 { ready.append(call.to) }
            }
        }
        return order.count == nodes ? order : nil
    }

    // MARK: Capacity

    /// Seconds of one replica's whole CPU (its limit) a call in `area` takes.
    func busySeconds(_ i: Int, _ area: ClusterArea) -> Double {
        let limit = cpuRequest[i][area] * cpuLimitFactor
        return limit > 0 ? cpuPerCall[i] / limit : 0
    }

    /// The replicas the HPA settles at for `callsPerSecond` (its target utilisation, within its bounds).
    func steadyReplicas(_ i: Int, _ area: ClusterArea, callsPerSecond: Double) -> Int {
        let bound = bounds[i][area]
        guard callsPerSecond > 0, cpuRequest[i][area] > 0 else { return bound.min }
        let wanted = (callsPerSecond * cpuPerCall[i] / (hpaTarget[i] * cpuRequest[i][area])).rounded(.up)
        return Int(min(max(wanted, Double(bound.min)), Double(bound.max)))
    }

    /// $/h of the replicas and of the link's traffic.
    func costPerHour(cloudReplicas: [Int], edgeReplicas: [Int], trafficBitsPerSecond: Double, bandwidth: Double) -> Double {
        var cost = 0.0
        for i in 0..<serviceCount {
            cost += Double(cloudReplicas[i]) * replicaPrice[i].cloud + Double(edgeReplicas[i]) * replicaPrice[i].edge
        }
        // What the link carries, not what is offered beyond its capacity.
        return cost + networkPricePerGB * min(trafficBitsPerSecond, bandwidth) * 3600 / 8 / 1e9
    }
}

/// Erlang C for an M/M/c queue: the mean wait and the wait's second moment.
enum ErlangC {
    /// `servers` replicas, `offered` = arrival rate × service time (in servers), `service` seconds per call.
    /// Requires offered < servers.
    static func wait(servers: Int, offered: Double, service: Double) -> (mean: Double, secondMoment: Double) {
        guard servers > 0, offered > 0 else { return (0, 0) }
        let c = Double(servers)
        // Erlang B by its stable recursion, then C from B.
        var b = 1.0
        for k in 1...servers { b = offered * b / (Double(k) + offered * b) }
        let probabilityOfWaiting = c * b / (c - offered * (1 - b))
        let drain = service / (c - offered)
        return (probabilityOfWaiting * drain, 2 * probabilityOfWaiting * drain * drain)
    }
}
