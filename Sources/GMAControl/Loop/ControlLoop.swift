import Foundation

/// A control loop `gma run` can run until an end or cancellation: the single-edge `PlacementController` or
/// the joint `JointPlacementController` (docs/multi-edge.md §9).
public protocol ControlLoop: Sendable {
    func run(until end: Date?) async throws
}

extension PlacementController: ControlLoop {}
extension JointPlacementController: ControlLoop {}
