/// Draws `gma/v2` problems over K edges (docs/problem-format.md §8, "Several edges"): the single-edge generator's
/// app (same seed, same graph and services), served by K edges whose rates and RTTs spread around the generator's.
public struct MultiEdgeGenerator: Sendable {
    public var app: AppGenerator
    public var edges: Int

    public init(app: AppGenerator, edges: Int) {
        self.app = app
        self.edges = edges
    }

    /// Edge e's rate and RTT are the generator's times a factor uniform in [0.5, 1.5] (a stream of their own, so
    /// the app is the single-edge one); each edge's users cause the app's usage per request at their own rate;
    /// every edge starts cold and asks the offload target of the single-edge generator for its own delay.
    public func problem() -> MultiEdgeProblem {
        precondition(edges >= 1, "at least one edge")
        let single = app.offloadProblem()
        var random = SeededRandom(seed: app.seed ^ 0x6D75_6C74_6965_6467)
        var problem = MultiEdgeProblem(singleEdge: single)
        let base = problem.areas[0]
        problem.areas = (0..<edges).map { e in
            let rateFactor = random.uniform(0.5, 1.5)
            let rtt = app.rttSeconds * random.uniform(0.5, 1.5)
            var area = base
            area.name = "edge\(e + 1)"
            area.userRequestsPerSecond = single.userRequestsPerSecond * rateFactor
            area.network = Network(
                rttSeconds: rtt, cloudToEdgeBitsPerSecond: app.bitsPerSecond, edgeToCloudBitsPerSecond: app.bitsPerSecond)
            area.services = single.services.map {
                .init(
                    name: $0.name, cpuUsageCores: PerArea(cloud: $0.cpuUsageCores.cloud * rateFactor, edge: 0),
                    memoryUsageBytes: PerArea(cloud: $0.memoryUsageBytes.cloud * rateFactor, edge: 0))
            }
            return area
        }
        problem.metadata.name = "generated-\(app.services)-s\(app.seed)-k\(edges)"
        problem.metadata.source =
            (single.metadata.source ?? "") + "; \(edges) edges, rate and rtt × uniform [0.5, 1.5] per edge"
        let model = try! MultiEdgeModel(problem)
        for e in 0..<edges {
            let cloudOnly = model.edges[e].cloudOnly.delaySeconds
            problem.areas[e].target = Target(delayReductionSeconds: max(cloudOnly - AppGenerator.targetDelaySeconds, 0))
        }
        return problem
    }
}
