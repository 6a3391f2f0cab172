/// Carries out a decision's operations through `ClusterAccess`.
///
/// Operations come in per-service pairs (scale the cloud, then delete the edge copy; apply the edge copy,
/// then scale it). When the first of a pair fails the second is skipped, so no service is left with half
/// of its change; other services go on. The next cycle re-reads the cluster, so a failure converges.
struct PlacementActuator {
    let cluster: any ClusterAccess

    /// Runs the operations; returns the ones that failed with their errors.
    func run(_ operations: [ClusterOperation]) async -> [(ClusterOperation, String)] {
        var failed: [(ClusterOperation, String)] = []
        var skipService: Set<String> = []
        var previousService: String?
        for operation in operations {
            let service = operation.service
            if skipService.contains(service) { continue }
            // Shutdown may stop the loop between services, never inside one service's pair.
            if service != previousService, Task.isCancelled { break }
            previousService = service
            do {
                switch operation {
                case .scale(let s, let area, let replicas): try await cluster.scale(service: s, area: area, replicas: replicas)
                case .apply(let s): try await cluster.apply(service: s)
                case .delete(let s): try await cluster.delete(service: s)
                }
            } catch {
                failed.append((operation, "\(error)"))
                skipService.insert(service)
            }
        }
        return failed
    }
}

extension ClusterOperation {
    var service: String {
        switch self {
        case .scale(let s, _, _), .apply(let s), .delete(let s): s
        }
    }
}
