import Foundation
import GMAOptimizer

/// Small random apps with cycles and self-calls, and a brute-force optimum to check solvers against.
enum RandomApps {
    struct Bits {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func placement(_ n: Int, density: UInt64) -> [Bool] {
            (0..<n).map { _ in next() % 100 < density }
        }

        mutating func uniform(_ low: Double, _ high: Double) -> Double {
            low + (high - low) * Double(next() >> 11) / Double(1 << 53)
        }
    }

    static func problem(seed: UInt64, services n: Int) -> PlacementProblem {
        var bits = Bits(state: seed &* 7919 &+ 17)
        let names = (0..<n).map { "s\($0)" }
        var calls = [Call(from: "user", to: "s0", perRequest: 1)]
        for b in 1..<n {
            let parent = Int(bits.next() % UInt64(b))
            calls.append(Call(from: names[parent], to: names[b], perRequest: bits.uniform(0.2, 1.5)))
        }
        // Back edges and self-calls with small gains keep the counts finite.
        for _ in 0..<(n / 2) {
            let a = Int(bits.next() % UInt64(n))
            let b = Int(bits.next() % UInt64(n))
            guard !calls.contains(where: { $0.from == names[a] && $0.to == names[b] }) else { continue }
            calls.append(Call(from: names[a], to: names[b], perRequest: bits.uniform(0.02, 0.2)))
        }
        let services = names.map { name in
            let usage = bits.uniform(0.5, 20)
            return Service(
                name: name, cpuRequestCores: PerArea(cloud: 1, edge: bits.next() % 3 == 0 ? 0.5 : 1),
                memoryRequestBytes: PerArea(cloud: 2e9, edge: 2e9),
                cpuUsageCores: PerArea(cloud: usage, edge: 0), memoryUsageBytes: PerArea(cloud: 2 * usage * 1e9, edge: 0),
                responseBytes: bits.uniform(1e5, 2e6), internalDelaySeconds: bits.uniform(0.001, 0.005))
        }
        var problem = PlacementProblem(
            action: .offload, services: services, calls: calls, userRequestsPerSecond: bits.uniform(5, 60),
            network: Network(rttSeconds: bits.uniform(0.02, 0.1), cloudToEdgeBitsPerSecond: 1e9),
            prices: Prices(
                edge: AreaPrices(cpuCoreHour: 0.028, memoryGBHour: 0.014),
                cloud: AreaPrices(cpuCoreHour: 0.0208, memoryGBHour: 0.0104), networkGB: 0.02),
            target: Target(delayReductionSeconds: 0))
        let model = try! PlacementModel(problem)
        problem.target = Target(delayReductionSeconds: model.cloudOnly.networkDelaySeconds * bits.uniform(0.2, 1.1))
        return problem
    }

    /// Cheapest feasible cost over every allowed edge set, or nil if none meets the target.
    static func bruteForce(_ model: PlacementModel) -> Double? {
        let (mayAdd, mayRemove) = model.movable(allowRemoval: false)
        let current = model.current.atEdge
        let free = (0..<model.serviceCount).filter { mayAdd[$0] || mayRemove[$0] }
        var best: Double?
        for mask in 0..<(1 << free.count) {
            var set = current
            for (k, i) in free.enumerated() { set[i] = mask & (1 << k) != 0 }
            let e = model.evaluate(set)
            guard model.meetsTarget(delaySeconds: e.delaySeconds) else { continue }
            if best == nil || e.cost.total < best! { best = e.cost.total }
        }
        return best
    }
}
