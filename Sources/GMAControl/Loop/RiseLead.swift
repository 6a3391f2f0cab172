import Foundation

/// How far a rise carries the world by the time an offload would serve (docs/controller.md §8.1): the load times
/// `loadFactor`, the RTT plus `addedRTTSeconds`, the link's bandwidth times `bandwidthFactor`. No lead: 1, 0, 1.
public struct RiseLead: Sendable, Equatable {
    public var loadFactor = 1.0
    public var addedRTTSeconds = 0.0
    public var bandwidthFactor = 1.0

    public init(loadFactor: Double = 1, addedRTTSeconds: Double = 0, bandwidthFactor: Double = 1) {
        self.loadFactor = loadFactor
        self.addedRTTSeconds = addedRTTSeconds
        self.bandwidthFactor = bandwidthFactor
    }

    public var leads: Bool { loadFactor > 1 || addedRTTSeconds > 0 || bandwidthFactor < 1 }

    /// The further of the two in each part.
    func atLeast(_ other: RiseLead) -> RiseLead {
        RiseLead(
            loadFactor: max(loadFactor, other.loadFactor), addedRTTSeconds: max(addedRTTSeconds, other.addedRTTSeconds),
            bandwidthFactor: min(bandwidthFactor, other.bandwidthFactor))
    }

    var description: String {
        var parts: [String] = []
        if loadFactor > 1 { parts.append(String(format: "%.0f %% of the measured load", 100 * loadFactor)) }
        if addedRTTSeconds > 0 { parts.append("the RTT \(ms(addedRTTSeconds)) higher") }
        if bandwidthFactor < 1 { parts.append(String(format: "%.0f %% of the measured bandwidth", 100 * bandwidthFactor)) }
        return parts.joined(separator: " and ")
    }
}

/// What one check in band saw of the world a lead extrapolates.
public struct TrendSample: Sendable, Equatable {
    public var time: Date
    public var requestsPerSecond: Double?
    public var rttSeconds: Double?
    /// The lower of the link's two directions (bit/s).
    public var bandwidthBitsPerSecond: Double?

    public init(time: Date, requestsPerSecond: Double?, rttSeconds: Double?, bandwidthBitsPerSecond: Double? = nil) {
        self.time = time
        self.requestsPerSecond = requestsPerSecond
        self.rttSeconds = rttSeconds
        self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
    }
}

/// Acting ahead of a steady rise (docs/controller.md §8.1). The delay gma reads is a window average that lags the
/// world by half the window, and an offload serves a confirming check and a rollout later; a load or an RTT that
/// keeps rising (or a bandwidth that keeps falling) crosses the threshold long before the window shows it. In band, the trend of the last checks is
/// carried on over that lead time; when the model puts the delay of the led world above the band, the offload
/// alarm starts now, and the offload plans for that world.
extension ControlStateMachine {
    /// The largest load factor a lead plans for.
    static let maximumLoadLead = 1.5
    /// The least rise (fitted, over the samples' span, as a share of the value) that counts as a trend, for a lead
    /// and for an unoffload's wait (docs/controller.md §8.1, §8.2): a one-minute window's rate has about 1 % of
    /// sampling noise, and the fit over four to six checks about as much error; a slow climb is 3.5–4.5 %.
    static let minimumTrendRise = 0.03
    /// The lowest bandwidth factor a lead plans for.
    static let minimumBandwidthLead = 0.5
    /// The share of the offload threshold the measured mean must have reached for a lead to fire. A climb toward
    /// saturation crosses the last 20 % in less than the window's lag and a rollout (the sawtooth, docs/controller.md
    /// §8.1); from 90 % it was 6.2 % of the time above the band.
    static let leadNeighbourhood = 0.8

    /// How far ahead a lead looks (s): the window's lag, the confirming check, and one alarm cycle for the rollout.
    var leadSeconds: Double { timing.telemetryWindowSeconds / 2 + policy.fastConfirmSeconds + timing.alarmCycleSeconds }

    /// The samples a trend is fitted on: the last window and sync period's.
    private var trendHorizonSeconds: Double { timing.telemetryWindowSeconds + timing.syncPeriodSeconds }

    /// The lead at this check: each of the load, the RTT and the bandwidth (falling), fitted by least squares over the checks in band of the
    /// last window and sync period (this one included; at least three, spanning at least a sync period) and
    /// carried on over `leadSeconds` when it rose by `minimumTrendRise` or more; the load at most
    /// `maximumLoadLead` ×, the bandwidth at least `minimumBandwidthLead` ×. During a led alarm, at least the lead it started on: one check's noise does not undo
    /// the trend the alarm saw.
    public func lead(_ memory: ControlMemory, _ now: TrendSample) -> RiseLead {
        guard policy.leadRises, policy.fastReaction else { return RiseLead() }
        let samples = fittedSamples(memory, now)
        var fresh = RiseLead()
        if let load = now.requestsPerSecond, load > 0, let rise = risePerSecond(samples, \.requestsPerSecond, now: load) {
            fresh.loadFactor = min(1 + rise * leadSeconds / load, Self.maximumLoadLead)
        }
        if let rtt = now.rttSeconds, rtt > 0, let rise = risePerSecond(samples, \.rttSeconds, now: rtt) {
            fresh.addedRTTSeconds = rise * leadSeconds
        }
        if let bandwidth = now.bandwidthBitsPerSecond, bandwidth > 0,
            let fall = risePerSecond(samples, \.bandwidthBitsPerSecond, now: bandwidth, falling: true)
        {
            fresh.bandwidthFactor = max(1 - fall * leadSeconds / bandwidth, Self.minimumBandwidthLead)
        }
        let started = memory.ledAlarm && [.offloadAlarm, .offloading].contains(memory.state) ? memory.alarmLead : RiseLead()
        return fresh.atLeast(started)
    }

    /// The checks a trend at `now` is fitted on: the remembered ones of the last window and sync period, and `now`.
    func fittedSamples(_ memory: ControlMemory, _ now: TrendSample) -> [TrendSample] {
        memory.trendSamples.filter { $0.time < now.time && now.time.timeIntervalSince($0.time) <= trendHorizonSeconds } + [now]
    }

    /// The least-squares slope of one value over the samples that have it, when it rose (or fell, negated) by
    /// `minimumTrendRise` of `now` or more over their span; nil otherwise.
    func risePerSecond(
        _ samples: [TrendSample], _ value: KeyPath<TrendSample, Double?>, now: Double, falling: Bool = false
    ) -> Double? {
        let points = samples.compactMap { s in s[keyPath: value].map { (s.time, $0) } }
        guard points.count >= 3, let first = points.first?.0, let last = points.last?.0 else { return nil }
        let span = last.timeIntervalSince(first)
        guard span >= timing.syncPeriodSeconds else { return nil }
        let times = points.map { $0.0.timeIntervalSince(first) }
        let values = points.map(\.1)
        let meanTime = times.reduce(0, +) / Double(points.count)
        let meanValue = values.reduce(0, +) / Double(points.count)
        var covariance = 0.0
        var variance = 0.0
        for (t, y) in zip(times, values) {
            covariance += (t - meanTime) * (y - meanValue)
            variance += (t - meanTime) * (t - meanTime)
        }
        let slope = (falling ? -1 : 1) * covariance / variance
        return slope * span >= Self.minimumTrendRise * now ? slope : nil
    }

    /// The world an offload ahead of a rise plans for: the load as led; the RTT and the bandwidth carried further,
    /// over the pause after the action too (the stabilisation window), since the placement must hold until another
    /// action could serve. An edge HPA catches up with a growing load and the band's midpoint leaves headroom; nothing
    /// catches up with a slower link. On the twin, carrying the load as far made the sine's peaks worse (seeds 2 and
    /// 3: 1.5 → 1.9 % and 1.7 → 2.1 % above the band) and helped nowhere; the network part took the bandwidth drop
    /// from two offloads to one (docs/controller.md §8.1).
    func plannedLead(_ lead: RiseLead) -> RiseLead {
        let further = (leadSeconds + timing.stabilizationWindowSeconds) / leadSeconds
        return RiseLead(
            loadFactor: lead.loadFactor, addedRTTSeconds: lead.addedRTTSeconds * further,
            bandwidthFactor: max(1 - (1 - lead.bandwidthFactor) * further, Self.minimumBandwidthLead))
    }

    /// Keeps a check for the trends of the next checks (the ones past the horizon dropped).
    func rememberTrend(_ input: ControlInput, _ memory: inout ControlMemory) {
        guard policy.leadRises || policy.steadyUnoffload else { return }
        memory.trendSamples.removeAll { input.time.timeIntervalSince($0.time) > trendHorizonSeconds || $0.time >= input.time }
        memory.trendSamples.append(input.trendSample)
    }

    /// Why the rise leads above the band, or nil. Only from `leadNeighbourhood` of the offload threshold up: further
    /// down, a forecast has longer to go wrong, and a rise that stops short of the band's limit (a ramp to a plateau
    /// inside the band) costs an offload nobody needed (given back once the rise stops, docs/controller.md §8.3).
    func led(_ input: ControlInput) -> String? {
        guard policy.leadRises, policy.fastReaction, input.lead.leads, let led = input.ledDelaySeconds, led > band.offloadSeconds,
            let mean = input.meanDelaySeconds, mean >= Self.leadNeighbourhood * band.offloadSeconds
        else { return nil }
        // Past ten times the threshold the model's link or queue is saturated; the figure itself says nothing more.
        let delay = led > 10 * band.offloadSeconds ? "over \(ms(10 * band.offloadSeconds)) (saturated)" : ms(led)
        return "the model puts the delay at \(delay) with \(input.lead.description), where it will be when an offload serves"
    }
}
