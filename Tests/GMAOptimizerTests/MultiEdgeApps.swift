import Foundation
import GMAOptimizer

/// Small random K-edge problems over one random app (`RandomApps`), and the exhaustive joint optimum.
enum MultiEdgeApps {
    /// K edges with their own rates, links, prices, usage shares, placements and actions (offload, unoffload, hold).
    static func problem(seed: UInt64, services n: Int, edges k: Int) -> MultiEdgeProblem {
        let app = RandomApps.problem(seed: seed, services: n)
        var bits = RandomApps.Bits(state: seed &* 104_729 &+ 3)
        var problem = MultiEdgeProblem(singleEdge: app)
        let base = problem.areas[0]
        problem.areas = (0..<k).map { e in
            var area = base
            area.name = "edge\(e + 1)"
            area.userRequestsPerSecond = bits.uniform(5, 60)
            area.network = Network(rttSeconds: bits.uniform(0.02, 0.12), cloudToEdgeBitsPerSecond: bits.uniform(2e8, 2e9))
            area.prices = .init(cpuCoreHour: bits.uniform(0.02, 0.04), memoryGBHour: bits.uniform(0.01, 0.02), networkGB: 0.02)
            area.action = [.offload, .hold, .unoffload][Int(bits.next() % 3)]
            area.target = Target(delayReductionSeconds: 0, maxDelayIncreaseSeconds: 0)
            let placed = bits.placement(n, density: area.action == .offload ? 0 : 40)
            area.services = app.services.enumerated().map { b, s in
                // A fifth to three halves of the app's usage, with a part already at the edge when placed there.
                let usage = s.cpuUsageCores.cloud * bits.uniform(0.2, 1.5)
                let atEdge = placed[b] || b == 0 && area.action != .offload
                let edgePart = atEdge ? usage * bits.uniform(0.2, 0.8) : 0
                return .init(
                    name: s.name, cpuUsageCores: PerArea(cloud: usage - edgePart, edge: edgePart), atEdge: atEdge,
                    locked: bits.next() % 7 == 0)
            }
            return area
        }
        for b in problem.services.indices where bits.next() % 3 == 0 {
            problem.services[b].cloudOnlyCpuUsageCores = bits.uniform(0.1, 3)
        }
        // Links below saturation with nothing at the edge: the program, like the single-edge one, works where ρ < 1
        // (docs/milp.md §9), and a target met only on a saturated link is not a real one.
        let unsaturated = try! MultiEdgeModel(problem)
        for e in 0..<k where unsaturated.edges[e].cloudOnly.rho > 0.6 {
            problem.areas[e].network.cloudToEdgeBitsPerSecond = unsaturated.edges[e].cloudOnly.cloudToEdgeTrafficBitsPerSecond / 0.6
        }
        // Targets that some placements meet and others miss, from each edge's own delays.
        let model = try! MultiEdgeModel(problem)
        for e in 0..<k {
            let edge = model.edges[e]
            switch problem.areas[e].action {
            case .offload:
                problem.areas[e].target = Target(delayReductionSeconds: edge.current.networkDelaySeconds * bits.uniform(0.1, 0.8))
            case .unoffload, .hold:
                let headroom = edge.cloudOnly.delaySeconds - edge.current.delaySeconds
                problem.areas[e].target = Target(maxDelayIncreaseSeconds: max(headroom, 0.001) * bits.uniform(0.1, 0.9))
            }
        }
        return problem
    }

    /// The cheapest total cost over every allowed placement of every edge that meets every edge's test.
    static func bruteForce(_ model: MultiEdgeModel) -> Double? {
        let free = model.edges.indices.map { e in
            let (mayAdd, mayRemove) = model.movable(edge: e)
            return mayAdd.indices.filter { mayAdd[$0] || mayRemove[$0] }
        }
        let starts = model.edges.map(\.current.atEdge)
        var best: Double?
        func visit(_ e: Int, _ placements: [[Bool]]) {
            if e == model.edgeCount {
                let evaluation = model.evaluate(placements)
                guard model.meetsTargets(evaluation) else { return }
                if best == nil || evaluation.cost.total < best! { best = evaluation.cost.total }
                return
            }
            for mask in 0..<(1 << free[e].count) {
                var placement = starts[e]
                for (k, b) in free[e].enumerated() { placement[b] = mask & (1 << k) != 0 }
                visit(e + 1, placements + [placement])
            }
        }
        visit(0, [])
        return best
    }
}
