import Foundation
import GMAControl
import Logging
import ServiceLifecycle

/// `gma run`'s loop as a service of the command's `ServiceGroup`. Graceful shutdown (SIGTERM or SIGINT,
/// which the group turns into it) cancels the loop, and the loop stops between two services' changes,
/// never inside one: the operation pair in flight finishes.
struct ControllerLoopService: Service {
    let loop: any ControlLoop
    let end: Date?
    let log: Logger
    /// Awaited before the first cycle: the listeners it depends on are bound (no action if they fail).
    let ready: @Sendable () async throws -> Void

    func run() async throws {
        try await ready()
        do {
            try await withGracefulShutdownHandler {
                try await cancelWhenGracefulShutdown { try await loop.run(until: end) }
            } onGracefulShutdown: { [log] in
                log.notice("signal received: stopping after the current service's change, if any")
            }
        } catch is CancellationError {
            log.info("gma stopped")
        }
    }
}
