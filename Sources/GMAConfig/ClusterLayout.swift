/// How the cloud and the edge areas are told apart, derived from the config (docs/cluster-layouts.md).
///
/// Two questions decide it, each answered by comparing the two areas' keys:
/// * kubectl: do `cloud-area.context` and `edge-area.context` differ? Then every command of an area runs
///   against its own cluster, and a workload or HPA name may repeat across areas.
/// * Prometheus: do `cloud-area.cluster` and `edge-area.cluster` differ? Then every cAdvisor query of an
///   area selects `cluster="<its value>"`, and pods with the same name in both areas stay apart.
///
/// A name shared by the two areas is an error only where one of these cannot tell them apart.
public struct ClusterLayout: Sendable, Equatable {
    /// The areas have different kube contexts.
    public var separateContexts: Bool
    /// The areas have different `cluster` label values.
    public var separateClusterLabels: Bool

    public init(separateContexts: Bool, separateClusterLabels: Bool) {
        self.separateContexts = separateContexts
        self.separateClusterLabels = separateClusterLabels
    }

    public init(cloud: AreaSettings, edge: AreaSettings) {
        self.init(separateContexts: cloud.context != edge.context, separateClusterLabels: cloud.cluster != edge.cluster)
    }

    /// Whether a workload name may appear in both areas: kubectl and cAdvisor must both keep them apart.
    public var allowsSharedWorkloadNames: Bool { separateContexts && separateClusterLabels }

    /// One line for `gma check`.
    public var summary: String {
        switch (separateContexts, separateClusterLabels) {
        case (false, false):
            return "one cluster (Liqo): one kube context, no distinct cluster labels; areas told apart by workload names"
        case (true, true):
            return "two clusters: a kube context and a cluster label per area; workload names may repeat"
        case (false, true):
            return "one kube context, series labelled per area; workload names must differ (kubectl shares them)"
        case (true, false):
            return "two kube contexts, no distinct cluster labels; workload names must differ (Prometheus shares them)"
        }
    }
}

/// One named object a service owns in one area, for the collision check.
struct AreaObject {
    enum Kind: String {
        case workload
        case hpa = "HPA"
    }

    var service: String
    /// 0 for the cloud, e + 1 for edge e: an index into `NameCollisionCheck.areas`.
    var areaIndex: Int
    var kind: Kind
    /// The kubectl resource (`deployment`, `statefulset`, `hpa`): kubectl only confuses equal resources.
    var resource: String
    var name: String
    var field: YAMLField
}

/// One area as the collision check names it: `cloud`, `edge` (the single `edge-area`) or an edge's name.
struct CollisionArea {
    var label: String
    /// Its block in the config (`cloud-area`, `edge-area`, `edge-areas[1]`), for the advice in messages.
    var configKey: String
    var settings: AreaSettings
}

/// Finds the objects two areas or two services would share, given each pair of areas' contexts and cluster
/// values (docs/cluster-layouts.md): the cloud and every edge, and every two edges.
struct NameCollisionCheck {
    let areas: [CollisionArea]
    let namespace: String

    /// Reports each colliding object once, at its config entry, naming the first object it collides with.
    func report(_ objects: [AreaObject]) {
        // Only equally named objects of one resource can collide: compare within those groups.
        var seen: [String: [AreaObject]] = [:]
        for later in objects {
            let key = later.resource + "/" + later.name
            defer { seen[key, default: []].append(later) }
            for earlier in seen[key] ?? [] {
                guard let why = collision(earlier, later) else { continue }
                let owner = earlier.service == later.service ? "its" : "service '\(earlier.service)''s"
                later.field.error(
                    "the \(areas[later.areaIndex].label) \(later.kind.rawValue) '\(later.name)' has the name of \(owner) \(areas[earlier.areaIndex].label) \(earlier.kind.rawValue): \(why)")
                break
            }
        }
    }

    /// Why two equally named objects cannot be told apart, or nil if they can.
    private func collision(_ a: AreaObject, _ b: AreaObject) -> String? {
        let first = areas[a.areaIndex]
        let second = areas[b.areaIndex]
        let contextA = first.settings.context
        if a.areaIndex == b.areaIndex || contextA == second.settings.context {
            let where_ = contextA.isEmpty ? "the current kube context" : "kube context '\(contextA)'"
            return "both are \(a.resource)/\(a.name) in namespace '\(namespace)' of \(where_); rename one"
        }
        // Only workloads have Prometheus series (cAdvisor's `pod` label); HPAs are read through kubectl alone.
        guard a.kind == .workload, first.settings.cluster == second.settings.cluster else { return nil }
        let cluster = first.settings.cluster
        // The cloud's key first, then the edges' in file order, whichever object came first.
        let (low, high) = a.areaIndex < b.areaIndex ? (first, second) : (second, first)
        let label = cluster.isEmpty ? "no cluster label" : "the same cluster label '\(cluster)'"
        return "both areas have \(label), so Prometheus cannot tell their pods apart; set different \(low.configKey).cluster and \(high.configKey).cluster values (the series' cluster label) or rename one"
    }
}
