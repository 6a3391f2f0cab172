import Foundation
import GMAOptimizer

/// Turns one observation of the world into a decision: the problem the telemetry implies, its solution,
/// and the cluster operations that realise it. It receives its solver (the built-in one, a plug-in, a test's)
/// and does nothing else that leaves the process.
public struct PlacementDecider: Sendable {
    public let settings: ControllerSettings
    public let solver: any PlacementSolving

    public init(settings: ControllerSettings, solver: any PlacementSolving) {
        self.settings = settings
        self.solver = solver
    }

    /// What the world looks like at one instant.
    public struct Observation: Sendable {
        public var time: Date
        public var snapshot: TelemetrySnapshot
        public var edgeServices: Set<String>
        public var hpa: [String: ServiceHPAStatus]
        public var network: NetworkConditions

        public init(
            time: Date, snapshot: TelemetrySnapshot, edgeServices: Set<String>, hpa: [String: ServiceHPAStatus],
            network: NetworkConditions
        ) {
            self.time = time
            self.snapshot = snapshot
            self.edgeServices = edgeServices
            self.hpa = hpa
            self.network = network
        }
    }

    /// The action the band asks for now, or `.none` with the reason.
    public func wantedAction(_ o: Observation) -> (PlacementActionKind, String) {
        let mean = o.snapshot.userDelaySeconds
        let quantile = o.snapshot.userDelayQuantileSeconds
        guard let mean else { return (.none, "edge user delay unknown: \(unknownReasons(o.snapshot))") }
        let band = settings.band
        if band.wantsOffload(mean: mean, quantile: quantile) {
            let movable = settings.template.services.filter { !$0.locked && !o.edgeServices.contains($0.name) }
            if movable.isEmpty { return (.none, "delay above the band but every movable service is at the edge") }
            return (.offload, "delay \(ms(mean)) (quantile \(ms(quantile))) above the band")
        }
        if band.wantsUnoffload(mean: mean, quantile: quantile) {
            let removable = settings.template.services.filter { !$0.locked && o.edgeServices.contains($0.name) }
            if removable.isEmpty { return (.none, "delay below the band but no movable service is at the edge") }
            return (.unoffload, "delay \(ms(mean)) (quantile \(ms(quantile))) below the band")
        }
        return (.none, "delay \(ms(mean)) (quantile \(ms(quantile))) inside the band")
    }

    /// The full decision: which placement, at what cost, through which operations.
    public func decide(_ o: Observation) async -> ControllerDecision {
        let (action, why) = wantedAction(o)
        var decision = ControllerDecision(
            time: o.time, action: action, reason: why, meanDelaySeconds: o.snapshot.userDelaySeconds,
            quantileDelaySeconds: o.snapshot.userDelayQuantileSeconds,
            userRequestsPerSecond: o.snapshot.userRequestsPerSecond)
        decision.readFailures = TelemetryReadFailures.lines(o.snapshot)
        guard action != .none, let mean = o.snapshot.userDelaySeconds else { return decision }

        var template = currentTemplate(o)
        template.action = action == .offload ? .offload : .unoffload
        let quantile = o.snapshot.userDelayQuantileSeconds
        // A move that gives back plans on the traffic's upper bound (docs/controller.md §8.2).
        let bound = action == .unoffload ? trafficBound(o) : nil
        let target: Double
        if action == .offload {
            let (goal, driver) = settings.band.offloadTarget(mean: mean, quantile: quantile)
            target = goal
            template.target = Target(delayReductionSeconds: mean - target)
            decision.reason += "; \(driver)-driven offload to \(ms(target))"
        } else {
            let (goal, driver) = settings.band.unoffloadTarget(mean: mean, quantile: quantile)
            target = goal
            template.target = Target(maxDelayIncreaseSeconds: target - mean)
            decision.reason += "; \(driver)-driven unoffload up to \(ms(target))" + (bound?.note ?? "")
        }

        let model: PlacementModel
        switch measuredModel(o, template: template, bound: bound) {
        case .success(let measured): model = measured
        case .failure(let failure):
            decision.action = .none
            decision.reason = failure.message
            return decision
        }
        var problem = model.problem
        var solution = await solve(model)
        if action == .offload, !solution.feasible || solution.evaluation.rho >= 1,
            let absolute = absoluteModel(model, target: target)
        {
            // The measured excess is beyond anything the model explains (a saturation it does not see), or the
            // answer leaves the link saturated by the model's own count (a relative reduction of an unbounded
            // delay means nothing): plan on the model's own delay (docs/controller.md §4).
            let second = await solve(absolute)
            if second.feasible {
                problem = absolute.problem
                solution = second
                decision.reason += "; the model explains \(ms(model.current.delaySeconds)) of it: planned on the model's own delay"
            }
        }
        decision.problem = problem
        decision.placement = solution
        if let note = solution.note, note.hasPrefix("plug-in") { decision.reason += "; \(note)" }
        if solution.added.isEmpty && solution.removed.isEmpty {
            decision.action = .none
            decision.reason += "; the best placement is the current one (\(solution.status.rawValue))"
            return decision
        }
        decision.operations = operations(for: solution, hpa: o.hpa, usage: o.snapshot)
        return decision
    }

    /// The configured app with the network and edge set of this observation.
    func currentTemplate(_ o: Observation) -> PlacementProblem {
        var template = settings.template
        template.network = Network(
            rttSeconds: o.network.rttSeconds, cloudToEdgeBitsPerSecond: o.network.cloudToEdgeBitsPerSecond,
            edgeToCloudBitsPerSecond: o.network.edgeToCloudBitsPerSecond)
        for i in template.services.indices {
            template.services[i].atEdge = o.edgeServices.contains(template.services[i].name)
        }
        return template
    }

    struct ModelFailure: Error {
        let message: String
    }

    /// The model of the measured problem: the telemetry poured into `template`, the cloud usage scaled to
    /// this edge's users.
    /// `bound`: for a move that gives back, the traffic's upper bound it plans on (`trafficBound`).
    func measuredModel(_ o: Observation, template: PlacementProblem, bound: TrafficBound? = nil) -> Result<PlacementModel, ModelFailure> {
        var problem: PlacementProblem
        switch measuredProblem(o, template: template) {
        case .success(let measured): problem = measured
        case .failure(let failure): return .failure(failure)
        }
        // Only the part of the cloud usage caused by this edge's users moves with them (docs/controller.md §4).
        for i in problem.services.indices {
            let me = settings.scaling(of: problem.services[i].name)
            problem.services[i].cpuUsageCores.cloud *= me
            problem.services[i].memoryUsageBytes.cloud *= me
        }
        if let bound { problem = bound.applied(to: problem) }
        // The target is relative, as the reference's: the model's change (candidate minus current placement)
        // against the change the measured delay asks for. The model need not reproduce the measured delay
        // (an RTT multiplier used as a safety factor puts it above), only rank placements (docs/controller.md).
        do {
            return .success(try PlacementModel(problem))
        } catch {
            return .failure(ModelFailure(message: "no placement computed: the measured problem is invalid: \(error.description)"))
        }
    }

    /// The telemetry poured into `template`, the cloud usage as measured (every user's).
    func measuredProblem(_ o: Observation, template: PlacementProblem) -> Result<PlacementProblem, ModelFailure> {
        do {
            return .success(try o.snapshot.placementProblem(from: template))
        } catch {
            return .failure(ModelFailure(message: "no placement computed: \(error.description)"))
        }
    }

    /// The same problem with the target set on the model's own current delay rather than the measured one,
    /// when that target is below the model's delay (nil otherwise).
    func absoluteModel(_ model: PlacementModel, target: Double) -> PlacementModel? {
        let reduction = model.current.delaySeconds - target
        guard reduction > 0 else { return nil }
        var problem = model.problem
        problem.target = Target(delayReductionSeconds: reduction)
        return try? PlacementModel(problem)
    }

    /// The solver's answer under the configured budget.
    func solve(_ model: PlacementModel) async -> PlacementSolution {
        await solver.solve(model, options: settings.solveOptions)
    }

    /// Deletions first (the cloud absorbs the edge replicas), then additions (docs/controller.md §5).
    func operations(for solution: PlacementSolution, hpa: [String: ServiceHPAStatus], usage: TelemetrySnapshot? = nil) -> [ClusterOperation] {
        operations(added: solution.added, removed: solution.removed, hpa: hpa, usage: usage)
    }

    /// The operations that add `added` to this edge and remove `removed` from it, from the HPA counts in `hpa`; an
    /// edge copy starts with at least the replicas that serve the CPU `usage` shows (the planned world's for a plan
    /// ahead of a rise: the cloud HPA's counts lag a surge; docs/controller.md §5).
    func operations(
        added: [String], removed: [String], hpa: [String: ServiceHPAStatus], usage: TelemetrySnapshot? = nil
    ) -> [ClusterOperation] {
        var ops: [ClusterOperation] = []
        for service in removed {
            let status = hpa[service]
            let bounds = settings.bounds(of: service)
            let cloudCurrent = status?.cloud?.currentReplicas ?? bounds.cloud.min
            let cloudMin = status?.cloud?.minReplicas ?? bounds.cloud.min
            let cloudMax = status?.cloud?.maxReplicas ?? bounds.cloud.max
            var replicas = ReplicaScaling.cloudReplicasAfterUnoffload(
                cloudCurrent: cloudCurrent, edgeCurrent: status?.edge?.currentReplicas ?? 0,
                resourceScaling: settings.scaling(of: service), cloudMin: cloudMin, cloudMax: cloudMax)
            if let spec = settings.service(named: service), let used = usage?.service(named: service)?.cpuUsageCores,
                let forUsage = ReplicaScaling.cloudReplicasForUsage(
                    cpuCores: used.cloud.flatMap { cloud in used.edge.map { cloud + $0 } }, cpuRequestCores: spec.cpuRequestCores.cloud,
                    hpaTarget: spec.hpaCpuThreshold, cloudMin: cloudMin, cloudMax: cloudMax)
            {
                replicas = min(replicas, max(cloudCurrent, forUsage))
            }
            ops.append(.scale(service: service, area: .cloud, replicas: replicas))
            ops.append(.delete(service: service))
        }
        for service in added {
            let bounds = settings.bounds(of: service)
            var replicas = ReplicaScaling.edgeReplicasAfterOffload(
                cloudCurrent: ReplicaScaling.deploymentSize(hpa[service]?.cloud) ?? bounds.cloud.min,
                resourceScaling: settings.scaling(of: service), edgeMin: bounds.edge.min, edgeMax: bounds.edge.max)
            if let spec = settings.service(named: service),
                let forUsage = ReplicaScaling.edgeReplicasForUsage(
                    cpuCores: usage?.service(named: service)?.cpuUsageCores.cloud ?? nil,
                    resourceScaling: settings.scaling(of: service), cpuRequestCores: spec.cpuRequestCores.edge,
                    edgeMin: bounds.edge.min, edgeMax: bounds.edge.max)
            {
                replicas = max(replicas, forUsage)
            }
            ops.append(.apply(service: service))
            ops.append(.scale(service: service, area: .edge, replicas: replicas))
        }
        return ops
    }

    private func unknownReasons(_ snapshot: TelemetrySnapshot) -> String {
        let reasons = snapshot.reasons.filter { $0.signal.rawValue.lowercased().contains("delay") }
        let shown = (reasons.isEmpty ? snapshot.reasons : reasons).prefix(2).map(\.description)
        return shown.isEmpty ? "no data" : shown.joined(separator: "; ")
    }
}

func ms(_ seconds: Double?) -> String {
    guard let seconds else { return "unknown" }
    return String(format: "%.1f ms", seconds * 1000)
}
