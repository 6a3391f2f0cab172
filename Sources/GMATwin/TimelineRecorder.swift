import Foundation
import Synchronization

/// What the twin looked like at one tick: the truth users experience, not what telemetry reports.
public struct TimelineSample: Sendable, Equatable {
    /// Seconds since the start of the scenario.
    public var time: Double
    public var userRequestsPerSecond: Double
    public var rttSeconds: Double
    public var bandwidthBitsPerSecond: Double
    /// Mean and quantile user delay at the edge ingress, from the twin's physics (capped at the timeout).
    public var delaySeconds: Double
    public var delayQuantileSeconds: Double
    /// Parts of the mean: RTTs and transfers, service latencies, waiting in the replicas' queues.
    public var networkDelaySeconds: Double
    public var processingDelaySeconds: Double
    public var queueingDelaySeconds: Double
    /// The link's utilisation (offered traffic over the true bandwidth; ≥ 1: saturated).
    public var rho: Double
    /// Services whose edge copy serves traffic now (not the same as deployed during a rollout).
    public var servingAtEdge: [String]
    public var deployedAtEdge: [String]
    public var replicasCloud: Int
    public var replicasEdge: Int
    /// $/h of the replicas running now and the link's traffic, and of cloud-only at the same load with its
    /// autoscalers settled.
    public var costPerHour: Double
    public var cloudOnlyCostPerHour: Double
    /// $/h of the shared cloud's replicas alone (with several edges, `costPerHour` is this edge's own cost plus
    /// its share of this; docs/twin.md §6).
    public var cloudCostPerHour: Double
    /// The oracle's placement at this tick's load and network (docs/twin.md §3): its cost and edge set size.
    public var oracleCostPerHour: Double
    public var oracleEdgeCount: Int
    /// Per service, in app order.
    public var cpuCloud: [Double]
    public var cpuEdge: [Double]
    public var memoryCloud: [Double]
    public var memoryEdge: [Double]
    public var callsCloud: [Double]
    public var callsEdge: [Double]

    public var extraCostPerHour: Double { costPerHour - cloudOnlyCostPerHour }
}

/// One line of the run's story: a controller event or a twin event, at simulated time.
public struct TimelineEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case transition, decision, offload, unoffload, failure, skipped, observation, note
    }

    public var time: Double
    public var kind: Kind
    public var text: String
    /// For observations: the measured mean and quantile.
    public var values: [Double] = []
}

/// The run's memory: samples per tick and events, shared by the world (writer) and the telemetry, the CLI,
/// the plot and the tests (readers).
public final class TimelineRecorder: Sendable {
    private struct Story {
        var samples: [TimelineSample] = []
        var events: [TimelineEvent] = []
    }

    private let story = Mutex(Story())

    public init() {}

    public var samples: [TimelineSample] { story.withLock { $0.samples } }
    public var events: [TimelineEvent] { story.withLock { $0.events } }

    func append(_ sample: TimelineSample) { story.withLock { $0.samples.append(sample) } }

    public func record(_ event: TimelineEvent) { story.withLock { $0.events.append(event) } }

    /// Samples with time in (from, to].
    func samples(after from: Double, upTo to: Double) -> [TimelineSample] {
        story.withLock { story in
            // Samples are appended in time order: scan back from the end, the window is short.
            var window: [TimelineSample] = []
            for sample in story.samples.reversed() {
                if sample.time <= from { break }
                if sample.time <= to { window.append(sample) }
            }
            return window.reversed()
        }
    }

    var lastSample: TimelineSample? { story.withLock { $0.samples.last } }
}
