import Foundation
@testable import GMAConfig
@testable import GMAControl
import GMAOptimizer
@testable import GMAProcess

/// A scripted world for state-machine tests: a three-service app whose delay follows a script over
/// simulated time, and an in-memory cluster that records (and can fail) operations.
final class ControllerTestWorld: TelemetrySource, ClusterAccess, @unchecked Sendable {
    private let lock = NSLock()
    let clock: SimulatedClock
    let start: Date
    /// Mean delay (s) as a function of seconds since start; nil = unknown.
    var meanDelay: @Sendable (Double) -> Double?
    /// The users' request rate at a time since the start (req/s); the services' rates and CPU follow it.
    var load: @Sendable (Double) -> Double = { _ in 50 }
    var edge: Set<String> = []
    var hpa: [String: ServiceHPAStatus] = [:]
    var operations: [ClusterOperation] = []
    /// Operations (by index from now on) that fail once.
    var failingApplies: Set<String> = []

    init(meanDelay: @escaping @Sendable (Double) -> Double?) {
        clock = SimulatedClock()
        start = clock.now()
        self.meanDelay = meanDelay
        for name in Self.names {
            hpa[name] = ServiceHPAStatus(
                cloud: HPAStatus(name: name, currentReplicas: 2, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10))
        }
    }

    static let names = ["a", "b", "c"]

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: TelemetrySource

    func snapshot(at time: Date?) async throws -> TelemetrySnapshot {
        let now = time ?? clock.now()
        let mean = locked { meanDelay(now.timeIntervalSince(start)) }
        let rate = locked { load(now.timeIntervalSince(start)) }
        let edgeNow = locked { edge }
        let services = Self.names.map { name in
            TelemetrySnapshot.Service(
                name: name, requestsPerSecond: rate, responseBytes: 5_000,
                cpuUsageCores: PerArea(cloud: 4 * rate / 50, edge: edgeNow.contains(name) ? rate / 50 : nil),
                memoryUsageBytes: PerArea(cloud: 8e9, edge: edgeNow.contains(name) ? 2e9 : nil))
        }
        let calls = [("user", "a", 1.0), ("a", "b", 1.0), ("b", "c", 1.0)]
        return TelemetrySnapshot(
            evaluatedAt: time, takenAt: now, delayQuantile: 0.9, userDelaySeconds: mean,
            userDelayQuantileSeconds: mean.map { $0 * 1.2 }, userRequestsPerSecond: rate, services: services,
            callRates: calls.map { .init(from: $0.0, to: $0.1, callsPerSecond: rate * $0.2) },
            callsPerRequest: calls.map { .init(from: $0.0, to: $0.1, perRequest: $0.2) }, unknownCallers: [],
            reasons: [])
    }

    // MARK: ClusterAccess

    func hpaStatus() async throws -> [String: ServiceHPAStatus] { locked { hpa } }

    func edgeServices() async throws -> Set<String> { locked { edge } }

    func apply(service: String) async throws {
        try locked {
            if failingApplies.remove(service) != nil {
                throw ClusterError.commandFailed(command: ["apply", service], exitStatus: 1, timedOut: false, stderr: "injected failure")
            }
            operations.append(.apply(service: service))
            edge.insert(service)
        }
    }

    func delete(service: String) async throws {
        locked {
            operations.append(.delete(service: service))
            edge.remove(service)
        }
    }

    func scale(service: String, area: ClusterArea, replicas: Int) async throws {
        locked { operations.append(.scale(service: service, area: area, replicas: replicas)) }
    }

    // MARK: Settings

    static func settings(syncPeriod: Double = 30, window: Double = 120) -> ControllerSettings {
        let services = names.map { name in
            Service(
                name: name, cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 2e9, edge: 2e9),
                cpuUsageCores: PerArea(cloud: 0, edge: 0), memoryUsageBytes: PerArea(cloud: 0, edge: 0), responseBytes: 0)
        }
        let template = PlacementProblem(
            action: .offload, services: services, calls: [], userRequestsPerSecond: 0,
            network: Network(rttSeconds: 0.05, cloudToEdgeBitsPerSecond: 1e9),
            prices: Prices(
                edge: AreaPrices(cpuCoreHour: 0.028, memoryGBHour: 0.014),
                cloud: AreaPrices(cpuCoreHour: 0.0208, memoryGBHour: 0.0104), networkGB: 0.02),
            target: Target(delayReductionSeconds: 0))
        return ControllerSettings(
            band: DelayBand(
                offloadSeconds: 0.120, unoffloadSeconds: 0.080, offloadQuantileSeconds: 0.200,
                unoffloadQuantileSeconds: 0.150),
            timing: LoopTiming(syncPeriodSeconds: syncPeriod, stabilizationWindowSeconds: window),
            template: template)
    }

    static let network = FixedNetwork(
        NetworkConditions(rttSeconds: 0.05, cloudToEdgeBitsPerSecond: 1e9, edgeToCloudBitsPerSecond: 1e9))
}

/// Collects controller events for assertions.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ControllerEvent] = []

    func record(_ event: ControllerEvent) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var all: [ControllerEvent] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    var transitions: [String] {
        all.compactMap {
            if case .transition(_, let from, let to, _) = $0 { return "\(from.rawValue)>\(to.rawValue)" }
            return nil
        }
    }

    var decisions: [ControllerDecision] {
        all.compactMap {
            if case .decided(let d) = $0 { return d }
            return nil
        }
    }

    var skips: [String] {
        all.compactMap {
            if case .skipped(_, _, let reason) = $0 { return reason }
            return nil
        }
    }
}
