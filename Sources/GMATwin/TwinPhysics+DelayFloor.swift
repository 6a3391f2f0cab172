import GMAConfig
import GMAControl

/// The parts of a delay that need no queue: the link and the services' own latency. `evaluate` adds the queues'
/// waits to exactly these sums, so they are also a floor the oracle can test a set against before paying for its
/// queues (docs/twin.md §3).
extension TwinPhysics {
    typealias Link = (traffic: Double, utilisation: Double, seconds: Double, variance: Double)

    /// The link at rate λ: every call from an edge copy (or the user) to a callee without an edge copy crosses it,
    /// paying one RTT and its response's transfer, an M/M/1 sojourn on the link (exponential, mean t/(1−ρ)).
    func link(lambda: Double, serving: [Bool], edgeCalls: [Double], rtt: Double, bandwidth: Double) -> Link {
        let n = serviceCount
        var crossings: [(count: Double, bits: Double)] = []
        for call in calls where call.to < n && !serving[call.to] {
            let callerAtEdge = call.from == n ? 1 : (serving[call.from] ? edgeCalls[call.from] : 0)
            if callerAtEdge > 0 { crossings.append((callerAtEdge * call.rate, responseBits[call.to])) }
        }
        let traffic = lambda * crossings.reduce(0) { $0 + $1.count * $1.bits }
        let utilisation = traffic / bandwidth
        var seconds = 0.0
        var variance = 0.0
        for crossing in crossings {
            let transfer = utilisation < 1 ? crossing.bits / bandwidth / (1 - utilisation) : timeoutSeconds
            seconds += crossing.count * (rtt + transfer)
            variance += crossing.count * transfer * transfer
        }
        return (traffic, utilisation, seconds, variance)
    }

    /// The services' own latency per user request: each invoked copy's calls times its latency, cloud copies first.
    func processingSeconds(_ route: (cloud: [Double], edge: [Double])) -> Double {
        var seconds = 0.0
        for area in ClusterArea.allCases {
            let perRequest = area == .cloud ? route.cloud : route.edge
            for i in 0..<serviceCount where perRequest[i] > 0 { seconds += perRequest[i] * latency[i] }
        }
        return seconds
    }

    /// A steady state's mean delay is never below this: the link and the latency without any queue's wait, or the
    /// timeout when the link is saturated (the delay is then exactly the timeout). `route` is `route(serving:)`.
    func delayFloor(lambda: Double, network net: NetworkConditions, serving: [Bool], route: (cloud: [Double], edge: [Double])) -> Double {
        let (rtt, bandwidth) = mismatch.trueLink(net)
        let link = link(lambda: lambda, serving: serving, edgeCalls: route.edge, rtt: rtt, bandwidth: bandwidth)
        guard link.utilisation < 1 else { return timeoutSeconds }
        return min(link.seconds + processingSeconds(route), timeoutSeconds)
    }
}
