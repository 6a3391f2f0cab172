import Foundation
import GMAOptimizer

/// What a staged unoffload needs besides the cluster: time to wait on, how long, and the call graph.
struct UnoffloadStaging: Sendable {
    var clock: any ControllerClock
    /// The one wait for ready cloud replicas is bounded by this (s); then the edge copies go anyway.
    var readyWaitSeconds: Double
    /// Between two readiness reads (s).
    var pollSeconds: Double = 5
    /// The measured calls (callers and callees by name), to delete callees before callers.
    var calls: [Call]
}

/// A removal without a spike (docs/controller.md §8.2): a service's edge copy goes only once the cloud has
/// the replicas to take its calls, and a callee's copy goes before its caller's, so that no edge caller
/// is left calling across the link into a cloud that is not ready.
extension PlacementActuator {
    static func isRemoval(_ pair: [ClusterOperation]) -> Bool {
        guard case .scale(let s, .cloud, _)? = pair.first else { return false }
        return pair.contains(.delete(service: s))
    }

    /// Stage 1 scales every cloud, stage 2 waits once, stage 3 deletes callees first. A failed scale
    /// leaves that service's edge copy alone (and is undone); a failed delete undoes its scale; a stop
    /// before the deletions undoes every scale done (each pair whole or not started).
    func runStaged(_ removals: [[ClusterOperation]], staging: UnoffloadStaging) async -> [(ClusterOperation, String)] {
        var failed: [(ClusterOperation, String)] = []
        var scaled: [(pair: [ClusterOperation], replicas: Int)] = []
        for pair in removals {
            guard case .scale(_, .cloud, let replicas)? = pair.first else { continue }
            if shouldStop() { break }
            do {
                try await perform(pair[0])
                scaled.append((pair, replicas))
            } catch {
                failed += await undone(pair, failedAt: pair[0], error: "\(error)")
            }
        }
        if !shouldStop() { await waitForReadyCloud(scaled.map { ($0.pair[0].service, $0.replicas) }, staging: staging) }
        // A stop during the scales or the wait: every pair whole or not started.
        if shouldStop() {
            for (pair, _) in scaled {
                if let undo = undo(of: pair) { try? await perform(undo) }
            }
            return failed
        }
        for pair in Self.calleesFirst(scaled.map(\.pair), calls: staging.calls) {
            let delete = ClusterOperation.delete(service: pair[0].service)
            do {
                try await perform(delete)
            } catch {
                failed += await undone(pair, failedAt: delete, error: "\(error)")
            }
        }
        return failed
    }

    /// The failure, with what undoing the pair did.
    private func undone(_ pair: [ClusterOperation], failedAt operation: ClusterOperation, error: String) async
        -> [(ClusterOperation, String)]
    {
        guard let undo = undo(of: pair) else { return [(operation, error)] }
        do {
            try await perform(undo)
            return [(operation, "\(error) (pair undone: \(undo))")]
        } catch let undoError {
            return [(operation, "\(error) (undo failed too: \(undo): \(undoError))"), (undo, "\(undoError)")]
        }
    }

    /// Polls the cloud's ready replicas until every service has what it was scaled to, the bound passes,
    /// a stop is asked, or readiness cannot be read (then there is nothing to wait on).
    private func waitForReadyCloud(_ wanted: [(service: String, replicas: Int)], staging: UnoffloadStaging) async {
        guard !wanted.isEmpty else { return }
        let deadline = staging.clock.now().addingTimeInterval(staging.readyWaitSeconds)
        while !shouldStop() {
            guard let ready = try? await cluster.readyReplicas(area: .cloud) else { return }
            let waiting = wanted.filter { entry in ready[entry.service].map { $0 < entry.replicas } ?? false }
            if waiting.isEmpty || staging.clock.now() >= deadline { return }
            do { try await staging.clock.sleep(seconds: staging.pollSeconds) } catch { return }
        }
    }

    /// Pairs ordered so that a service's removed callees come before it (a cycle keeps the given order).
    static func calleesFirst(_ pairs: [[ClusterOperation]], calls: [Call]) -> [[ClusterOperation]] {
        var remaining = pairs
        var ordered: [[ClusterOperation]] = []
        while !remaining.isEmpty {
            let names = Set(remaining.map { $0[0].service })
            let next = remaining.firstIndex { pair in
                !calls.contains { $0.from == pair[0].service && $0.to != $0.from && names.contains($0.to) }
            } ?? 0
            ordered.append(remaining.remove(at: next))
        }
        return ordered
    }
}
