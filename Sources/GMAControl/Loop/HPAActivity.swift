import GMAConfig

/// The "an autoscaler is moving" test of docs/controller.md §2 (the rule is in docs/telemetry.md §7): an HPA is active
/// when it wants a different count than it has (within its bounds), or when its count changed since
/// the previous poll. While any is active, placement waits: usage is in flux.
struct HPAActivity {
    private var previous: [String: Int] = [:]

    /// Updates the memory of current counts and returns the names of the active HPAs.
    mutating func active(in status: [String: ServiceHPAStatus]) -> [String] {
        var moving: [String] = []
        var seen: [String: Int] = [:]
        for (service, areas) in status.sorted(by: { $0.key < $1.key }) {
            for area in ClusterArea.allCases {
                guard let hpa = areas[area] else { continue }
                let key = "\(service)/\(area.rawValue)"
                guard let current = hpa.currentReplicas else { continue }
                seen[key] = current
                if let desired = hpa.desiredReplicas, desired != current,
                    desired >= hpa.minReplicas, desired <= hpa.maxReplicas
                {
                    moving.append(key)
                } else if let before = previous[key], before > 0, before != current {
                    moving.append(key)
                }
            }
        }
        previous = seen
        return moving
    }
}
