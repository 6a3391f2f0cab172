import Foundation

/// What the control loop remembers between cycles (docs/controller.md §2): the state and the counters its
/// rules need. Everything else is re-read from the world each cycle, so a restart loses at most one alarm.
public struct ControlMemory: Sendable, Equatable {
    public var state: ControllerState = .camping
    /// Checks in a row that saw the alarm's condition.
    public var alarmChecks = 0
    /// When the alarm under way started.
    public var alarmSince: Date?
    /// What the unoffload alarm under way is waiting out (docs/controller.md §8.2), if anything.
    public var improvement: String?
    /// The user request rate at the alarm's last check.
    public var alarmLoad = 0.0
    /// Alarm checks in a row far above the band at a steady load; two act at once (docs/controller.md §8.1).
    public var farChecks = 0
    /// The user request rate the first far check saw, and when.
    public var farLoad = 0.0
    public var farSince: Date?
    /// The mean delay the first far check saw (s).
    public var farDelay = 0.0
    /// The world the action under way plans for: a rise the telemetry lags, or one a lead acts ahead of (default:
    /// the measured world).
    public var plan = ActionPlan()
    /// The action under way was confirmed by the fast path: moving autoscalers do not defer it.
    public var fastAction = false
    /// Since when the delay has been in band with no action (consolidation's dwell).
    public var inBandSince: Date?
    /// When to look for a consolidation again after a look found nothing.
    public var nextConsolidationLook: Date?
    /// When the last consolidation was carried out: at most one per dwell.
    public var lastConsolidation: Date?
    /// The highest user request rate a check saw in band since the last action (0: none yet).
    public var peakLoad = 0.0
    /// The last action was an offload ahead of a rise (docs/controller.md §8.1): a forecast, given back early if the
    /// rise stops short of the band's limit.
    public var ledOffload = false
    /// The measured mean delay minus the model's for the current placement, smoothed over the checks in band
    /// since the last action: what the model misses (an RTT it is told low, service times); nil until one check.
    public var modelGapSeconds: Double?
    /// The last action was an offload and no check has seen the delay in band since.
    public var shortOffload = false
    /// The checks in band or in an unoffload alarm since the last action within a window and a sync period, oldest
    /// first (the trend a lead reads, docs/controller.md §8.1, and the one an unoffload waits out, §8.2).
    public var trendSamples: [TrendSample] = []
    /// The offload alarm under way was started by a rise the model leads (docs/controller.md §8.1).
    public var ledAlarm = false
    /// The lead the led alarm started on: its later checks lead at least this far.
    public var alarmLead = RiseLead()

    public init(state: ControllerState = .camping) {
        self.state = state
    }
}

/// One cycle's observation, reduced to the facts the rules read.
public struct ControlInput: Sendable {
    public var time: Date
    /// The users' mean delay; nil when unknown (`telemetryFailed` then tells a failed query from no data).
    public var meanDelaySeconds: Double?
    public var telemetryFailed = false
    /// The action the band asks for, and why (the decider's `wantedAction`).
    public var wanted: PlacementActionKind
    public var why: String
    /// The autoscalers moving now.
    public var moving: [String] = []
    /// Why the delay is far above the band, when it is (the decider's `farAboveBand`).
    public var farAbove: String?
    public var userRequestsPerSecond: Double?
    /// The model's delay for the current placement on the measured load and network; nil when not computed.
    public var modelDelaySeconds: Double?
    /// The delay a rise in the load leads to by the time an offload would serve: the measured mean plus the
    /// model's change from the measured world to the led one (`lead`); nil when there is no lead.
    public var ledDelaySeconds: Double?
    public var lead = RiseLead()
    /// The network the loop used for this check (s, bit/s: the lower of the link's two directions).
    public var rttSeconds: Double?
    public var bandwidthBitsPerSecond: Double?

    /// What this check saw of the world a lead extrapolates.
    public var trendSample: TrendSample {
        TrendSample(time: time, requestsPerSecond: userRequestsPerSecond, rttSeconds: rttSeconds, bandwidthBitsPerSecond: bandwidthBitsPerSecond)
    }

    public init(
        time: Date, meanDelaySeconds: Double?, wanted: PlacementActionKind, why: String, moving: [String] = [],
        farAbove: String? = nil, userRequestsPerSecond: Double? = nil, telemetryFailed: Bool = false,
        modelDelaySeconds: Double? = nil
    ) {
        self.modelDelaySeconds = modelDelaySeconds
        self.time = time
        self.meanDelaySeconds = meanDelaySeconds
        self.wanted = wanted
        self.why = why
        self.moving = moving
        self.farAbove = farAbove
        self.userRequestsPerSecond = userRequestsPerSecond
        self.telemetryFailed = telemetryFailed
    }
}

/// What the loop does after a step.
public enum ControlCommand: Sendable, Equatable {
    /// Wait this long before the next cycle (s).
    case wait(seconds: Double)
    /// Compute the placement for this action and carry it out, then report with `ControlStateMachine.acted`.
    case act(PlacementActionKind)
    /// Look for a cheaper placement in band, then report with `acted` or `nothingToConsolidate`.
    case lookForConsolidation(ConsolidationLook)
}

/// Which cheaper placement a consolidation look accepts (docs/controller.md §8.3).
public enum ConsolidationLook: Sendable, Equatable {
    /// After the dwell: one the model predicts keeps the delay at or below the band's midpoint minus the margin.
    case dwelt
    /// Before it, once the stabilisation window has passed: one the model predicts is no slower than the current
    /// placement (the current one is dominated: it costs more and buys no delay).
    case dominated
    /// Before it, once the stabilisation window has passed and the load has fallen well below its peak since the
    /// last action: one in band as after the dwell, or one no slower.
    case loadFell
    /// Before it, once the stabilisation window has passed after an offload ahead of a rise and the rise has
    /// stopped: one the model keeps at or below the offload threshold minus the margin, as if the lead had not
    /// fired (a rise that stopped short of the band's limit).
    case riseStopped
}

/// What observers are told about a step.
public enum ControlNote: Sendable, Equatable {
    case transition(from: ControllerState, to: ControllerState, reason: String)
    case skipped(reason: String)
}

/// A step's outcome: the next memory, the command, the notes in order.
public struct ControlStep: Sendable, Equatable {
    public var memory: ControlMemory
    public var command: ControlCommand
    public var notes: [ControlNote] = []

    public init(memory: ControlMemory, command: ControlCommand, notes: [ControlNote] = []) {
        self.memory = memory
        self.command = command
        self.notes = notes
    }

    /// Changes the state, noting the transition (nothing when the state stays).
    mutating func move(to state: ControllerState, _ reason: String) {
        guard state != memory.state else { return }
        notes.append(.transition(from: memory.state, to: state, reason: reason))
        memory.state = state
    }
}
