import Foundation
import GMAOptimizer
import Testing

/// The SBMP and optimum placements of every fixture reference file, re-evaluated with our model.
@Suite struct ReferenceResultTests {
    @Test func fixturesArePresent() {
        #expect(Fixtures.referenceInstances.count >= 150)
    }

    @Test(arguments: Fixtures.referenceInstances)
    func referencePlacementsMatch(instance: String) throws {
        let model = try Fixtures.model(instance)
        let reference = Fixtures.reference(instance)
        let results = try #require(reference["results"] as? [String: Any])
        var checked = 0
        for algorithm in ["SBMP", "optimum"] {
            guard let result = results[algorithm] as? [String: Any],
                let edge = result["edgeServices"] as? [String]
            else { continue }
            let e = model.evaluate(try model.edgeSet(named: edge))
            let cost = try #require((result["costPerHour"] as? [String: Any])?["total"] as? Double)
            let delay = try #require(result["delaySeconds"] as? Double)
            let rho = try #require(result["rho"] as? Double)
            let feasible = try #require(result["feasible"] as? Bool)
            #expect(close(e.cost.total, cost), "\(algorithm) cost \(e.cost.total) vs \(cost)")
            #expect(close(e.delaySeconds, delay), "\(algorithm) delay \(e.delaySeconds) vs \(delay)")
            #expect(close(e.rho, rho), "\(algorithm) rho \(e.rho) vs \(rho)")
            #expect(model.meetsTarget(delaySeconds: e.delaySeconds) == feasible, "\(algorithm) feasible")
            checked += 1
        }
        #expect(checked >= 1)
        let initial = try #require(reference["initialState"] as? [String: Any])
        #expect(close(model.current.delaySeconds, try #require(initial["delaySeconds"] as? Double)))
        #expect(close(model.cloudOnly.delaySeconds, try #require(initial["cloudOnlyDelaySeconds"] as? Double)))
        let initialCost = try #require((initial["costPerHour"] as? [String: Any])?["total"] as? Double)
        #expect(close(model.current.cost.total, initialCost))
    }
}
