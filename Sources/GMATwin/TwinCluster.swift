import Foundation
import GMAConfig
import GMAControl
import GMAProcess

/// `ClusterAccess` on the twin: the HPAs and the edge set as the world has them, and actuation that changes
/// the world (taking effect after the rollout or removal time).
///
/// With several edges it is one edge's view (docs/twin.md §6): that edge's copies and HPAs, and the shared
/// cloud's, so that scaling a cloud workload from any edge's view scales the one cloud copy.
public struct TwinCluster: ClusterAccess {
    public let world: TwinWorld
    /// Which edge of the world (0 for a single-edge twin).
    public let edge: Int

    public init(world: TwinWorld, edge: Int = 0) {
        self.world = world
        self.edge = edge
    }

    public func hpaStatus() async throws -> [String: ServiceHPAStatus] {
        let view = world.clusterView(edge: edge)
        let site = world.sites[edge].name
        var status: [String: ServiceHPAStatus] = [:]
        for (i, name) in world.serviceNames.enumerated() {
            var entry = ServiceHPAStatus(cloud: Self.status(name: "\(name)-cloud", view.cloud[i]))
            if view.deployed[i] { entry.edge = Self.status(name: "\(name)-\(site)", view.edge[i]) }
            status[name] = entry
        }
        return status
    }

    public func edgeServices() async throws -> Set<String> {
        let view = world.clusterView(edge: edge)
        return Set(world.serviceNames.indices.filter { view.deployed[$0] }.map { world.serviceNames[$0] })
    }

    public func apply(service: String) async throws {
        world.applyEdge(try index(of: service), edge: edge)
    }

    public func delete(service: String) async throws {
        world.deleteEdge(try index(of: service), edge: edge)
    }

    public func scale(service: String, area: ClusterArea, replicas: Int) async throws {
        world.scale(try index(of: service), area: area, replicas: replicas, edge: edge)
    }

    private func index(of service: String) throws -> Int {
        guard let i = world.serviceNames.firstIndex(of: service) else { throw ClusterError.unknownService(service) }
        return i
    }

    private static func status(name: String, _ a: TwinAutoscaler) -> HPAStatus {
        HPAStatus(
            name: name, currentReplicas: a.current, desiredReplicas: a.desired, minReplicas: a.bounds.min,
            maxReplicas: a.bounds.max)
    }
}

/// The net prober on the twin: one edge's link as it is at the clock's now.
public struct TwinNetworkProbe: NetworkConditionsSource {
    public let world: TwinWorld
    public let edge: Int

    public init(world: TwinWorld, edge: Int = 0) {
        self.world = world
        self.edge = edge
    }

    public func current() async -> NetworkConditions {
        world.sites[edge].network.conditions(at: world.clock.now().timeIntervalSince(world.start))
    }
}
