import Foundation
import GMAConfig

/// What gma needs from the clusters, free of kubectl details, so that an in-memory twin can stand in.
///
/// Every call re-reads or changes the cluster itself: gma keeps no cluster state of its own, so a restart
/// loses nothing. A failed call throws; the caller logs it and tries again next cycle.
public protocol ClusterAccess: Sendable {
    /// The HPAs of every configured service in both areas, keyed by service name.
    /// A service without an HPA in an area (e.g. not offloaded) has `nil` there.
    func hpaStatus() async throws -> [String: ServiceHPAStatus]

    /// Names of the services whose edge workload exists now (and is not scaled to zero).
    func edgeServices() async throws -> Set<String>

    /// Creates or updates the service's edge manifests (the edge workload and its HPA).
    func apply(service: String) async throws

    /// Removes the service's edge manifests; removing what is already gone succeeds.
    func delete(service: String) async throws

    /// Sets the replica count of the service's workload in one area.
    func scale(service: String, area: ClusterArea, replicas: Int) async throws

    /// Ready replicas per service in one area, for the services whose workload reports them (a staged
    /// unoffload waits on them, docs/controller.md §8.2). Absent: unknown, not zero.
    func readyReplicas(area: ClusterArea) async throws -> [String: Int]
}

extension ClusterAccess {
    /// Without a readiness read, the HPAs' current counts stand in.
    public func readyReplicas(area: ClusterArea) async throws -> [String: Int] {
        var ready: [String: Int] = [:]
        for (service, status) in try await hpaStatus() {
            if let current = status[area]?.currentReplicas { ready[service] = current }
        }
        return ready
    }
}

/// One HorizontalPodAutoscaler as the cluster reports it.
public struct HPAStatus: Sendable, Equatable {
    public var name: String
    /// nil while the HPA has not reported yet (a freshly created HPA; docs/differences.md D14).
    public var currentReplicas: Int?
    public var desiredReplicas: Int?
    public var minReplicas: Int
    public var maxReplicas: Int

    public init(name: String, currentReplicas: Int?, desiredReplicas: Int?, minReplicas: Int, maxReplicas: Int) {
        self.name = name
        self.currentReplicas = currentReplicas
        self.desiredReplicas = desiredReplicas
        self.minReplicas = minReplicas
        self.maxReplicas = maxReplicas
    }
}

/// A service's HPAs in both areas.
public struct ServiceHPAStatus: Sendable, Equatable {
    public var cloud: HPAStatus?
    public var edge: HPAStatus?

    public init(cloud: HPAStatus? = nil, edge: HPAStatus? = nil) {
        self.cloud = cloud
        self.edge = edge
    }

    public subscript(area: ClusterArea) -> HPAStatus? {
        get { area == .cloud ? cloud : edge }
        set { if area == .cloud { cloud = newValue } else { edge = newValue } }
    }
}
