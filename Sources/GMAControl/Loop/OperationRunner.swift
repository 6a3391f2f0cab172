import Foundation
import GMAConfig
import GMAOptimizer
import Synchronization

/// Runs a decision's operations on one edge's cluster outside the loop's cancellation: a shutdown stops
/// between two services' pairs, never inside one (cancelling the loop task would otherwise kill the kubectl
/// call of a pair's second half).
struct OperationRunner: Sendable {
    let cluster: any ClusterAccess
    let clock: any ControllerClock
    let policy: ControlPolicy

    func run(_ operations: [ClusterOperation], hpa: [String: ServiceHPAStatus], calls: [Call]) async
        -> [(ClusterOperation, String)]
    {
        let stop = StopFlag()
        var before: [String: Int] = [:]
        for (service, status) in hpa {
            if let current = status.cloud?.currentReplicas { before[service] = current }
        }
        var actuator = PlacementActuator(cluster: cluster, cloudReplicasBefore: before, shouldStop: { stop.isSet })
        if policy.stagedUnoffload {
            actuator.staging = UnoffloadStaging(clock: clock, readyWaitSeconds: policy.readyWaitSeconds, calls: calls)
        }
        let prepared = actuator
        return await withTaskCancellationHandler {
            await Task { await prepared.run(operations) }.value
        } onCancel: {
            stop.set()
        }
    }
}

/// Set once by the cancellation handler, read by the actuator between pairs.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
