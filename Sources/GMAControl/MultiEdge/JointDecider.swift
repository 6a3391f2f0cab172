import Foundation
import GMAOptimizer

/// The joint decision over K edges (docs/multi-edge.md §9): every readable edge's users as one area of a
/// `gma/v2` problem, the edges in alarm with their targets, the others held within their band, one solve, the
/// guard, and each edge's operations. Like `PlacementDecider`, it receives its solver and leaves the process
/// for nothing else.
public struct JointDecider: Sendable {
    public let edgeNames: [String]
    /// One single-edge decider per edge, its resource scaling made a share of the cloud usage (below).
    let deciders: [PlacementDecider]
    let solver: any JointPlacementSolving

    /// Each edge's users are charged their share `me` of each service's measured cloud usage. Shares that add
    /// up to more than 1 (every edge left at the reference's default of 1) would count the shared cloud K times;
    /// they are divided by their sum instead (docs/multi-edge.md §9).
    public init(lanes: [EdgeLane], solver: any JointPlacementSolving) {
        edgeNames = lanes.map(\.name)
        var settings = lanes.map(\.settings)
        for service in lanes[0].settings.template.services.map(\.name) {
            let total = settings.reduce(0.0) { $0 + max($1.scaling(of: service), 0) }
            guard total > 1 else { continue }
            for e in settings.indices { settings[e].resourceScaling[service] = max(settings[e].scaling(of: service), 0) / total }
        }
        deciders = settings.map { PlacementDecider(settings: $0, solver: NoSingleEdgeSolver()) }
        self.solver = solver
    }

    var band: DelayBand { deciders[0].settings.band }

    /// One edge's users as the joint problem sees them.
    struct Lane {
        var index: Int
        var role: EdgeRole
        var observation: PlacementDecider.Observation
        var mean: Double
        /// The measured problem of this edge's users (cloud usage: their share), with this edge's target.
        var model: PlacementModel
        /// The acting edge's delay goal (the band's target), for the fallback on the model's own delay.
        var goal: Double?
        var reason: String
    }

    /// The single-edge model of edge `e` in `role`, or why there is none.
    func lane(_ e: Int, _ o: PlacementDecider.Observation, role: EdgeRole) -> Result<Lane, PlacementDecider.ModelFailure> {
        let decider = deciders[e]
        guard let mean = o.snapshot.userDelaySeconds else {
            return .failure(.init(message: "edge user delay unknown"))
        }
        var template = decider.currentTemplate(o)
        let quantile = o.snapshot.userDelayQuantileSeconds
        var goal: Double?
        var reason: String
        switch role {
        case .act(.unoffload):
            let (target, driver) = band.unoffloadTarget(mean: mean, quantile: quantile)
            template.action = .unoffload
            template.target = Target(maxDelayIncreaseSeconds: target - mean)
            (goal, reason) = (target, "\(driver)-driven unoffload up to \(ms(target))")
        case .act:
            let (target, driver) = band.offloadTarget(mean: mean, quantile: quantile)
            template.action = .offload
            template.target = Target(delayReductionSeconds: mean - target)
            (goal, reason) = (target, "\(driver)-driven offload to \(ms(target))")
        case .hold(let headroom):
            template.action = .offload
            template.target = Target(delayReductionSeconds: -headroom)
            reason = "held: its delay may rise by \(ms(headroom))"
        case .frozen:
            template.action = .offload
            template.target = Target(delayReductionSeconds: 0)
            for i in template.services.indices { template.services[i].locked = true }
            reason = "frozen"
        }
        return decider.measuredModel(o, template: template).map {
            Lane(index: e, role: role, observation: o, mean: mean, model: $0, goal: goal, reason: reason)
        }
    }

    /// The `gma/v2` problem of the lanes: the app once, each lane's users as one area, and the measured cloud
    /// usage no lane's share covers (users of edges left out, users of no edge) as cloud-only usage.
    func jointProblem(_ lanes: [Lane]) -> MultiEdgeProblem {
        var problem = MultiEdgeProblem(singleEdge: lanes[0].model.problem)
        problem.areas = lanes.map { area(of: $0) }
        if case .success(let measured) = deciders[lanes[0].index].measuredProblem(
            lanes[0].observation, template: lanes[0].model.problem)
        {
            for (b, service) in measured.services.enumerated() {
                let covered = lanes.reduce(0.0) { $0 + max(deciders[$1.index].settings.scaling(of: service.name), 0) }
                let rest = max(0, 1 - covered)
                problem.services[b].cloudOnlyCpuUsageCores = rest * service.cpuUsageCores.cloud
                problem.services[b].cloudOnlyMemoryUsageBytes = rest * service.memoryUsageBytes.cloud
            }
        }
        problem.metadata = Metadata(name: "joint decision", source: "gma run")
        return problem
    }

    func area(of lane: Lane) -> MultiEdgeProblem.EdgeArea {
        var area = MultiEdgeProblem(singleEdge: lane.model.problem).areas[0]
        area.name = edgeNames[lane.index]
        switch lane.role {
        case .act(.unoffload): area.action = .unoffload
        case .act: area.action = .offload
        case .hold(let headroom):
            area.action = .hold
            area.target = Target(maxDelayIncreaseSeconds: headroom)
        case .frozen:
            area.action = .hold
            area.target = Target(maxDelayIncreaseSeconds: 0)
        }
        return area
    }
}

/// The per-edge deciders of a joint decision never solve on their own: the joint solve replaces theirs.
struct NoSingleEdgeSolver: PlacementSolving {
    func solve(_ model: PlacementModel, options: SolveOptions) async -> PlacementSolution {
        PlacementSolution(
            model: model, atEdge: model.current.atEdge, status: .infeasible, solver: "none", seconds: 0, nodes: 0,
            note: "single-edge solve inside a joint decision")
    }
}
