import Foundation
import GMAControl
import GMAOptimizer

/// The application the twin runs: a `gma/v1` problem read as a description of the app (requests, prices,
/// call graph, sizes, internal delays) plus what the problem does not say: CPU and memory per invocation,
/// and the HPA bounds.
public struct TwinApp: Sendable {
    public var name: String
    /// Requests, prices, calls, response sizes, internal delays and HPA thresholds; measured fields are
    /// overwritten by the twin, and `atEdge` is ignored (the twin starts cloud-only).
    public var problem: PlacementProblem
    /// Core-seconds one invocation costs, per service (the usage of the problem at its λ, per call).
    public var cpuSecondsPerCall: [Double]
    /// Memory held per invocation per second (bytes·s), so that memory follows the load like CPU does.
    public var memoryByteSecondsPerCall: [Double]
    public var replicaBounds: [PerArea<ReplicaBounds>]

    public var serviceNames: [String] { problem.services.map(\.name) }

    public init(
        name: String, problem: PlacementProblem, cpuSecondsPerCall: [Double], memoryByteSecondsPerCall: [Double],
        replicaBounds: [PerArea<ReplicaBounds>]
    ) {
        self.name = name
        self.problem = problem
        self.cpuSecondsPerCall = cpuSecondsPerCall
        self.memoryByteSecondsPerCall = memoryByteSecondsPerCall
        self.replicaBounds = replicaBounds
    }

    /// Reads the per-call costs from a problem's usage at its own λ (any placement: usage follows calls).
    public init(problem: PlacementProblem, name: String? = nil, bounds: ReplicaBounds = ReplicaBounds(min: 1, max: 100))
        throws(ProblemError)
    {
        let model = try PlacementModel(problem)
        let current = model.current
        let lambda = problem.userRequestsPerSecond
        var cpu: [Double] = []
        var memory: [Double] = []
        for (i, service) in problem.services.enumerated() {
            let calls = lambda * (current.cloudCalls[i] + current.edgeCalls[i])
            let usedCPU = service.cpuUsageCores.cloud + service.cpuUsageCores.edge
            let usedMemory = service.memoryUsageBytes.cloud + service.memoryUsageBytes.edge
            cpu.append(calls > 0 ? usedCPU / calls : 0)
            memory.append(calls > 0 ? usedMemory / calls : 0)
        }
        var base = problem
        for i in base.services.indices { base.services[i].atEdge = false }
        self.init(
            name: name ?? problem.metadata.name ?? "app", problem: base, cpuSecondsPerCall: cpu,
            memoryByteSecondsPerCall: memory,
            replicaBounds: Array(repeating: PerArea(cloud: bounds, edge: bounds), count: problem.services.count))
    }

    /// The problem at rate λ and network `net`, cloud-only, with the usage that load causes: the model's
    /// input for any placement the twin evaluates.
    func problem(lambda: Double, network net: NetworkConditions, totalCalls: [Double]) -> PlacementProblem {
        var p = problem
        p.userRequestsPerSecond = lambda
        p.network = Network(
            rttSeconds: net.rttSeconds, cloudToEdgeBitsPerSecond: net.cloudToEdgeBitsPerSecond,
            edgeToCloudBitsPerSecond: net.edgeToCloudBitsPerSecond)
        for i in p.services.indices {
            let rate = lambda * totalCalls[i]
            p.services[i].atEdge = false
            p.services[i].cpuUsageCores = PerArea(cloud: cpuSecondsPerCall[i] * rate, edge: 0)
            p.services[i].memoryUsageBytes = PerArea(cloud: memoryByteSecondsPerCall[i] * rate, edge: 0)
        }
        return p
    }

    /// The controller's template: configuration-only fields of the problem (measured ones are refilled).
    public var template: PlacementProblem {
        var p = problem
        p.metadata = Metadata(name: name, source: "gma simulate")
        p.target = Target(delayReductionSeconds: 0)
        return p
    }

    public var settingsBounds: [String: PerArea<ReplicaBounds>] {
        Dictionary(uniqueKeysWithValues: zip(serviceNames, replicaBounds))
    }
}
