import GMAControl

extension KubectlCluster {
    /// The kubectl argument vectors an operation runs (for `--dry-run`, `decide` and the journal).
    public func argv(for operation: ClusterOperation) -> [[String]] {
        guard let service = services.first(where: { $0.name == operation.service }) else { return [] }
        switch operation {
        case .apply: return [commands.apply(files: service.edge.files)]
        case .delete: return [commands.delete(files: service.edge.files)]
        case .scale(_, let area, let replicas):
            let manifests = area == .cloud ? service.cloud : service.edge
            return [commands.scale(area, kind: manifests.workloadKind, name: manifests.workloadName, replicas: replicas)]
        }
    }
}
