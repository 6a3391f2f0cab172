/// Draws `gma/v1` problems like the reference's size simulator (docs/problem-format.md §8): the
/// same graph process, ranges and constants, from a seed of our own generator (the numpy streams cannot be
/// reproduced across languages; the distributions are the same).
public struct AppGenerator: Sendable {
    /// Number of services (the reference's M − 1).
    public var services: Int
    public var seed: UInt64
    public var action: PlacementAction = .offload
    public var rttSeconds = 0.08
    public var bitsPerSecond = 1e9
    /// User requests per second, λ.
    public var requestsPerSecond = 50.0

    /// Delay the generated offload must reach (the simulators' `target_delay`).
    public static let targetDelaySeconds = 0.1
    /// Internal delay of the whole app with no network (the simulators' `app_delay_no_net`).
    public static let internalDelaySeconds = 0.05

    public init(services: Int, seed: UInt64) {
        self.services = services
        self.seed = seed
    }

    /// The problem; for `.unoffload`, the warm start described in `problem(unoffloadFrom:)`.
    public func problem() -> PlacementProblem {
        let offload = offloadProblem()
        return action == .offload ? offload : Self.problem(unoffloadFrom: offload)
    }

    /// A cold-start offload problem: nothing at the edge, target = cloud-only delay − 0.1 s (at least 0).
    public func offloadProblem() -> PlacementProblem {
        precondition(services >= 1, "an app needs at least one service")
        var random = SeededRandom(seed: seed)
        let parents = PreferentialGraph().parents(count: services, random: &random)
        var calls = [Call(from: PlacementProblem.userName, to: "s0", perRequest: 1)]
        for (v, callers) in parents.enumerated() {
            for p in callers { calls.append(Call(from: "s\(p)", to: "s\(v)", perRequest: random.uniform(0.1, 0.5))) }
        }
        let lambda = requestsPerSecond
        var list: [Service] = []
        list.reserveCapacity(services)
        for i in 0..<services {
            let cpu = random.uniform(5, 40) * lambda / 10
            let response = i == 0 ? 2e6 : Double(random.integer(200_000, 2_000_000))
            list.append(
                Service(
                    name: "s\(i)",
                    cpuRequestCores: PerArea(cloud: 1, edge: 1),
                    memoryRequestBytes: PerArea(cloud: 2e9, edge: 2e9),
                    cpuUsageCores: PerArea(cloud: cpu, edge: 0),
                    memoryUsageBytes: PerArea(cloud: 2 * cpu * 1e9, edge: 0),
                    responseBytes: response,
                    internalDelaySeconds: random.uniform(0.005, 0.01)))
        }
        var problem = PlacementProblem(
            metadata: Metadata(
                name: "generated-\(services)-s\(seed)",
                source: "gma generate: Barabási–Albert with Pareto fan-in (shape 10, power 0.9, zero appeal 3.125), "
                    + "services \(services), seed \(seed), rate \(lambda) req/s, rtt \(rttSeconds) s, "
                    + "bandwidth \(bitsPerSecond) bit/s (xoshiro256** stream)"),
            action: .offload,
            services: list,
            ingress: Ingress(
                cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 2e9, edge: 2e9),
                countsOneCloudReplica: true),
            calls: calls,
            userRequestsPerSecond: lambda,
            network: Network(
                rttSeconds: rttSeconds, cloudToEdgeBitsPerSecond: bitsPerSecond, edgeToCloudBitsPerSecond: bitsPerSecond),
            prices: Prices(
                edge: AreaPrices(cpuCoreHour: 0.028, memoryGBHour: 0.014),
                cloud: AreaPrices(cpuCoreHour: 0.0208, memoryGBHour: 0.0104),
                networkGB: 0.02),
            target: Target(delayReductionSeconds: 0))
        // Rescale internal delays so the app's total is exactly 0.05 s; it does not depend on the placement.
        let raw = PlacementModel(validated: problem).cloudOnly.internalDelaySeconds
        if raw > 0 {
            let scale = raw / Self.internalDelaySeconds
            for i in problem.services.indices { problem.services[i].internalDelaySeconds /= scale }
        }
        let cloudOnly = PlacementModel(validated: problem).cloudOnly.delaySeconds
        problem.target = Target(delayReductionSeconds: max(cloudOnly - Self.targetDelaySeconds, 0))
        return problem
    }

    /// The warm start of the simulators' λ experiment (docs/problem-format.md §8, unoffload): the greedy's answer
    /// to `offload` becomes the current placement (CPU usage shifted with it), the rate drops to a fifth (a tenth
    /// if that leaves no slack), usage scales with it, and the allowed delay is 0.1 s.
    public static func problem(unoffloadFrom offload: PlacementProblem) -> PlacementProblem {
        let model = PlacementModel(validated: offload)
        // No deadline: the same seed must give the same file however fast the machine is.
        let placed = GreedyPlacer(model: model, options: SolveOptions()).solve(deadline: .infinity).evaluation
        var best: PlacementProblem?
        for divisor in [5.0, 10.0] {
            var problem = offload
            problem.action = .unoffload
            problem.userRequestsPerSecond = offload.userRequestsPerSecond / divisor
            for i in problem.services.indices {
                let cpuCloud = placed.cpuUsageCloud[i] / divisor
                let cpuEdge = placed.cpuUsageEdge[i] / divisor
                problem.services[i].atEdge = placed.atEdge[i]
                problem.services[i].cpuUsageCores = PerArea(cloud: cpuCloud, edge: cpuEdge)
                problem.services[i].memoryUsageBytes = PerArea(cloud: 2 * cpuCloud * 1e9, edge: 2 * cpuEdge * 1e9)
            }
            let current = PlacementModel(validated: problem).current.delaySeconds
            let slack = targetDelaySeconds - current
            problem.target = Target(maxDelayIncreaseSeconds: slack)
            problem.metadata.name = (offload.metadata.name ?? "generated") + "-unoffload"
            problem.metadata.source =
                (offload.metadata.source ?? "") + "; unoffload: greedy offload result, rate / \(Int(divisor)), "
                + "allowed delay \(targetDelaySeconds) s"
            best = problem
            if slack > 0 { break }
        }
        return best!
    }
}
