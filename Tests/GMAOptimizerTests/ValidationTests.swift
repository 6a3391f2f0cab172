import Foundation
import GMAOptimizer
import Testing

/// Bad problems are rejected with messages that name the JSON path of every offending value.
@Suite struct ValidationTests {
    static func validJSON() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Fixtures.data("instances/offload-small-M06-t00.json")) as? [String: Any])
    }

    static func issues(_ mutate: (inout [String: Any]) -> Void) throws -> [ProblemIssue] {
        var json = try validJSON()
        mutate(&json)
        let data = try JSONSerialization.data(withJSONObject: json)
        do {
            _ = try PlacementProblem.decode(from: data, source: "test.json")
            return []
        } catch {
            return error.issues
        }
    }

    static func mutateService(_ json: inout [String: Any], _ index: Int, _ body: (inout [String: Any]) -> Void) {
        var services = json["services"] as! [[String: Any]]
        body(&services[index])
        json["services"] = services
    }

    @Test func fixtureIsValid() throws {
        #expect(try Self.issues { _ in }.isEmpty)
    }

    @Test func unknownServiceInCall() throws {
        let issues = try Self.issues { json in
            var calls = json["calls"] as! [[String: Any]]
            calls[1]["to"] = "nope"
            json["calls"] = calls
        }
        #expect(issues.contains { $0.path == "calls[1].to" && $0.message.contains("nope") })
    }

    @Test func duplicateServiceName() throws {
        let issues = try Self.issues { json in Self.mutateService(&json, 2) { $0["name"] = "s0" } }
        #expect(issues.contains { $0.path == "services[2].name" && $0.message.contains("duplicate") })
    }

    @Test func negativeAndZeroValues() throws {
        let issues = try Self.issues { json in
            Self.mutateService(&json, 1) { $0["responseBytes"] = -5 }
            Self.mutateService(&json, 3) { $0["cpuRequestCores"] = ["cloud": 0, "edge": 1] }
        }
        #expect(issues.contains { $0.path == "services[1].responseBytes" })
        #expect(issues.contains { $0.path == "services[3].cpuRequestCores.cloud" })
        #expect(issues.count == 2, "every problem is listed at once")
    }

    @Test func missingTargetForAction() throws {
        let issues = try Self.issues { json in json["action"] = "unoffload" }
        #expect(issues.contains { $0.path == "target.maxDelayIncreaseSeconds" })
    }

    @Test func wrongTypeNamesThePath() throws {
        let issues = try Self.issues { json in Self.mutateService(&json, 4) { $0["cpuUsageCores"] = ["cloud": "x", "edge": 0] } }
        #expect(issues.first?.path == "services[4].cpuUsageCores.cloud")
    }

    @Test func missingKeyNamesThePath() throws {
        let issues = try Self.issues { json in json["network"] = ["rttSeconds": 0.08] }
        #expect(issues.first?.path == "network.cloudToEdgeBitsPerSecond")
    }

    @Test func unknownAction() throws {
        let issues = try Self.issues { json in json["action"] = "sideload" }
        #expect(issues.first?.path == "action")
    }

    @Test func notJSON() {
        do {
            _ = try PlacementProblem.decode(from: Data("{ nope".utf8), source: "broken.json")
            Issue.record("accepted broken JSON")
        } catch {
            #expect(error.description.hasPrefix("broken.json:"))
        }
    }
}
