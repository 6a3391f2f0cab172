import Foundation
import Testing

@testable import GMAOptimizer

/// `gma/v2` reading: strict keys and errors at the path in the v2 file (docs/problem-format.md §11).
@Suite struct MultiEdgeFormatTests {
    static func text(area1: String = "", service: String = "", extra: String = "", usage2: String = "0", name2: String = "a") -> Data {
        Data(
            """
            {"apiVersion": "gma/v2", "kind": "PlacementProblem", "metadata": {}\(extra),
             "services": [{"name": "a", "cpuRequestCores": {"cloud": 1, "edge": 1},
                           "memoryRequestBytes": {"cloud": 0, "edge": 0}, "responseBytes": 1000\(service)}],
             "calls": [{"from": "user", "to": "a", "perRequest": 1}],
             "cloud": {"prices": {"cpuCoreHour": 1, "memoryGBHour": 0}},
             "areas": [
               {"name": "e1", "action": "offload", "userRequestsPerSecond": 10,
                "network": {"rttSeconds": 0.05, "cloudToEdgeBitsPerSecond": 1e9},
                "prices": {"cpuCoreHour": 0.6, "memoryGBHour": 0, "networkGB": 0},
                "target": {"delayReductionSeconds": 0.01},
                "services": [{"name": "a", "cpuUsageCores": {"cloud": 0.4, "edge": 0}}]},
               {"name": "e2", "action": "hold", "userRequestsPerSecond": 10,
                "network": {"rttSeconds": 0.05, "cloudToEdgeBitsPerSecond": 1e9},
                "prices": {"cpuCoreHour": 0.7, "memoryGBHour": 0, "networkGB": 0},
                "target": {"maxDelayIncreaseSeconds": 0},
                "services": [{"name": "\(name2)", "cpuUsageCores": {"cloud": 0.4, "edge": \(usage2)}\(area1)}]}
             ]}
            """.utf8)
    }

    static func issues(_ data: Data) -> [String] {
        do {
            _ = try MultiEdgeProblem.decode(from: data, source: "p.json")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func aValidProblemReads() throws {
        let problem = try MultiEdgeProblem.decode(from: Self.text(), source: "p.json")
        #expect(problem.areas.map(\.name) == ["e1", "e2"])
        #expect(problem.areas[1].action == .hold)
    }

    @Test func unknownKeysAreNamedWithTheirPath() {
        let found = Self.issues(Self.text(area1: #", "lockd": true"#))
        #expect(found.contains { $0.hasPrefix("areas[1].services[0].lockd: unknown key") }, "\(found)")
    }

    @Test func perEdgeValuesAreCheckedAtTheirV2Path() {
        let negative = Self.issues(Self.text(area1: "").replacing(Data(#""cpuCoreHour": 0.7"#.utf8), with: Data(#""cpuCoreHour": -1"#.utf8)))
        #expect(negative.contains { $0.hasPrefix("areas[1].prices.cpuCoreHour: must be a finite number ≥ 0") }, "\(negative)")
        let usage = Self.issues(Self.text(usage2: "-2"))
        #expect(usage.contains { $0.hasPrefix("areas[1].services[0].cpuUsageCores.edge:") }, "\(usage)")
        let cloud = Self.issues(Self.text().replacing(Data(#""cpuCoreHour": 1,"#.utf8), with: Data(#""cpuCoreHour": -1,"#.utf8)))
        #expect(cloud.contains { $0.hasPrefix("cloud.prices.cpuCoreHour:") }, "\(cloud)")
    }

    @Test func areaRulesAreChecked() {
        let hold = Self.issues(Self.text().replacing(Data(#""maxDelayIncreaseSeconds": 0"#.utf8), with: Data(#""delayReductionSeconds": 0"#.utf8)))
        #expect(hold.contains { $0.hasPrefix("areas[1].target.maxDelayIncreaseSeconds: required when action is hold") }, "\(hold)")
        let duplicate = Self.issues(Self.text().replacing(Data(#""name": "e2""#.utf8), with: Data(#""name": "e1""#.utf8)))
        #expect(duplicate.contains { $0.hasPrefix("areas[1].name: duplicate area name \"e1\"") }, "\(duplicate)")
        let unknown = Self.issues(Self.text(name2: "b"))
        #expect(unknown.contains { $0.hasPrefix("areas[1].services[0].name: unknown service \"b\"") }, "\(unknown)")
        let cloudOnly = Self.issues(Self.text(service: #", "cloudOnlyCpuUsageCores": -1"#))
        #expect(cloudOnly.contains { $0.hasPrefix("services[0].cloudOnlyCpuUsageCores:") }, "\(cloudOnly)")
    }

    /// The key schema lists every key the types encode: a problem with every optional value set reads back whole.
    @Test func theSchemaKnowsEveryKeyOfTheTypes() throws {
        var problem = try MultiEdgeProblem.decode(from: Self.text(), source: "p.json")
        problem.metadata = Metadata(name: "n", source: "s")
        problem.ingress = Ingress(cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 0, edge: 0), countsOneCloudReplica: true)
        problem.services[0].internalDelaySeconds = 0.001
        problem.services[0].hpaCpuThreshold = 0.5
        problem.services[0].cloudOnlyCpuUsageCores = 0.1
        problem.services[0].cloudOnlyMemoryUsageBytes = 1e6
        problem.areas[0].network.edgeToCloudBitsPerSecond = 1e9
        problem.areas[0].target.maxDelayIncreaseSeconds = 0.01
        problem.areas[0].services[0].memoryUsageBytes = PerArea(cloud: 1, edge: 0)
        problem.areas[0].services[0].atEdge = false
        problem.areas[0].services[0].locked = true
        let data = try problem.encoded()
        #expect(JSONKeyCheck.issues(in: data, shape: MultiEdgeSchema.problem).isEmpty)
        #expect(try MultiEdgeProblem.decode(from: data, source: "p.json") == problem)
    }
}
