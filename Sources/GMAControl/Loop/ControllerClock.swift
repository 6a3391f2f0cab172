import Foundation

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
public final class SimulatedClock: ControllerClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = start
    }

    public func now() -> Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        advance(by: seconds)
    }

    public func advance(by seconds: Double) {
        lock.lock()
        current = current.addingTimeInterval(max(seconds, 0))
        lock.unlock()
    }
}
