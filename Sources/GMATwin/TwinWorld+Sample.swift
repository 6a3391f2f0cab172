import Foundation
import GMAControl

/// Builds one edge's timeline sample of a tick: what its users see, the shared cloud and this edge's cost.
struct TwinSampleMaker {
    let physics: TwinPhysics
    let names: [String]
    /// The shared cloud's replicas (ready and starting) per service.
    let cloud: [Int]

    /// The cloud's replica cost ($/h).
    var cloudCostPerHour: Double {
        var cost = 0.0
        for i in cloud.indices { cost += Double(cloud[i]) * physics.replicaPrice[i].cloud }
        return cost
    }

    /// Edge `e`'s share of the shared cloud's cost: its users' part of the CPU the cloud copies' calls need
    /// (an equal share when no call reaches the cloud).
    func cloudShare(of e: Int, inputs: [TwinSiteInput], states: [TwinState]) -> Double {
        let demand = zip(inputs, states).map { input, state in
            var cores = 0.0
            for i in cloud.indices { cores += input.lambda * state.cloudCalls[i] * physics.cpuPerCall[i] }
            return cores
        }
        let total = demand.reduce(0, +)
        return total > 0 ? demand[e] / total : 1 / Double(inputs.count)
    }

    /// `cloudShare` nil: a single edge, whose cost is the whole system's (the single-edge formula, unchanged).
    func sample(
        time: Double, input: TwinSiteInput, state: TwinState, deployed: [Bool], edgeReplicas: [Int], cloudShare: Double?,
        oracle best: TwinOracle.Answer?
    ) -> TimelineSample {
        let net = input.network
        let bandwidth = physics.mismatch.trueLink(net).bitsPerSecond
        let cloudCost = cloudCostPerHour
        let cost: Double
        if let cloudShare {
            let own = physics.costPerHour(
                cloudReplicas: cloud.map { _ in 0 }, edgeReplicas: edgeReplicas,
                trafficBitsPerSecond: state.trafficBitsPerSecond, bandwidth: bandwidth)
            cost = own + cloudShare * cloudCost
        } else {
            cost = physics.costPerHour(
                cloudReplicas: cloud, edgeReplicas: edgeReplicas, trafficBitsPerSecond: state.trafficBitsPerSecond,
                bandwidth: bandwidth)
        }
        let n = names.count
        return TimelineSample(
            time: time, userRequestsPerSecond: input.lambda, rttSeconds: net.rttSeconds,
            bandwidthBitsPerSecond: net.cloudToEdgeBitsPerSecond, delaySeconds: state.meanSeconds,
            delayQuantileSeconds: state.quantileSeconds, networkDelaySeconds: state.networkSeconds,
            processingDelaySeconds: state.processingSeconds, queueingDelaySeconds: state.queueingSeconds,
            rho: state.linkUtilisation,
            servingAtEdge: (0..<n).filter { input.serving[$0] }.map { names[$0] },
            deployedAtEdge: (0..<n).filter { deployed[$0] }.map { names[$0] },
            replicasCloud: cloud.reduce(0, +), replicasEdge: edgeReplicas.reduce(0, +), costPerHour: cost,
            cloudOnlyCostPerHour: best?.cloudOnlyCost ?? 0, cloudCostPerHour: cloudCost,
            oracleCostPerHour: best?.cost ?? 0, oracleEdgeCount: best?.edgeCount ?? 0,
            cpuCloud: state.cpuCloud, cpuEdge: state.cpuEdge, memoryCloud: state.memoryCloud, memoryEdge: state.memoryEdge,
            callsCloud: state.cloudCalls, callsEdge: state.edgeCalls)
    }
}
