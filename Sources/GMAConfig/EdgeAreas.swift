import Foundation

/// One edge of `spec.edge-areas` (or the single `spec.edge-area`): its area settings, its link to the cloud and
/// its copy of every service (docs/config.md §4, docs/multi-edge.md §1).
public struct EdgeAreaConfig: Sendable, Equatable {
    /// A DNS-1123 label, unique among the edges.
    public var name: String
    public var area: AreaSettings
    public var network: NetworkSettings
    /// This edge's manifests of every service, indexed like `GMAConfiguration.services`.
    public var manifests: [ServiceManifests]

    public init(name: String, area: AreaSettings, network: NetworkSettings, manifests: [ServiceManifests]) {
        self.name = name
        self.area = area
        self.network = network
        self.manifests = manifests
    }
}

extension GMAConfiguration {
    /// The edges in file order (K ≥ 1). For `spec.edge-area`, one entry named "edge".
    public var edgeNames: [String] { [firstEdgeName] + furtherEdges.map(\.name) }

    /// Every edge, edge 0 first. Edge 0 is stored in the single-edge fields (`edge`, `network`,
    /// `services[].edge`), so that code written for one edge reads edge 0 and a change made there shows here.
    public var edgeAreas: [EdgeAreaConfig] {
        get {
            let first = EdgeAreaConfig(name: firstEdgeName, area: edge, network: network, manifests: services.map(\.edge))
            return [first] + furtherEdges
        }
        set {
            guard let first = newValue.first else { preconditionFailure("a configuration has at least one edge") }
            precondition(
                newValue.allSatisfy { $0.manifests.count == services.count },
                "every edge needs manifests for each of the \(services.count) services")
            firstEdgeName = first.name
            edge = first.area
            network = first.network
            kube.edgeContext = first.area.context
            for index in services.indices { services[index].edge = first.manifests[index] }
            furtherEdges = Array(newValue.dropFirst())
        }
    }

    /// The single-edge configuration of edge `e`: `edge` = that entry's area settings, `network` = its network,
    /// every service's `edge` manifests = that edge's, the same cloud/telemetry/slo/optimizer/app. For K = 1,
    /// `edgeView(0) == self` (in every field the existing code reads).
    public func edgeView(_ e: Int) -> GMAConfiguration {
        let areas = edgeAreas
        precondition(areas.indices.contains(e), "edge \(e) of \(areas.count)")
        if areas.count == 1 { return self }
        var view = self
        view.edgeAreas = [areas[e]]
        return view
    }
}
