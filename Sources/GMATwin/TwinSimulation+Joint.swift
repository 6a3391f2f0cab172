import Foundation
import GMAControl

extension TwinSimulation {
    /// One cycle of the joint controller over every edge; returns the pause before the next.
    func jointStepper(
        world: TwinWorld, clock: any ControllerClock, observers: [@Sendable (ControllerEvent) -> Void]
    ) throws -> @Sendable () async -> Double {
        throw TwinRunError.jointControllerUnavailable
    }
}
