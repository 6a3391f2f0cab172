import Foundation
import GMAControl

extension TwinSimulation {
    /// One cycle of the joint controller over every edge's view; returns the pause before the next. Each lane
    /// is its edge's single-edge settings with the edge's share of the cloud usage (`Scenario.cloudShares`).
    func jointStepper(
        world: TwinWorld, clock: any ControllerClock, observers: [@Sendable (ControllerEvent) -> Void]
    ) -> @Sendable () async -> Double {
        let shares = scenario.cloudShares
        let lanes = scenario.sites.indices.map { e in
            EdgeLane(
                name: scenario.sites[e].name, settings: laneSettings(e, shares: shares),
                telemetry: TwinTelemetry(world: world, edge: e), cluster: TwinCluster(world: world, edge: e),
                network: TwinNetworkProbe(world: world, edge: e))
        }
        let index = Dictionary(uniqueKeysWithValues: scenario.sites.enumerated().map { ($1.name, $0) })
        let controller = JointPlacementController(
            lanes: lanes, clock: clock, solver: BuiltInJointSolver(scenario.solver),
            observer: { edge, event in
                if let e = index[edge] { observers[e](event) }
            })
        return { await controller.step() }
    }
}
