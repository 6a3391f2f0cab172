import Foundation
import GMAOptimizer
import Testing

/// Properties of the model that hold for every placement, checked on random placements of fixture instances.
@Suite struct ModelPropertyTests {
    static let instances = [
        "offload-small-M10-t03", "offload-M051-t00", "offload-M201-t01", "unoffload-lambda-M101-t00",
    ]

    @Test(arguments: instances)
    func totalInvocationsDoNotDependOnPlacement(instance: String) throws {
        let model = try Fixtures.model(instance)
        let reference = model.cloudOnly
        var bits = RandomApps.Bits(state: 42)
        for density: UInt64 in [10, 30, 60, 90, 100] {
            let e = model.evaluate(bits.placement(model.serviceCount, density: density))
            for i in 0..<model.serviceCount {
                let total = e.cloudCalls[i] + e.edgeCalls[i]
                #expect(close(total, reference.cloudCalls[i], tolerance: 1e-12), "\(model.serviceNames[i])")
            }
        }
    }

    @Test(arguments: instances)
    func unreachedEdgeServiceChangesNothing(instance: String) throws {
        let model = try Fixtures.model(instance)
        var bits = RandomApps.Bits(state: 7)
        var checked = 0
        for _ in 0..<20 {
            let placement = bits.placement(model.serviceCount, density: 20)
            let base = model.evaluate(placement)
            // A service outside the edge set whose callers are all in the cloud (and not the user).
            for candidate in 0..<model.serviceCount where !placement[candidate] {
                let callers = model.problem.calls.filter { $0.to == model.serviceNames[candidate] }
                let allCloud = callers.allSatisfy { call in
                    guard let a = model.index(of: call.from) else { return false }  // the user is at the edge
                    return !placement[a]
                }
                guard allCloud, !callers.isEmpty else { continue }
                var grown = placement
                grown[candidate] = true
                let e = model.evaluate(grown)
                #expect(e.cost == base.cost)
                #expect(e.delaySeconds == base.delaySeconds)
                #expect(e.rho == base.rho)
                #expect(e.edgeCalls[candidate] == 0)
                checked += 1
                break
            }
        }
        #expect(checked > 0)
    }

    @Test func evaluationIsDeterministic() throws {
        let model = try Fixtures.model("offload-M201-t00")
        var bits = RandomApps.Bits(state: 1)
        let placement = bits.placement(model.serviceCount, density: 40)
        #expect(model.evaluate(placement).cost == model.evaluate(placement).cost)
    }
}
