/// The greedy's search: reach the target with the cheapest groups per unit of delay, then descend in cost with
/// removals, cost-saving additions and swaps while the target holds. Deterministic: candidates come in index
/// order and ties keep the first, unless the deadline cuts the search short.
///
/// The deadline bounds the whole search: every candidate loop reads the clock (a trial costs far more), and when it
/// has passed the search stops where it is and keeps the best placement found so far (`budgetExhausted`).
struct GreedySearch {
    enum Outcome {
        case feasible
        /// No allowed placement found meets the target; the committed placement is the best fallback.
        case infeasible
    }

    private(set) var state: IncrementalEvaluator
    private var builder: GroupBuilder
    private let model: PlacementModel
    private let free: [Bool]
    private var additions = CandidateGroups()
    private var removals = CandidateGroups()
    private var scratch: [Int] = []
    private var cache = MoveCache()
    /// Absolute deadline on `GLPKSolver.now()`'s clock.
    private let deadline: Double
    /// The deadline passed before the search ended by itself.
    private(set) var budgetExhausted = false

    init(model: PlacementModel, options: SolveOptions, deadline: Double) {
        self.model = model
        self.deadline = deadline
        let (mayAdd, mayRemove) = model.movable(allowRemoval: options.allowRemoval)
        free = zip(mayAdd, mayRemove).map { $0 || $1 }
        state = IncrementalEvaluator(model: model, atEdge: model.current.atEdge)
        builder = GroupBuilder(model: model, free: free, depth: options.greedyDepth)
    }

    var trials: Int { state.trials }

    /// Whether the deadline has passed; once it has, every loop of the search ends at its next check.
    private mutating func outOfTime() -> Bool {
        if !budgetExhausted && GLPKSolver.now() >= deadline { budgetExhausted = true }
        return budgetExhausted
    }

    /// Two starts, each polished by the cost descent; the cheaper wins. The Lagrangian seed handles targets that
    /// only a deep subtree reaches; the frontier greedy is often better when a few small groups suffice.
    mutating func run() -> Outcome {
        if model.problem.action == .unoffload && !state.meetsTarget {
            // An unoffload that starts over its limit has nothing to give back: keep the current placement.
            return .infeasible
        }
        var best: (set: [Bool], cost: Double)?
        func keep(_ state: IncrementalEvaluator) {
            if best == nil || state.cost < best!.cost { best = (state.edgeSet, state.cost) }
        }
        var seed = LagrangianSeed(model: model, free: free)
        if let start = seed.bestFeasible(deadline: deadline) {
            state.reset(to: start)
            improve()
            keep(state)
            // Out of time with a placement that meets the target: the state holds it.
            if outOfTime() { return .feasible }
            state.reset(to: model.current.atEdge)
        }
        if !state.meetsTarget {
            reachTarget()
            if !state.meetsTarget && best == nil && !outOfTime() { minimiseDelay() }
        }
        if state.meetsTarget {
            improve()
            keep(state)
        }
        guard let best else { return .infeasible }
        state.reset(to: best.set)
        return .feasible
    }

    // MARK: - Reaching the target

    /// Adds the group with the least cost increase per unit of delay reduction until the target holds. The
    /// reduction that counts is capped at what is still missing, so the last step picks the cheapest group that
    /// finishes the job rather than the best ratio that overshoots.
    private mutating func reachTarget() {
        let limit = model.delayLimitSeconds
        while !state.meetsTarget {
            let missing = state.delay - limit
            builder.additions(from: state, into: &additions)
            var best: (index: Int, score: Double)?
            for g in 0..<additions.count {
                if outOfTime() { return }
                let delta = cache.delta(of: additions[g], in: &state)
                let trial = state.outcome(of: delta)
                let gain = state.delay - trial.delay
                guard gain > 0, trial.cost.isFinite else { continue }
                let credited = min(gain, missing)
                let costIncrease = trial.cost - state.cost
                // Cost-saving groups come first, the biggest saving (and reduction) first.
                let score = costIncrease >= 0 ? costIncrease / credited : costIncrease * (credited / missing)
                if best == nil || score < best!.score { best = (g, score) }
            }
            guard let best else { return }
            state.commit(flipping: additions[best.index])
        }
    }

    /// When the cost-aware pass stalls short of the target: the largest delay reduction each round, the
    /// fallback of an infeasible offload. Ends with the smallest delay found among this and "everything allowed".
    private mutating func minimiseDelay() {
        while !state.meetsTarget {
            builder.additions(from: state, into: &additions)
            var best: (index: Int, gain: Double)?
            for g in 0..<additions.count {
                if outOfTime() { return }
                let delta = cache.delta(of: additions[g], in: &state)
                let gain = state.delay - state.outcome(of: delta).delay
                if gain > 0 && (best == nil || gain > best!.gain) { best = (g, gain) }
            }
            guard let best else { break }
            state.commit(flipping: additions[best.index])
        }
        guard !state.meetsTarget else { return }
        var everything = state.edgeSet
        for i in everything.indices where free[i] { everything[i] = true }
        let reached = state.edgeSet
        state.reset(to: everything)
        if !state.meetsTarget && state.delay >= model.evaluate(reached).delaySeconds { state.reset(to: reached) }
    }

    // MARK: - Descending in cost

    /// Starts and ends every move with no uninvoked edge service: one left at the edge would come back to life
    /// with the next addition above it, so that addition's trial would price a bigger move than its group
    /// (docs/greedy.md §7: the twin's plateau where the swap s8 → s5 looked dear).
    private mutating func improve() {
        dropUninvoked()
        // Each accepted move lowers the cost by more than the tolerance, so this ends; the cap is a safety net.
        for _ in 0..<(8 * model.serviceCount + 16) {
            guard applyBestSingleMove() || applyBestSwap() else { return }
            dropUninvoked()
        }
    }

    private func tolerance(_ cost: Double) -> Double { 1e-9 * max(1, abs(cost)) }

    /// The single group (removed, or added) with the best cost saving per unit of delay increase that keeps
    /// the target. For an unoffload this is the whole algorithm but for swaps: the mirror of `reachTarget`.
    private mutating func applyBestSingleMove() -> Bool {
        builder.removals(from: state, into: &removals)
        builder.additions(from: state, into: &additions)
        let tol = tolerance(state.cost)
        var best: (removal: Bool, index: Int, key: Double)?
        for (isRemoval, groups) in [(true, removals), (false, additions)] {
            for g in 0..<groups.count {
                if outOfTime() { return false }
                let delta = cache.delta(of: groups[g], in: &state)
                let trial = state.outcome(of: delta)
                let saving = state.cost - trial.cost
                guard saving > tol, model.meetsTarget(delaySeconds: trial.delay) else { continue }
                let key = saving / max(trial.delay - state.delay, 1e-9)
                if best == nil || key > best!.key { best = (isRemoval, g, key) }
            }
        }
        guard let best else { return false }
        return commitIfImproving(best.removal ? Array(removals[best.index]) : Array(additions[best.index]))
    }

    /// Removing one group and adding another, when neither alone pays. Every pair is screened by adding the two
    /// moves' effects (exact for moves far apart); the most promising pairs are then tried for real.
    private mutating func applyBestSwap() -> Bool {
        builder.removals(from: state, into: &removals)
        builder.additions(from: state, into: &additions)
        guard removals.count > 0, additions.count > 0 else { return false }
        let tol = tolerance(state.cost)
        var removalDeltas: [(index: Int, delta: IncrementalEvaluator.Delta)] = []
        for g in 0..<removals.count {
            if outOfTime() { return false }
            let delta = cache.delta(of: removals[g], in: &state)
            // A pair can only pay if one side saves; additions that save and keep the target were taken already.
            if state.cost - state.outcome(of: delta).cost > tol { removalDeltas.append((g, delta)) }
        }
        guard !removalDeltas.isEmpty else { return false }
        var additionDeltas: [IncrementalEvaluator.Delta] = []
        for a in 0..<additions.count {
            if outOfTime() { return false }
            additionDeltas.append(cache.delta(of: additions[a], in: &state))
        }
        var shortlist: [(removal: Int, addition: Int, saving: Double)] = []
        let shortlistSize = 8
        for (r, removalDelta) in removalDeltas {
            if outOfTime() { return false }
            let removal = removals[r]
            for a in 0..<additions.count {
                let estimate = state.outcome(of: removalDelta + additionDeltas[a])
                let saving = state.cost - estimate.cost
                guard saving > tol, model.meetsTarget(delaySeconds: estimate.delay) else { continue }
                if shortlist.count == shortlistSize && saving <= shortlist[shortlistSize - 1].saving { continue }
                if additions[a].contains(where: { removal.contains($0) }) { continue }
                let at = shortlist.firstIndex { saving > $0.saving } ?? shortlist.count
                shortlist.insert((r, a, saving), at: at)
                if shortlist.count > shortlistSize { shortlist.removeLast() }
            }
        }
        var best: (group: [Int], saving: Double)?
        for pick in shortlist {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: removals[pick.removal])
            scratch.append(contentsOf: additions[pick.addition])
            let trial = state.trial(flipping: scratch[...])
            let saving = state.cost - trial.cost
            guard saving > tol, model.meetsTarget(delaySeconds: trial.delay) else { continue }
            if best == nil || saving > best!.saving { best = (scratch, saving) }
        }
        guard let best else { return false }
        return commitIfImproving(best.group)
    }

    /// Commits a move the trials found improving, and takes it back if the exact evaluation disagrees (a trial's
    /// rounding can differ from the model's in the last bits right at the limit).
    private mutating func commitIfImproving(_ group: [Int]) -> Bool {
        let before = state.cost
        state.commit(flipping: group)
        if state.meetsTarget && state.cost < before - tolerance(before) { return true }
        state.commit(flipping: group)
        return false
    }

    /// Edge services nobody invokes at the edge cost nothing and change nothing; leave them in the cloud.
    private mutating func dropUninvoked() {
        let stale = (0..<model.serviceCount).filter { free[$0] && state.atEdge[$0] && state.edgeN[$0] == 0 }
        if !stale.isEmpty { state.commit(flipping: stale) }
    }
}

