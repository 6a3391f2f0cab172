/// Carries out a decision's operations through `ClusterAccess`.
///
/// Operations come in per-service pairs (scale the cloud, then delete the edge copy; apply the edge copy,
/// then scale it). When the first of a pair fails the second is skipped; when any of a pair fails, the pair
/// is undone (best effort): an offload's edge copy is deleted again, an unoffload's cloud is scaled back to
/// its count before the decision. A failed or timed-out kubectl call may still have landed, so the undo runs
/// whichever of the two failed. No service is left with half of its change; other services go on. The next
/// cycle re-reads the cluster, so a failure converges.
struct PlacementActuator: Sendable {
    let cluster: any ClusterAccess
    /// Cloud replica counts before the decision, per service: what an unoffload's undo scales back to.
    var cloudReplicasBefore: [String: Int] = [:]
    /// Asked before each service's pair, never inside one: shutdown stops the actuation there.
    var shouldStop: @Sendable () -> Bool = { Task.isCancelled }
    /// Set: removals are staged (every cloud first, one bounded wait for ready replicas, then the edge
    /// copies callees first; docs/controller.md §8.2). Nil: pair by pair.
    var staging: UnoffloadStaging?

    /// Runs the operations; returns the ones that failed with their errors (and what the undo did).
    func run(_ operations: [ClusterOperation]) async -> [(ClusterOperation, String)] {
        let pairs = Self.pairs(operations)
        guard let staging, pairs.contains(where: Self.isRemoval) else { return await runPairs(pairs) }
        let removals = pairs.filter(Self.isRemoval)
        let failed = await runStaged(removals, staging: staging)
        return failed + (shouldStop() ? [] : await runPairs(pairs.filter { !Self.isRemoval($0) }))
    }

    /// Each pair whole, one service after another.
    func runPairs(_ pairs: [[ClusterOperation]]) async -> [(ClusterOperation, String)] {
        var failed: [(ClusterOperation, String)] = []
        for pair in pairs {
            if shouldStop() { break }
            var failure: (ClusterOperation, String)?
            for operation in pair {
                do {
                    try await perform(operation)
                } catch {
                    failure = (operation, "\(error)")
                    break
                }
            }
            guard let (operation, error) = failure else { continue }
            guard let undo = undo(of: pair) else {
                failed.append((operation, error))
                continue
            }
            do {
                try await perform(undo)
                failed.append((operation, "\(error) (pair undone: \(undo))"))
            } catch let undoError {
                failed.append((operation, "\(error) (undo failed too: \(undo): \(undoError))"))
                failed.append((undo, "\(undoError)"))
            }
        }
        return failed
    }

    func perform(_ operation: ClusterOperation) async throws {
        switch operation {
        case .scale(let s, let area, let replicas): try await cluster.scale(service: s, area: area, replicas: replicas)
        case .apply(let s): try await cluster.apply(service: s)
        case .delete(let s): try await cluster.delete(service: s)
        }
    }

    /// What puts a service back as it was before its pair: nil when nothing needs undoing or it is unknown.
    func undo(of pair: [ClusterOperation]) -> ClusterOperation? {
        switch pair.first {
        case .apply(let s)?: return .delete(service: s)
        case .scale(let s, .cloud, _)? where pair.contains(.delete(service: s)):
            return cloudReplicasBefore[s].map { .scale(service: s, area: .cloud, replicas: $0) }
        default: return nil
        }
    }

    /// Consecutive operations on one service form its pair (or a lone operation).
    static func pairs(_ operations: [ClusterOperation]) -> [[ClusterOperation]] {
        var out: [[ClusterOperation]] = []
        for operation in operations {
            if let last = out.last?.last, last.service == operation.service {
                out[out.count - 1].append(operation)
            } else {
                out.append([operation])
            }
        }
        return out
    }
}

extension ClusterOperation {
    package var service: String {
        switch self {
        case .scale(let s, _, _), .apply(let s), .delete(let s): s
        }
    }
}
