/// The reference cost/delay model of docs/model.md over dense arrays.
///
/// Built once per problem (names resolved, current placement evaluated); `evaluate` is the inner loop of
/// every solver and runs in O(calls) for acyclic call graphs.
public struct PlacementModel: Sendable {
    public let problem: PlacementProblem
    public let serviceCount: Int
    public let serviceNames: [String]
    let graph: CallGraph
    let serviceIndex: [String: Int]

    let responseBytes: [Double]
    let internalDelay: [Double]
    let hpaThreshold: [Double]
    let cpuRequestCloud: [Double]
    let cpuRequestEdge: [Double]
    /// Current usage of both areas together: the usage that follows invocations (docs/model.md §7).
    let cpuUsageTotal: [Double]
    let memoryUsageTotal: [Double]
    let replicaPriceCloud: [Double]
    let replicaPriceEdge: [Double]
    let ingressCloudReplicas: Int
    let ingressReplicaPriceCloud: Double
    let lambda: Double
    let rtt: Double
    let bandwidth: Double
    let networkPricePerGB: Double
    /// N_cur.cloud + N_cur.edge per service, from the current placement.
    let currentTotalCalls: [Double]

    /// The current placement (the services flagged `atEdge`), evaluated.
    public private(set) var current: PlacementEvaluation = .empty
    /// The placement with no service at the edge.
    public private(set) var cloudOnly: PlacementEvaluation = .empty

    public init(_ problem: PlacementProblem) throws(ProblemError) {
        let issues = ProblemValidator(problem: problem).issues()
        if !issues.isEmpty { throw .invalid(source: problem.metadata.name ?? "problem", issues: issues) }
        self.init(validated: problem)
    }

    init(validated problem: PlacementProblem) {
        self.problem = problem
        let services = problem.services
        let n = services.count
        serviceCount = n
        serviceNames = services.map(\.name)
        var index: [String: Int] = [:]
        for (i, s) in services.enumerated() { index[s.name] = i }
        serviceIndex = index
        graph = CallGraph(problem: problem)
        responseBytes = services.map(\.responseBytes)
        internalDelay = services.map(\.internalDelaySeconds)
        hpaThreshold = services.map(\.hpaCpuThreshold)
        cpuRequestCloud = services.map(\.cpuRequestCores.cloud)
        cpuRequestEdge = services.map(\.cpuRequestCores.edge)
        cpuUsageTotal = services.map { $0.cpuUsageCores.cloud + $0.cpuUsageCores.edge }
        memoryUsageTotal = services.map { $0.memoryUsageBytes.cloud + $0.memoryUsageBytes.edge }
        let prices = problem.prices
        replicaPriceCloud = services.map {
            prices.cloud.cpuCoreHour * $0.cpuRequestCores.cloud
                + prices.cloud.memoryGBHour * ($0.memoryRequestBytes.cloud / 1e9)
        }
        replicaPriceEdge = services.map {
            prices.edge.cpuCoreHour * $0.cpuRequestCores.edge
                + prices.edge.memoryGBHour * ($0.memoryRequestBytes.edge / 1e9)
        }
        if let ingress = problem.ingress, ingress.countsOneCloudReplica {
            ingressCloudReplicas = 1
            ingressReplicaPriceCloud =
                prices.cloud.cpuCoreHour * ingress.cpuRequestCores.cloud
                + prices.cloud.memoryGBHour * (ingress.memoryRequestBytes.cloud / 1e9)
        } else {
            ingressCloudReplicas = 0
            ingressReplicaPriceCloud = 0
        }
        lambda = problem.userRequestsPerSecond
        rtt = problem.network.rttSeconds
        bandwidth = problem.network.cloudToEdgeBitsPerSecond
        networkPricePerGB = prices.networkGB

        let currentEdge = services.map(\.atEdge)
        var cloudN = [Double](repeating: 0, count: n + 1)
        var edgeN = [Double](repeating: 0, count: n + 1)
        graph.invocations(atEdge: currentEdge + [true], cloudN: &cloudN, edgeN: &edgeN)
        currentTotalCalls = (0..<n).map { cloudN[$0] + edgeN[$0] }

        current = evaluate(currentEdge)
        cloudOnly = evaluate([Bool](repeating: false, count: n))
    }

    // MARK: - Names

    public func index(of name: String) -> Int? { serviceIndex[name] }

    /// The edge set with exactly the named services. Unknown names are an error naming them.
    public func edgeSet(named names: [String]) throws(ProblemError) -> [Bool] {
        var set = [Bool](repeating: false, count: serviceCount)
        var unknown: [String] = []
        for name in names {
            if let i = serviceIndex[name] { set[i] = true } else { unknown.append(name) }
        }
        if !unknown.isEmpty {
            throw .invalid(
                source: problem.metadata.name ?? "problem",
                issues: [ProblemIssue(path: "edgeServices", message: "unknown service(s) \(unknown.joined(separator: ", "))")])
        }
        return set
    }

    public func names(of set: [Bool]) -> [String] {
        set.indices.filter { set[$0] }.map { serviceNames[$0] }
    }

    // MARK: - Evaluation

    /// Evaluates the placement with the services of `atEdge` (length = service count) at the edge.
    public func evaluate(_ atEdge: [Bool]) -> PlacementEvaluation {
        precondition(atEdge.count == serviceCount, "edge set has \(atEdge.count) entries for \(serviceCount) services")
        let n = serviceCount
        var present = atEdge
        present.append(true)  // the user is always at the edge
        var cloudN = [Double](repeating: 0, count: n + 1)
        var edgeN = [Double](repeating: 0, count: n + 1)
        graph.invocations(atEdge: present, cloudN: &cloudN, edgeN: &edgeN)

        // docs/model.md §4: responses of cloud copies to edge callers cross the link.
        var trafficBytes = 0.0
        for call in graph.calls where present[call.from] && !present[call.to] {
            trafficBytes += edgeN[call.from] * call.rate * responseBytes[call.to]
        }
        let traffic = lambda * 8 * trafficBytes
        let (rho, spread) = loadSpread(traffic: traffic)
        var networkDelay = 0.0
        if lambda != 0 {
            // docs/model.md §6: the transfer term is capped, the RTT is not.
            for call in graph.calls where present[call.from] && !present[call.to] {
                let transfer = min(responseBytes[call.to] * 8 / bandwidth * spread, 1e5)
                networkDelay += edgeN[call.from] * call.rate * (transfer + rtt)
            }
        }
        var internalDelayTotal = 0.0
        for i in 0..<n { internalDelayTotal += cloudN[i] * internalDelay[i] }
        for i in 0..<n { internalDelayTotal += edgeN[i] * internalDelay[i] }
        let delay = min(networkDelay + internalDelayTotal, 1e5)

        // docs/model.md §7–8: usage follows invocations, then replicas from the CPU threshold.
        var cpuCloud = [Double](repeating: 0, count: n)
        var cpuEdge = [Double](repeating: 0, count: n)
        var memCloud = [Double](repeating: 0, count: n)
        var memEdge = [Double](repeating: 0, count: n)
        var replicasCloud = [Double](repeating: 0, count: n)
        var replicasEdge = [Double](repeating: 0, count: n)
        var edgeCost = 0.0
        var cloudCost = 0.0
        for i in 0..<n {
            let total = currentTotalCalls[i]
            if total > 0 {
                // This order of operations reproduces the reference bit for bit at ceiling boundaries.
                cpuCloud[i] = cpuUsageTotal[i] * (cloudN[i] / total)
                cpuEdge[i] = cpuUsageTotal[i] * (edgeN[i] / total)
                memCloud[i] = memoryUsageTotal[i] * (cloudN[i] / total)
                memEdge[i] = memoryUsageTotal[i] * (edgeN[i] / total)
            } else {
                // Never invoked by this app's users: its usage is not theirs to move; it stays in the cloud.
                cpuCloud[i] = cpuUsageTotal[i]
                memCloud[i] = memoryUsageTotal[i]
            }
            let h = hpaThreshold[i]
            replicasCloud[i] = max(((cpuCloud[i] / h) / cpuRequestCloud[i]).rounded(.up), 1)
            replicasEdge[i] = ((cpuEdge[i] / h) / cpuRequestEdge[i]).rounded(.up)
            edgeCost += replicasEdge[i] * replicaPriceEdge[i]
            cloudCost += replicasCloud[i] * replicaPriceCloud[i]
        }
        cloudCost += Double(ingressCloudReplicas) * ingressReplicaPriceCloud
        // The reference prices ρ·B, so traffic cost saturates at the link capacity.
        let networkCost = networkPricePerGB * (rho * bandwidth) * 3600 / 8 / 1e9
        return PlacementEvaluation(
            atEdge: atEdge,
            cloudCalls: Array(cloudN[0..<n]),
            edgeCalls: Array(edgeN[0..<n]),
            cloudToEdgeTrafficBitsPerSecond: traffic,
            rho: rho,
            networkDelaySeconds: networkDelay,
            internalDelaySeconds: internalDelayTotal,
            delaySeconds: delay,
            cpuUsageCloud: cpuCloud,
            cpuUsageEdge: cpuEdge,
            memoryUsageCloud: memCloud,
            memoryUsageEdge: memEdge,
            replicasCloud: replicasCloud,
            replicasEdge: replicasEdge,
            ingressCloudReplicas: ingressCloudReplicas,
            cost: CostBreakdown(
                total: edgeCost + cloudCost + networkCost, edge: edgeCost, cloud: cloudCost, network: networkCost)
        )
    }

    /// ρ and the load-spread factor of docs/model.md §5 (a penalty growing with the unclipped load when ρ ≥ 1).
    func loadSpread(traffic: Double) -> (rho: Double, spread: Double) {
        let rho = min(traffic / bandwidth, 1)
        let spread = rho < 1 ? 1 / (1 - rho) : 1e6 * traffic / bandwidth
        return (rho, spread)
    }

    // MARK: - Feasibility (docs/model.md §10)

    /// Whether a placement with this delay meets the problem's target.
    public func meetsTarget(delaySeconds delay: Double) -> Bool {
        switch problem.action {
        case .offload:
            return current.delaySeconds - delay >= (problem.target.delayReductionSeconds ?? 0)
        case .unoffload:
            let void = cloudOnly.delaySeconds
            let limit = current.delaySeconds + (problem.target.maxDelayIncreaseSeconds ?? 0)
            return void - delay >= max(void - limit, 0)
        }
    }

    /// The largest delay that meets the target, for solvers that need it as a bound.
    public var delayLimitSeconds: Double {
        switch problem.action {
        case .offload:
            return current.delaySeconds - (problem.target.delayReductionSeconds ?? 0)
        case .unoffload:
            let void = cloudOnly.delaySeconds
            let limit = current.delaySeconds + (problem.target.maxDelayIncreaseSeconds ?? 0)
            return void - max(void - limit, 0)
        }
    }
}
