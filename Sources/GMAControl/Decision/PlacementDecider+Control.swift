import Foundation
import GMAConfig
import GMAOptimizer

/// gma's additions to the decision rules (docs/controller.md §8): when the delay is far enough above the
/// band to skip the window, and which cheaper placement a consolidation moves to.
extension PlacementDecider {
    /// The facts of one observation the state machine reads, for a machine in `state` (docs/controller.md §2,
    /// §8.1): far above only counts in an offload alarm; the model's delay is computed while it may be needed
    /// (in band to learn its gap, in an offload alarm to explain the excess).
    /// `lead` is the state machine's lead for this check (`ControlStateMachine.lead`).
    public func controlInput(_ o: Observation, state: ControllerState, moving: [String], lead: RiseLead = RiseLead()) -> ControlInput {
        let (wanted, why) = wantedAction(o)
        let snapshot = o.snapshot
        let failed = snapshot.reasons.contains {
            if case .queryFailed = $0.problem, $0.signal == .meanDelay { true } else { false }
        }
        let policy = settings.policy
        let inOffloadAlarm = state == .offloadAlarm && wanted == .offload && policy.fastReaction
        let learns = policy.fastReaction && policy.fastWhenExplained
            && (state == .camping || state == .hpaRunning || inOffloadAlarm)
        let leads = policy.fastReaction && policy.leadRises && lead.leads && wanted != .unoffload
            && [.camping, .hpaRunning, .offloadAlarm, .offloading].contains(state)
        // One model of the current placement serves both questions: is the link saturated, what delay it predicts.
        let model = learns || inOffloadAlarm || leads ? currentModel(o) : nil
        var input = ControlInput(
            time: o.time, meanDelaySeconds: snapshot.userDelaySeconds, wanted: wanted, why: why, moving: moving,
            farAbove: inOffloadAlarm ? farAboveBand(o, current: model) : nil,
            userRequestsPerSecond: snapshot.userRequestsPerSecond, telemetryFailed: failed,
            modelDelaySeconds: learns ? model?.current.delaySeconds : nil)
        input.rttSeconds = o.network.rttSeconds
        input.bandwidthBitsPerSecond = trendSample(o).bandwidthBitsPerSecond
        if leads, let model, let mean = snapshot.userDelaySeconds, let led = currentModel(o.led(lead, profile: nil)) {
            // Relative, as every decision: the measured mean plus the model's change from the measured world to the led one.
            input.ledDelaySeconds = mean + led.current.delaySeconds - model.current.delaySeconds
            input.lead = lead
        }
        return input
    }

    /// What the observation shows of the world a lead extrapolates (docs/controller.md §8.1).
    public func trendSample(_ o: Observation) -> TrendSample {
        TrendSample(
            time: o.time, requestsPerSecond: o.snapshot.userRequestsPerSecond, rttSeconds: o.network.rttSeconds,
            bandwidthBitsPerSecond: min(o.network.cloudToEdgeBitsPerSecond, o.network.edgeToCloudBitsPerSecond))
    }

    /// The model of the current placement on the measured load and network, when it can be built.
    func currentModel(_ o: Observation) -> PlacementModel? {
        var template = currentTemplate(o)
        template.target = Target(delayReductionSeconds: 0)
        guard case .success(let model) = measuredModel(o, template: template) else { return nil }
        return model
    }

    /// Why the observation is far above the band (act after one confirming check), or nil.
    ///
    /// Far means: the mean at or above `fastFactor` × the offload threshold, the quantile likewise or off
    /// scale (infinite: beyond the histogram's last bucket), or the link saturated by the measured traffic
    /// (ρ ≥ 1: its queue grows without bound until something moves).
    /// `current` is `currentModel(o)` when the caller has it already.
    public func farAboveBand(_ o: Observation, current: PlacementModel? = nil) -> String? {
        let policy = settings.policy
        guard let mean = o.snapshot.userDelaySeconds else { return nil }
        let band = settings.band
        if mean >= policy.fastFactor * band.offloadSeconds {
            return "mean \(ms(mean)) ≥ \(fmt(policy.fastFactor))× the offload threshold"
        }
        if let q = o.snapshot.userDelayQuantileSeconds {
            if !q.isFinite { return "quantile off scale" }
            if let threshold = band.offloadQuantileSeconds, q >= policy.fastFactor * threshold {
                return "quantile \(ms(q)) ≥ \(fmt(policy.fastFactor))× its offload threshold"
            }
        }
        // The link, by the model on the measured traffic: what an offload relieves (a saturated CPU is the
        // autoscalers' to fix, and an offload would not).
        if let model = current ?? currentModel(o), model.current.rho >= 1 {
            return "the cloud–edge link is saturated (ρ ≥ 1)"
        }
        return nil
    }

    /// The cheapest placement that the model predicts keeps the delay at or below the ceiling of the `look`,
    /// when it costs at least the policy's share less than the current one; `.none` otherwise.
    ///
    /// The prediction is relative, as every decision's: the measured mean plus the model's change. The exact
    /// solver may add and remove services (a free re-placement; locked services stay).
    public func consolidation(_ o: Observation, look: ConsolidationLook = .dwelt) async -> ControllerDecision {
        let policy = settings.policy.consolidation
        var decision = ControllerDecision(
            time: o.time, action: .none, reason: "no cheaper placement in band", meanDelaySeconds: o.snapshot.userDelaySeconds,
            quantileDelaySeconds: o.snapshot.userDelayQuantileSeconds, userRequestsPerSecond: o.snapshot.userRequestsPerSecond)
        guard let mean = o.snapshot.userDelaySeconds else { return decision }
        guard mean <= settings.band.offloadSeconds else {
            decision.reason = "delay \(ms(mean)) above the band: no consolidation"
            return decision
        }
        let ceiling = consolidationCeiling(look, meanSeconds: mean)
        var template = currentTemplate(o)
        template.action = .offload
        // Reduction = mean − ceiling: negative when there is room, i.e. the delay may rise by that much.
        template.target = Target(delayReductionSeconds: mean - ceiling)
        let bound = trafficBound(o)
        guard case .success(let model) = measuredModel(o, template: template, bound: bound) else { return decision }
        var options = settings.solveOptions
        options.allowRemoval = true
        let solution = await solver.solve(model, options: options)
        let current = model.current.cost.total
        let candidate = solution.evaluation.cost.total
        let predicted = mean + solution.evaluation.delaySeconds - model.current.delaySeconds
        guard solution.feasible, !(solution.added.isEmpty && solution.removed.isEmpty) else { return decision }
        guard candidate <= (1 - policy.minimumSaving) * current else {
            decision.reason = String(
                format: "the cheapest placement in band saves %.1f %%, less than %.0f %%", 100 * (1 - candidate / max(current, 1e-12)),
                100 * policy.minimumSaving)
            return decision
        }
        decision.action = .consolidate
        decision.problem = model.problem
        decision.placement = solution
        decision.reason = String(
            format: "in band at %@%@: %.3f → %.3f $/h (model), predicted delay %@ ≤ %@%@", ms(mean),
            look.note, current, candidate, ms(predicted), ms(ceiling), bound.note)
        decision.operations = operations(for: solution, hpa: o.hpa, usage: o.snapshot)
        return decision
    }

    /// The delay a consolidation's placement must stay at or below (s): after the dwell the band's midpoint minus
    /// the margin; before it, the measured mean (no slower than the current placement), or after a fall of the
    /// load the higher of the two.
    public func consolidationCeiling(_ look: ConsolidationLook, meanSeconds: Double) -> Double {
        let inBand = settings.band.midpoint - settings.policy.consolidation.marginSeconds
        return switch look {
        case .dwelt: inBand
        case .dominated: meanSeconds
        case .loadFell: max(inBand, meanSeconds)
        case .riseStopped: max(settings.band.offloadSeconds - settings.policy.consolidation.marginSeconds, meanSeconds)
        }
    }
}

extension ConsolidationLook {
    /// What the decision's reason adds for this look.
    var note: String {
        switch self {
        case .dwelt: ""
        case .dominated: ", before the dwell"
        case .loadFell: ", the load well below its peak"
        case .riseStopped: ", the rise the last offload led stopped"
        }
    }
}

extension PerArea {
    /// The value of one area.
    package subscript(area: ClusterArea) -> Value { area == .cloud ? cloud : edge }
}
