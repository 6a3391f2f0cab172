import Foundation
import Testing

@testable import GMAControl
@testable import GMATwin

/// The twin's HPA on its own, driven sync by sync on simulated time: 1-core requests, a 50 % target, so
/// `usage` cores want `2 · usage` replicas.
@Suite("Twin: the autoscaler")
struct TwinAutoscalerTests {
    static var settings: TwinHPASettings {
        var s = TwinHPASettings()
        s.syncSeconds = 15
        s.podStartupSeconds = 20
        s.tolerance = 0.1
        s.scaleDownStabilizationSeconds = 60
        return s
    }

    /// Runs the HPA as the world does (ticks of 5 s: ready replicas first, an evaluation every sync) from
    /// `from` to `to`, with the usage `usage(t)`; returns the ready replicas at every tick.
    @discardableResult
    static func drive(
        _ hpa: inout TwinAutoscaler, from: Double, to: Double, settings: TwinHPASettings = settings,
        usage: (Double) -> Double
    ) -> [(time: Double, ready: Int)] {
        var trace: [(time: Double, ready: Int)] = []
        var t = from
        while t <= to + 1e-9 {
            hpa.finishScaling(at: t)
            if (t / settings.syncSeconds).rounded() * settings.syncSeconds == t {
                hpa.evaluate(at: t, usageCores: usage(t), requestCores: 1, target: 0.5, settings: settings)
            }
            trace.append((t, hpa.current))
            t += 5
        }
        return trace
    }

    @Test func steadyLoadKeepsTheReplicas() {
        var hpa = TwinAutoscaler(replicas: 4, bounds: ReplicaBounds(min: 1, max: 20))
        let trace = Self.drive(&hpa, from: 0, to: 600) { _ in 2.0 }
        #expect(trace.allSatisfy { $0.ready == 4 }, "\(trace.map(\.ready))")
        #expect(hpa.desired == 4)
    }

    @Test func replicasRiseOnlyAfterTheSyncAndThePodStartup() {
        var hpa = TwinAutoscaler(replicas: 4, bounds: ReplicaBounds(min: 1, max: 20))
        // The load doubles at 20 s: the next sync is at 30 s, the new pods are ready at 50 s.
        let trace = Self.drive(&hpa, from: 0, to: 120) { $0 < 20 ? 2.0 : 4.0 }
        let before = trace.filter { $0.time < 50 }
        let after = trace.filter { $0.time >= 50 }
        #expect(before.allSatisfy { $0.ready == 4 }, "\(trace.map(\.ready))")
        #expect(after.allSatisfy { $0.ready == 8 }, "\(trace.map(\.ready))")
    }

    @Test func desiredLeadsCurrentWhilePodsStart() {
        var hpa = TwinAutoscaler(replicas: 4, bounds: ReplicaBounds(min: 1, max: 20))
        hpa.evaluate(at: 0, usageCores: 4, requestCores: 1, target: 0.5, settings: Self.settings)
        #expect(hpa.current == 4 && hpa.desired == 8)
        hpa.finishScaling(at: 19)
        #expect(hpa.current == 4)
        hpa.finishScaling(at: 20)
        #expect(hpa.current == 8 && hpa.desired == 8)
    }

    /// A load that rises at every sync: each scale-up is a batch of its own, so the replicas already started
    /// become ready on time instead of being pushed back by every later recommendation.
    @Test func aSteadyRampGetsReplicasDuringTheRamp() {
        var hpa = TwinAutoscaler(replicas: 2, bounds: ReplicaBounds(min: 1, max: 50))
        // +1 core every 15 s from 1 core at t = 0 (2 replicas) for 5 minutes.
        let trace = Self.drive(&hpa, from: 0, to: 300) { 1 + ($0 / 15).rounded(.down) }
        let at = { (t: Double) in trace.first { $0.time == t }?.ready ?? -1 }
        // The recommendation at 15·k is 2·(1 + k), ready 20 s later.
        #expect(at(40) == 4, "\(trace.map(\.ready))")
        #expect(at(155) == 2 * (1 + 9), "\(trace.map(\.ready))")
        #expect(at(295) == 2 * (1 + 18), "\(trace.map(\.ready))")
    }

    @Test func replicasStayWithinMinAndMax() {
        var hpa = TwinAutoscaler(replicas: 3, bounds: ReplicaBounds(min: 2, max: 6))
        let high = Self.drive(&hpa, from: 0, to: 300) { _ in 100 }
        #expect(high.allSatisfy { $0.ready <= 6 }, "\(high.map(\.ready))")
        #expect(hpa.current == 6 && hpa.desired == 6)
        let low = Self.drive(&hpa, from: 305, to: 900) { _ in 0.01 }
        #expect(low.allSatisfy { $0.ready >= 2 }, "\(low.map(\.ready))")
        #expect(hpa.current == 2)
        // The bounds hold even at zero load, and apply at once to a count set from outside.
        hpa.set(15, at: 905)
        Self.drive(&hpa, from: 910, to: 915) { _ in 0 }
        #expect(hpa.desired == 6, "above the maximum: back to it at the next sync")
    }

    @Test func scaleDownWaitsForTheStabilisationWindow() {
        var hpa = TwinAutoscaler(replicas: 8, bounds: ReplicaBounds(min: 1, max: 20))
        // 8 replicas wanted until 100 s, 2 after: the last high recommendation is at 90 s.
        let trace = Self.drive(&hpa, from: 0, to: 400) { $0 < 100 ? 4 : 1 }
        let lastHigh = 90.0
        let window = Self.settings.scaleDownStabilizationSeconds
        let early = trace.filter { $0.time <= lastHigh + window }
        #expect(early.allSatisfy { $0.ready == 8 }, "no scale-down within the window: \(trace.map(\.ready))")
        let firstDown = trace.first { $0.ready < 8 }
        #expect(firstDown.map { $0.time > lastHigh + window && $0.time <= lastHigh + window + Self.settings.syncSeconds } == true,
                "scale-down at the first sync after the window: \(String(describing: firstDown))")
        #expect(hpa.current == 2)
    }

    @Test func scaleDownIsImmediateWithoutAWindow() {
        var settings = Self.settings
        settings.scaleDownStabilizationSeconds = 0
        var hpa = TwinAutoscaler(replicas: 8, bounds: ReplicaBounds(min: 1, max: 20))
        let trace = Self.drive(&hpa, from: 0, to: 60, settings: settings) { $0 < 20 ? 4 : 1 }
        #expect(trace.first { $0.time == 30 }?.ready == 2, "\(trace.map(\.ready))")
    }

    @Test func aScaleSetFromOutsideStartsItsPodsAndIsKeptByTheWindow() {
        var hpa = TwinAutoscaler(replicas: 2, bounds: ReplicaBounds(min: 1, max: 20))
        hpa.set(6, at: 0, startup: 20)
        #expect(hpa.current == 2 && hpa.desired == 6)
        // Little load: the HPA wants 1, but the window still holds the 6 that were set.
        let trace = Self.drive(&hpa, from: 0, to: 55) { _ in 0.5 }
        #expect(trace.first { $0.time == 20 }?.ready == 6, "\(trace.map(\.ready))")
        #expect(hpa.current == 6)
        Self.drive(&hpa, from: 60, to: 120) { _ in 0.5 }
        #expect(hpa.current == 1)
    }

    @Test func withinTheToleranceNothingMoves() {
        var hpa = TwinAutoscaler(replicas: 10, bounds: ReplicaBounds(min: 1, max: 20))
        // 10 replicas at 54 % against a 50 % target: 8 % off, inside the 10 % tolerance.
        Self.drive(&hpa, from: 0, to: 300) { _ in 5.4 }
        #expect(hpa.current == 10 && hpa.desired == 10)
    }
}
