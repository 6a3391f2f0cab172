import Foundation
import GMAOptimizer
import Testing

/// Cyclic call graphs that converge are valid input (the reference crashes on them); divergent ones are rejected.
@Suite struct CyclicGraphTests {
    static func service(_ name: String, atEdge: Bool = false) -> Service {
        Service(
            name: name, cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 2e9, edge: 2e9),
            cpuUsageCores: PerArea(cloud: 3, edge: 0), memoryUsageBytes: PerArea(cloud: 6e9, edge: 0),
            responseBytes: 1e6, internalDelaySeconds: 0.001, atEdge: atEdge)
    }

    static func problem(_ calls: [Call]) -> PlacementProblem {
        PlacementProblem(
            action: .offload, services: ["a", "b", "c"].map { service($0) }, calls: calls, userRequestsPerSecond: 10,
            network: Network(rttSeconds: 0.05, cloudToEdgeBitsPerSecond: 1e9),
            prices: Prices(
                edge: AreaPrices(cpuCoreHour: 0.03, memoryGBHour: 0.01),
                cloud: AreaPrices(cpuCoreHour: 0.02, memoryGBHour: 0.01), networkGB: 0.02),
            target: Target(delayReductionSeconds: 0.01))
    }

    @Test func selfCallMultipliesInvocations() throws {
        // a calls itself 0.5 times per invocation: 1 + 0.5 + 0.25 + … = 2 invocations per request.
        let model = try PlacementModel(
            Self.problem([Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "a", perRequest: 0.5)]))
        #expect(close(model.cloudOnly.cloudCalls[0], 2, tolerance: 1e-12))
        let edge = model.evaluate([true, false, false])
        #expect(close(edge.edgeCalls[0], 2, tolerance: 1e-12))
        #expect(edge.cloudCalls[0] == 0)
    }

    @Test func mutualCallsConvergeAndSplitByPlacement() throws {
        // a ⇄ b with gains 0.5 and 0.4: N_a = 1/(1 − 0.2) = 1.25, N_b = 0.5 · N_a = 0.625.
        let calls = [
            Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "b", perRequest: 0.5),
            Call(from: "b", to: "a", perRequest: 0.4), Call(from: "b", to: "c", perRequest: 1),
        ]
        let model = try PlacementModel(Self.problem(calls))
        #expect(close(model.cloudOnly.cloudCalls[0], 1.25, tolerance: 1e-12))
        #expect(close(model.cloudOnly.cloudCalls[1], 0.625, tolerance: 1e-12))
        #expect(close(model.cloudOnly.cloudCalls[2], 0.625, tolerance: 1e-12))
        // Only a at the edge: its edge copy runs once per request, calls b in the cloud, whose calls back to a
        // reach a's cloud copy (cloud copies never call the edge).
        let onlyA = model.evaluate([true, false, false])
        #expect(close(onlyA.edgeCalls[0], 1, tolerance: 1e-12))
        #expect(close(onlyA.cloudCalls[0], 0.25, tolerance: 1e-12))
        #expect(close(onlyA.cloudCalls[1], 0.625, tolerance: 1e-12))
        // Both at the edge: the whole cycle runs at the edge.
        let both = model.evaluate([true, true, false])
        #expect(close(both.edgeCalls[0], 1.25, tolerance: 1e-12))
        #expect(close(both.edgeCalls[1], 0.625, tolerance: 1e-12))
        #expect(both.cloudCalls[0] == 0 && both.cloudCalls[1] == 0)
        for e in [onlyA, both] {
            for i in 0..<3 { #expect(close(e.cloudCalls[i] + e.edgeCalls[i], model.cloudOnly.cloudCalls[i], tolerance: 1e-12)) }
        }
    }

    @Test func divergentCycleIsRejectedWithPath() {
        let calls = [
            Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "b", perRequest: 2),
            Call(from: "b", to: "a", perRequest: 0.6),
        ]
        #expect(throws: ProblemError.self) { try PlacementModel(Self.problem(calls)) }
        do {
            _ = try PlacementModel(Self.problem(calls))
        } catch {
            #expect(error.issues.first?.path == "calls")
            #expect(error.description.contains("a, b"))
        }
    }

    @Test func selfCallOfOneOrMoreIsRejected() {
        let calls = [Call(from: "user", to: "a", perRequest: 1), Call(from: "a", to: "a", perRequest: 1)]
        #expect(throws: ProblemError.self) { try PlacementModel(Self.problem(calls)) }
    }
}
