/// Remembers the effect of each candidate group until a commit changes something its trial read.
///
/// Most commits touch a corner of the call graph, so most candidates of the next round keep their effect; the
/// figures are recomputed from it (the global load factor changes every commit) at the price of a few flops.
struct MoveCache {
    private struct Entry {
        var delta: IncrementalEvaluator.Delta
        var evaluatedAt: Int
        var affected: [Int]
    }

    private var entries: [[Int]: Entry] = [:]

    mutating func delta(of group: ArraySlice<Int>, in state: inout IncrementalEvaluator) -> IncrementalEvaluator.Delta {
        let key = Array(group)
        if let entry = entries[key], entry.affected.allSatisfy({ state.dirtyAt[$0] <= entry.evaluatedAt }),
            entry.delta.cappedNetwork == nil || entry.evaluatedAt == state.version
        {
            // A saturated trial's per-call delay depends on the load factor, which every commit changes.
            return entry.delta
        }
        let delta = state.delta(flipping: group)
        entries[key] = Entry(delta: delta, evaluatedAt: state.version, affected: state.lastAffected)
        return delta
    }
}
