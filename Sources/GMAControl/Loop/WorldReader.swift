import Foundation

/// One consistent look at an edge's world: its HPAs and edge set, its telemetry, its link. Shared by the
/// single-edge and the joint controller.
struct WorldReader: Sendable {
    let telemetry: any TelemetrySource
    let cluster: any ClusterAccess
    let network: any NetworkConditionsSource
    let clock: any ControllerClock
    /// Query telemetry at the clock's time rather than "now": replays of a past window on a simulated clock.
    let telemetryAtClockTime: Bool

    /// Why a look at the world failed, as one line naming the source.
    struct Failure: Error {
        let message: String
    }

    func read(at time: Date? = nil) async -> Result<PlacementDecider.Observation, Failure> {
        let now = time ?? clock.now()
        let evaluationTime = time ?? (telemetryAtClockTime ? now : nil)
        let hpa: [String: ServiceHPAStatus]
        let edge: Set<String>
        do {
            hpa = try await cluster.hpaStatus()
            edge = try await cluster.edgeServices()
        } catch {
            return .failure(Failure(message: "cluster unreadable: \(error)"))
        }
        let snapshot: TelemetrySnapshot
        do {
            snapshot = try await telemetry.snapshot(at: evaluationTime)
        } catch {
            return .failure(Failure(message: "telemetry failed: \(error)"))
        }
        return .success(PlacementDecider.Observation(
            time: now, snapshot: snapshot, edgeServices: edge, hpa: hpa, network: await network.current()))
    }
}
