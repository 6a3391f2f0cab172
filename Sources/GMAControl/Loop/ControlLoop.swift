import Foundation

/// A control loop `gma run` can run until an end or cancellation: the single-edge `PlacementController` or
/// the joint `JointPlacementController` (docs/multi-edge.md §9). Each cycle says how long to wait for the next.
public protocol ControlLoop: Actor {
    nonisolated var clock: any ControllerClock { get }
    /// One cycle; returns how long to wait before the next one.
    func step() async -> Double
}

extension ControlLoop {
    /// Runs cycles until `end` (simulated or real) or cancellation.
    public func run(until end: Date? = nil) async throws {
        while end.map({ clock.now() < $0 }) ?? true {
            try Task.checkCancellation()
            let pause = await step()
            try await clock.sleep(seconds: pause)
        }
    }
}

extension PlacementController: ControlLoop {}
extension JointPlacementController: ControlLoop {}
