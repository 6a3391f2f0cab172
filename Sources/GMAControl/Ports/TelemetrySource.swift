import Foundation

/// Where the controller's observations come from: Prometheus in production, a scripted world in tests.
public protocol TelemetrySource: Sendable {
    /// All signals evaluated at `time` (nil: now). Unknown values are nil with a reason; the call
    /// throws only when no snapshot can be made at all (e.g. cancellation).
    func snapshot(at time: Date?) async throws -> TelemetrySnapshot
}
