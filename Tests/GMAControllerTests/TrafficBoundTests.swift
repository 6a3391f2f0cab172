import Foundation
@testable import GMAConfig
@testable import GMAControl
import GMAOptimizer
import Testing

/// A move that gives back plans on the link's traffic counted with its sampling error (docs/controller.md §8.2).
///
/// The app is user → a → b → c, every call once per request, at 5 req/s with 5 kB responses; all three services at
/// the edge, where the model's delay is 0 ms. Clients measure 50 ms, so an unoffload may add 100 − 50 = 50 ms (band
/// 80–120 ms, midpoint 100 ms). Every unoffload leaves exactly one crossing of 5 × 40,000 bit = 200 kbit/s, which
/// adds RTT + b / (B − T) on a link of B bit/s (b the response's bits, T the traffic); the RTT is 5 ms. Each call is
/// counted 5 × 60 = 300 times in the one-minute window, known to 1/√300 = 5.77 %: at 2 standard deviations the bound
/// counts every response 11.55 % larger.
@Suite("Decider: the traffic bound on moves that give back")
struct TrafficBoundTests {
    static let share = 2 / 300.0.squareRoot()

    /// The decider at `confidence` and what it observes: the chain at the edge, 5 req/s, 50 ms, a link of `bandwidth`.
    static func setUp(
        bandwidth: Double, confidence: Double, minimumSaving: Double = 0.10
    ) async throws -> (PlacementDecider, PlacementDecider.Observation) {
        let world = ControllerTestWorld { _ in 0.050 }
        world.locked {
            world.edge = ["a", "b", "c"]
            world.load = { _ in 5 }
        }
        var settings = ControllerTestWorld.settings()
        settings.policy.trafficConfidence = confidence
        settings.policy.consolidation.minimumSaving = minimumSaving
        let network = NetworkConditions(rttSeconds: 0.005, cloudToEdgeBitsPerSecond: bandwidth, edgeToCloudBitsPerSecond: bandwidth)
        let observation = try await PlacementDeciderTests.observation(world, network: network)
        return (PlacementDecider(settings: settings, solver: BuiltInSolver(.auto)), observation)
    }

    static func decide(bandwidth: Double, confidence: Double) async throws -> ControllerDecision {
        let (decider, observation) = try await setUp(bandwidth: bandwidth, confidence: confidence)
        return await decider.decide(observation)
    }

    @Test func theBoundIsTheLeastCountedCallersError() {
        let settings = ControllerTestWorld.settings()
        let decider = PlacementDecider(settings: settings, solver: BuiltInSolver(.auto))
        let world = ControllerTestWorld { _ in 0.050 }
        let snapshot = TelemetrySnapshot(
            evaluatedAt: nil, takenAt: world.start, delayQuantile: 0.9, userDelaySeconds: 0.05, userDelayQuantileSeconds: nil,
            userRequestsPerSecond: 100, services: [],
            callRates: [
                .init(from: "user", to: "a", callsPerSecond: 100), .init(from: "a", to: "b", callsPerSecond: 25),
                .init(from: "c", to: "b", callsPerSecond: 1), .init(from: "a", to: "c", callsPerSecond: 0.001),
            ],
            callsPerRequest: [], unknownCallers: [], reasons: [])
        let o = PlacementDecider.Observation(
            time: world.start, snapshot: snapshot, edgeServices: [], hpa: [:], network: ControllerTestWorld.network.conditions)
        let bound = decider.trafficBound(o)
        // a: 6,000 calls in the window, 2/√6000 = 2.58 %; b: its least-counted caller, c, 60 calls: 25.8 %;
        // c: 0.06 calls, capped at twice the measured bytes.
        #expect(abs(bound.factors["a"]! - (1 + 2 / 6000.0.squareRoot())) < 1e-12)
        #expect(abs(bound.factors["b"]! - (1 + 2 / 60.0.squareRoot())) < 1e-12)
        #expect(bound.factors["c"] == 2)
        #expect(bound.note == "; traffic counted up to +100 % (its sampling error)")
        var off = settings
        off.policy = .reference
        #expect(PlacementDecider(settings: off, solver: BuiltInSolver(.auto)).trafficBound(o).factors.isEmpty)
    }

    @Test func measuredTheCrossingFits() async throws {
        // B = 1.15 Mbit/s: 5 ms + 40,000 / 950,000 = 47.1 ms ≤ 50 ms.
        let decision = try await Self.decide(bandwidth: 1.15e6, confidence: 0)
        #expect(decision.action == .unoffload, "\(decision.reason)")
        #expect(!decision.reason.contains("sampling error"))
        let delay = try #require(decision.placement?.evaluation.delaySeconds)
        #expect(abs(delay - (0.005 + 40_000 / 950_000)) < 1e-9, "\(delay)")
    }

    @Test func boundedItDoesNot() async throws {
        // Counted 11.55 % larger: 5 ms + 44,619 / (1,150,000 − 223,094) = 53.1 ms > 50 ms, for every candidate.
        let decision = try await Self.decide(bandwidth: 1.15e6, confidence: 2)
        #expect(decision.action == .none, "\(decision.reason)")
        #expect(decision.reason.contains("traffic counted up to +12 % (its sampling error)"), "\(decision.reason)")
        let problem = try #require(decision.problem)
        #expect(problem.services.allSatisfy { abs($0.responseBytes - 5_000 * (1 + Self.share)) < 1e-6 })
        #expect(try #require(decision.placement).removed.isEmpty)
    }

    @Test func aLinkWithRoomToSpareStillTakesItBounded() async throws {
        // B = 1.3 Mbit/s: 5 ms + 44,619 / (1,300,000 − 223,094) = 46.4 ms ≤ 50 ms.
        let decision = try await Self.decide(bandwidth: 1.3e6, confidence: 2)
        #expect(decision.action == .unoffload, "\(decision.reason)")
        let bits = 40_000 * (1 + Self.share)
        let delay = try #require(decision.placement?.evaluation.delaySeconds)
        #expect(abs(delay - (0.005 + bits / (1.3e6 - 5 * bits))) < 1e-9, "\(delay)")
    }

    /// After the dwell a consolidation must keep the delay at or below the midpoint minus the 5 ms margin, 95 ms:
    /// from the measured 50 ms it may add 45 ms. On 1.25 Mbit/s, measured: 5 ms + 40,000 / 1,050,000 = 43.1 ms, and
    /// giving the edge back saves its copies; bounded: 5 ms + 44,619 / (1,250,000 − 223,094) = 48.4 ms, too slow.
    static func consolidate(confidence: Double) async throws -> ControllerDecision {
        let (decider, observation) = try await setUp(bandwidth: 1.25e6, confidence: confidence, minimumSaving: 0)
        return await decider.consolidation(observation, look: .dwelt)
    }

    @Test func aConsolidationIsBoundedToo() async throws {
        let measured = try await Self.consolidate(confidence: 0)
        #expect(measured.action == .consolidate, "\(measured.reason)")
        let delay = try #require(measured.placement?.evaluation.delaySeconds)
        #expect(abs(delay - (0.005 + 40_000 / 1_050_000)) < 1e-9, "\(delay)")
        let bounded = try await Self.consolidate(confidence: 2)
        #expect(bounded.action == .none, "\(bounded.reason)")
        #expect(bounded.reason == "no cheaper placement in band")
    }

    @Test func offloadsPlanOnTheMeasuredTraffic() async throws {
        let world = ControllerTestWorld { _ in 0.150 }
        let settings = ControllerTestWorld.settings()
        #expect(settings.policy.trafficConfidence == 2 && ControlPolicy.reference.trafficConfidence == 0)
        let decision = await PlacementDecider(settings: settings, solver: BuiltInSolver(.auto))
            .decide(try await PlacementDeciderTests.observation(world, network: ControllerTestWorld.network.conditions))
        #expect(decision.action == .offload, "\(decision.reason)")
        #expect(decision.problem?.services.allSatisfy { $0.responseBytes == 5_000 } == true)
        #expect(!decision.reason.contains("sampling error"))
    }
}
