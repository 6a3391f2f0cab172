import Foundation
import Synchronization

/// Time as the controller sees it. The real loop sleeps; tests and the twin advance a simulated clock
/// instantly, so a two-hour scenario runs in seconds with no real sleeping.
public protocol ControllerClock: Sendable {
    func now() -> Date
    /// Waits `seconds` (simulated or real). Throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// Wall-clock time.
public struct SystemClock: ControllerClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }
}

/// A clock that moves only when someone sleeps on it: sleeping advances it at once.
public final class SimulatedClock: ControllerClock, Sendable {
    private let current: Mutex<Date>

    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = Mutex(start)
    }

    public func now() -> Date {
        current.withLock { $0 }
    }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        advance(by: seconds)
    }

    public func advance(by seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(max(seconds, 0)) }
    }
}
