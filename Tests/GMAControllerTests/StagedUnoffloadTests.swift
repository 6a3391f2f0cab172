import Foundation
import GMAOptimizer
import Testing

@testable import GMAConfig
@testable import GMAControl
@testable import GMAProcess

/// The staged unoffload (docs/controller.md §8.2) on an in-memory cluster whose cloud replicas become ready
/// `startup` seconds after a scale, on a simulated clock.
@Suite struct StagedUnoffloadTests {
    final class SlowCloud: ClusterAccess, @unchecked Sendable {
        let clock = SimulatedClock()
        let start: Date
        /// Seconds from a scale to its replicas being ready; nil: never.
        let startup: Double?
        var failingDeletes: Set<String> = []
        private let lock = NSLock()
        private(set) var log: [(time: Double, operation: ClusterOperation)] = []
        private var ready: [String: Int] = ["a": 1, "b": 1, "c": 1]
        private var pending: [(at: Double, service: String, replicas: Int)] = []

        init(startup: Double?) {
            self.startup = startup
            start = clock.now()
        }

        var elapsed: Double { clock.now().timeIntervalSince(start) }
        var operations: [ClusterOperation] { lock.withLock { log.map(\.operation) } }

        func hpaStatus() async throws -> [String: ServiceHPAStatus] { [:] }
        func edgeServices() async throws -> Set<String> { [] }
        func apply(service: String) async throws { record(.apply(service: service)) }

        func delete(service: String) async throws {
            if lock.withLock({ failingDeletes.remove(service) }) != nil {
                throw ClusterError.commandFailed(command: ["delete", service], exitStatus: 1, timedOut: false, stderr: "injected")
            }
            record(.delete(service: service))
        }

        func scale(service: String, area: ClusterArea, replicas: Int) async throws {
            record(.scale(service: service, area: area, replicas: replicas))
            if let startup { lock.withLock { pending.append((elapsed + startup, service, replicas)) } }
        }

        func readyReplicas(area: ClusterArea) async throws -> [String: Int] {
            let now = elapsed
            return lock.withLock {
                for entry in pending where entry.at <= now { ready[entry.service] = entry.replicas }
                pending.removeAll { $0.at <= now }
                return ready
            }
        }

        private func record(_ operation: ClusterOperation) {
            let now = elapsed
            lock.withLock { log.append((now, operation)) }
        }

        func time(of operation: ClusterOperation) -> Double? { lock.withLock { log.first { $0.operation == operation }?.time } }
    }

    /// a → b → c, all three coming back to the cloud at 3 replicas each.
    static let removals: [ClusterOperation] = ["a", "b", "c"].flatMap {
        [ClusterOperation.scale(service: $0, area: .cloud, replicas: 3), .delete(service: $0)]
    }
    static let calls = [Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "b", perRequest: 1), Call(from: "b", to: "c", perRequest: 1)]

    static func actuator(_ cluster: SlowCloud, wait: Double = 90, stop: @escaping @Sendable () -> Bool = { false }) -> PlacementActuator {
        var actuator = PlacementActuator(cluster: cluster, cloudReplicasBefore: ["a": 1, "b": 1, "c": 1], shouldStop: stop)
        actuator.staging = UnoffloadStaging(clock: cluster.clock, readyWaitSeconds: wait, calls: calls)
        return actuator
    }

    @Test func everyCloudFirstThenOneWaitThenCalleesBeforeCallers() async throws {
        let cluster = SlowCloud(startup: 20)
        let failures = await Self.actuator(cluster).run(Self.removals)
        #expect(failures.isEmpty)
        #expect(cluster.operations == [
            .scale(service: "a", area: .cloud, replicas: 3), .scale(service: "b", area: .cloud, replicas: 3),
            .scale(service: "c", area: .cloud, replicas: 3), .delete(service: "c"), .delete(service: "b"),
            .delete(service: "a"),
        ])
        // Ready 20 s after the scales (polled every 5 s): no edge copy goes before its cloud can serve.
        #expect(cluster.time(of: .delete(service: "c")) == 20)
    }

    @Test func theWaitIsBounded() async throws {
        let cluster = SlowCloud(startup: nil)
        _ = await Self.actuator(cluster, wait: 60).run(Self.removals)
        #expect(cluster.time(of: .delete(service: "c")) == 60, "deleted when the bound passed")
        #expect(cluster.operations.count == 6)
    }

    @Test func aFailedDeleteUndoesItsScaleAndTheOthersGoOn() async throws {
        let cluster = SlowCloud(startup: 10)
        cluster.failingDeletes = ["b"]
        let failures = await Self.actuator(cluster).run(Self.removals)
        #expect(failures.count == 1 && failures.first?.0 == .delete(service: "b"))
        #expect(failures.first?.1.contains("pair undone") == true, "\(failures)")
        // c, then b (fails: its cloud goes back to 1), then a.
        #expect(Array(cluster.operations.suffix(3)) == [
            .delete(service: "c"), .scale(service: "b", area: .cloud, replicas: 1), .delete(service: "a"),
        ], "\(cluster.operations)")
    }

    @Test func aStopBeforeTheDeletionsUndoesEveryScale() async throws {
        let cluster = SlowCloud(startup: 10)
        // Stop once the first scale happened: each pair is whole or not started.
        let failures = await Self.actuator(cluster, stop: { !cluster.operations.isEmpty }).run(Self.removals)
        #expect(failures.isEmpty)
        #expect(cluster.operations == [.scale(service: "a", area: .cloud, replicas: 3), .scale(service: "a", area: .cloud, replicas: 1)])
    }

    @Test func additionsStillGoPairByPairAfterTheRemovals() async throws {
        let cluster = SlowCloud(startup: 0)
        let operations: [ClusterOperation] = [
            .scale(service: "c", area: .cloud, replicas: 3), .delete(service: "c"), .apply(service: "a"),
            .scale(service: "a", area: .edge, replicas: 2),
        ]
        _ = await Self.actuator(cluster).run(operations)
        #expect(cluster.operations == operations)
    }
}

extension StagedUnoffloadTests {
    /// A stop asked while waiting for the cloud (the first readiness poll): the scales are undone, nothing deleted.
    @Test func aStopDuringTheWaitUndoesEveryScale() async throws {
        let cluster = SlowCloud(startup: 30)
        let failures = await Self.actuator(cluster, stop: { cluster.elapsed >= 5 }).run(Self.removals)
        #expect(failures.isEmpty)
        #expect(!cluster.operations.contains { if case .delete = $0 { true } else { false } }, "\(cluster.operations)")
        #expect(Array(cluster.operations.suffix(3)) == ["a", "b", "c"].map { .scale(service: $0, area: .cloud, replicas: 1) })
    }
}
