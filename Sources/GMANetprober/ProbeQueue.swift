import Foundation

/// One probe at a time (an iperf3 server serves one test at a time), a few more waiting in arrival order,
/// the rest refused at once with an estimate of when to come back.
///
/// A waiting probe whose task is cancelled (its client left) leaves the line without running.
actor ProbeQueue {
    enum Entry: Equatable, Sendable {
        /// The caller runs now and must call `leave()` when done.
        case admitted
        /// The line is full; try again in about this many seconds.
        case full(retryAfterSeconds: Int)
        /// The caller was cancelled while waiting; it must not call `leave()`.
        case abandoned
    }

    private struct Waiter {
        var id: Int
        var expectedSeconds: Double
        var continuation: CheckedContinuation<Entry, Never>
    }

    private let maxWaiting: Int
    /// When the running probe is expected to end; nil when none runs.
    private var runningEnds: ContinuousClock.Instant?
    private var waiting: [Waiter] = []
    private var nextID = 0

    init(maxWaiting: Int) {
        self.maxWaiting = max(0, maxWaiting)
    }

    /// `expectedSeconds` is how long the probe should take; it feeds the `Retry-After` estimate.
    func enter(expectedSeconds: Double) async -> Entry {
        guard runningEnds != nil else {
            runningEnds = .now + .seconds(expectedSeconds)
            return .admitted
        }
        guard waiting.count < maxWaiting else { return .full(retryAfterSeconds: retryAfterSeconds()) }
        let id = nextID
        nextID += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiting.append(Waiter(id: id, expectedSeconds: expectedSeconds, continuation: continuation))
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// The running probe is done: the next in line runs.
    func leave() {
        guard !waiting.isEmpty else {
            runningEnds = nil
            return
        }
        let next = waiting.removeFirst()
        runningEnds = .now + .seconds(next.expectedSeconds)
        next.continuation.resume(returning: .admitted)
    }

    /// Probes waiting (not counting the running one).
    var waitingCount: Int { waiting.count }

    private func abandon(_ id: Int) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(returning: .abandoned)
    }

    /// What is left of the running probe plus every waiting probe, rounded up, at least 1 s.
    private func retryAfterSeconds() -> Int {
        let left = runningEnds.map { max(0, Self.seconds($0 - .now)) } ?? 0
        let queued = waiting.reduce(0) { $0 + $1.expectedSeconds }
        return max(1, Int((left + queued).rounded(.up)))
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
