import Foundation

/// The reference simulators' dependency graph (docs/problem-format.md §8): Barabási–Albert growth where each new
/// service gets a Pareto-distributed number of callers, chosen with probability proportional to
/// `children^power + zeroAppeal`.
///
/// The reference draws callers by rejection (a uniform node, accepted with its weight over the total); that
/// yields each eligible node with probability proportional to its weight, which is what this samples directly
/// through a Fenwick tree, in O(log n) instead of O(n) draws per caller.
struct PreferentialGraph {
    var paretoShape = 10.0
    var power = 0.9
    var zeroAppeal = 3.125

    /// `parents[v]`: the callers of service `v`, in draw order (service 0 has none).
    func parents(count n: Int, random: inout SeededRandom) -> [[Int]] {
        var parents = [[Int]](repeating: [], count: n)
        guard n > 1 else { return parents }
        var children = [Int](repeating: 0, count: n)
        var weights = FenwickTree(count: n)
        weights.set(0, to: weight(children: 0))
        for v in 1..<n {
            // numpy's pareto is Lomax; +1 makes it the classical Pareto with minimum 1.
            let lomax = pow(1 - random.unit(), -1 / paretoShape) - 1
            let fanIn = Int(min(lomax + 1, Double(v)).rounded(.toNearestOrEven))
            var chosen: [Int] = []
            while chosen.count < fanIn {
                // Only services 0..<v are in the tree yet; rounding must not land past them.
                let c = min(weights.sample(random.unit() * weights.total), v - 1)
                if !chosen.contains(c) { chosen.append(c) }
            }
            for c in chosen {
                children[c] += 1
                weights.set(c, to: weight(children: children[c]))
            }
            parents[v] = chosen
            weights.set(v, to: weight(children: 0))
        }
        return parents
    }

    private func weight(children: Int) -> Double { pow(Double(children), power) + zeroAppeal }
}

/// Prefix sums over non-negative weights, for sampling an index with probability proportional to its weight.
struct FenwickTree {
    private var tree: [Double]
    private var values: [Double]
    private(set) var total = 0.0

    init(count: Int) {
        tree = [Double](repeating: 0, count: count + 1)
        values = [Double](repeating: 0, count: count)
    }

    mutating func set(_ index: Int, to value: Double) {
        let change = value - values[index]
        values[index] = value
        total += change
        var i = index + 1
        while i < tree.count {
            tree[i] += change
            i += i & -i
        }
    }

    /// The index whose cumulative weight range contains `target` (0 ≤ target < total).
    func sample(_ target: Double) -> Int {
        var position = 0
        var remaining = target
        var step = 1
        while step * 2 < tree.count { step *= 2 }
        while step > 0 {
            let next = position + step
            if next < tree.count && tree[next] <= remaining {
                position = next
                remaining -= tree[next]
            }
            step /= 2
        }
        // Rounding can walk past the last positive weight; stay on a real index.
        return min(position, values.count - 1)
    }
}
