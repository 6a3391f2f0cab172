import Foundation
import GMAOptimizer

/// Planning for a load the telemetry has not caught up with (docs/controller.md §8.1). A window average lags a
/// ramp by half the window; a placement planned on it is too small and a second offload follows. When a far
/// excess is confirmed while the load is still rising, the offload plans for the rise carried on over that lag
/// and one alarm cycle (until the placement runs). Rates and CPU scale with the load; memory does not.
extension TelemetrySnapshot {
    /// The snapshot with every rate and CPU usage multiplied by `factor` (the call frequencies, response sizes,
    /// delays and memory are kept).
    public func scaledToLoad(_ factor: Double) -> TelemetrySnapshot {
        var scaled = self
        scaled.userRequestsPerSecond = userRequestsPerSecond.map { $0 * factor }
        scaled.services = services.map { service in
            var s = service
            s.requestsPerSecond = service.requestsPerSecond.map { $0 * factor }
            s.cpuUsageCores = PerArea(cloud: service.cpuUsageCores.cloud.map { $0 * factor }, edge: service.cpuUsageCores.edge.map { $0 * factor })
            return s
        }
        scaled.callRates = callRates.map { CallRate(from: $0.from, to: $0.to, callsPerSecond: $0.callsPerSecond * factor) }
        return scaled
    }
}

extension PlacementDecider.Observation {
    /// The observation in the world `lead` leads to: the load projected (`projected(by:profile:)`), the RTT raised.
    public func led(_ lead: RiseLead, profile: TelemetrySnapshot?) -> Self {
        var led = projected(by: lead.loadFactor, profile: profile)
        led.network.rttSeconds += max(lead.addedRTTSeconds, 0)
        let bandwidth = min(max(lead.bandwidthFactor, 0), 1)
        led.network.cloudToEdgeBitsPerSecond *= bandwidth
        led.network.edgeToCloudBitsPerSecond *= bandwidth
        return led
    }

    /// The observation with its load multiplied by `factor`. The app's profile — calls per request, response
    /// sizes, CPU per request — comes from `profile`, the last snapshot in band, when there is one: a window that
    /// spans a sudden rise mixes two regimes and a saturated link's backlog, and planning on it picked a placement
    /// the crowd then overran (a step from 80 to 1300 req/s on the twin). The delays stay the measured ones.
    public func projected(by factor: Double, profile: TelemetrySnapshot?) -> Self {
        guard factor > 1, let measured = snapshot.userRequestsPerSecond else { return self }
        var projected = self
        if let profile, let base = profile.userRequestsPerSecond, base > 0 {
            var scaled = profile.scaledToLoad(measured * factor / base)
            scaled.userDelaySeconds = snapshot.userDelaySeconds
            scaled.userDelayQuantileSeconds = snapshot.userDelayQuantileSeconds
            scaled.evaluatedAt = snapshot.evaluatedAt
            scaled.takenAt = snapshot.takenAt
            projected.snapshot = scaled
        } else {
            projected.snapshot = snapshot.scaledToLoad(factor)
        }
        return projected
    }
}

/// The app's profile for a plan ahead of a rise: the last snapshot in band (with users) since the placement
/// last changed. Kept by each controller per edge.
struct InBandProfile {
    private(set) var snapshot: TelemetrySnapshot?

    mutating func observe(_ input: ControlInput, _ snapshot: TelemetrySnapshot) {
        if input.wanted == .none, (snapshot.userRequestsPerSecond ?? 0) > 0 { self.snapshot = snapshot }
    }

    mutating func forget() { snapshot = nil }
}

extension PlacementDecider {
    /// `decide` on the world the action plans for (`ActionPlan`): the load projected with the app's profile from
    /// `profile` (see `Observation.projected`), the network led, and the delay a lead puts there instead of the
    /// measured mean; the reason says what it was planned for. The plain `decide` when the plan is the measured world.
    public func decide(_ o: Observation, plan: ActionPlan, profile: TelemetrySnapshot? = nil) async -> ControllerDecision {
        guard plan.changesTheWorld, let measured = o.snapshot.userRequestsPerSecond else { return await decide(o) }
        let plan = modelled(plan, o, profile: profile)
        var decision = await decide(o.planned(plan, profile: profile))
        // The decision reports what was measured; the reason says what it was planned for.
        decision.userRequestsPerSecond = measured
        decision.meanDelaySeconds = o.snapshot.userDelaySeconds
        decision.quantileDelaySeconds = o.snapshot.userDelayQuantileSeconds
        if let led = plan.ledDelaySeconds {
            decision.reason += "; planned ahead of a rise for \(plan.lead.description), where the model puts the delay at"
                + " \(ms(led)) (measured now: \(ms(o.snapshot.userDelaySeconds)))"
        } else {
            decision.reason += String(
                format: "; planned for %.1f req/s, the measured %.1f carried along the rise (the telemetry window lags it)%@",
                measured * plan.lead.loadFactor, measured, profile == nil ? "" : ", with the app's profile from the last check in band")
        }
        return decision
    }
}

extension PlacementDecider {
    /// The plan with the delay it starts from computed on its own world: a plan may lead further than the check that
    /// confirmed it (`ControlStateMachine.plannedLead`), so the delay is the model's there, relative to the measured
    /// mean as every decision. A plan without a led delay is returned as it is.
    public func modelled(_ plan: ActionPlan, _ o: Observation, profile: TelemetrySnapshot?) -> ActionPlan {
        guard plan.ledDelaySeconds != nil, let mean = o.snapshot.userDelaySeconds, let now = currentModel(o),
            let there = currentModel(o.led(plan.lead, profile: profile))
        else { return plan }
        var modelled = plan
        modelled.ledDelaySeconds = mean + there.current.delaySeconds - now.current.delaySeconds
        return modelled
    }
}

/// The world an action plans for, as the state machine confirmed it (docs/controller.md §8.1): the measured one
/// led by `lead`, and, for an action ahead of a rise, the delay the model puts there instead of the measured mean.
public struct ActionPlan: Sendable, Equatable {
    public var lead = RiseLead()
    public var ledDelaySeconds: Double?

    public init(lead: RiseLead = RiseLead(), ledDelaySeconds: Double? = nil) {
        self.lead = lead
        self.ledDelaySeconds = ledDelaySeconds
    }

    var changesTheWorld: Bool { lead.leads || ledDelaySeconds != nil }
}

extension PlacementDecider.Observation {
    /// The observation an action plans on (`ActionPlan`); the quantile shifted as much as the mean.
    public func planned(_ plan: ActionPlan, profile: TelemetrySnapshot?) -> Self {
        var planned = led(plan.lead, profile: profile)
        if let led = plan.ledDelaySeconds, let mean = snapshot.userDelaySeconds {
            planned.snapshot.userDelaySeconds = led
            planned.snapshot.userDelayQuantileSeconds = snapshot.userDelayQuantileSeconds.map { $0 + led - mean }
        }
        return planned
    }
}
extension ControlStateMachine {
    /// The largest load factor a projection may plan for: a noisy rise projects no further than this.
    static let maximumLoadProjection = 3.0

    /// The load the action plans for, as a factor of the measured one, when this far check confirms the first:
    /// 1 at a steady load (±10 %); during a rise, the rise per second since the first far check carried on over
    /// half the telemetry window and one alarm cycle; nil when the load fell (or may not be projected), and the
    /// check then counts as a new first one.
    func confirmingLoadFactor(_ load: Double, at time: Date, _ memory: ControlMemory) -> Double? {
        let first = max(memory.farLoad, 1e-9)
        if abs(load - first) <= 0.1 * first { return 1 }
        guard policy.projectRamps, memory.farLoad > 0, load > first, let since = memory.farSince, time > since else { return nil }
        let slope = (load - first) / time.timeIntervalSince(since)
        let projected = load + slope * (timing.telemetryWindowSeconds / 2 + timing.alarmCycleSeconds)
        return min(projected / load, Self.maximumLoadProjection)
    }
}
