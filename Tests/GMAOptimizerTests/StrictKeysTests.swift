import Foundation
import Testing

@testable import GMAOptimizer

/// A key the format does not have, or a key given twice, is an error naming it and its
/// JSON path. JSONDecoder alone ignored `"lockd": true` (the service silently stayed unlocked) and kept the last of
/// two `locked` keys.
@Suite("Problem keys: unknown and duplicate keys are errors")
struct StrictKeysTests {
    static let fixtureName = "offload-small-M06-t00"

    static func text() -> String { String(decoding: Fixtures.data("instances/\(fixtureName).json"), as: UTF8.self) }

    static func issues(_ json: String) -> [ProblemIssue] {
        do {
            _ = try PlacementProblem.decode(from: Data(json.utf8), source: "keys.json")
            return []
        } catch {
            return error.issues
        }
    }

    /// The fixture with the first `"locked": false` (services[0]'s) replaced by `replacement`.
    static func withFirstLocked(_ replacement: String) throws -> String {
        let text = Self.text()
        let range = try #require(text.range(of: "\"locked\": false"), "the fixture has a locked key")
        return text.replacingCharacters(in: range, with: replacement)
    }

    @Test func typoedKeyIsNamedWithTheClosestKnownKey() throws {
        let issues = Self.issues(try Self.withFirstLocked("\"locked\": false, \"lockd\": true"))
        #expect(issues.count == 1)
        #expect(issues.first?.path == "services[0].lockd")
        #expect(issues.first?.message == "unknown key \"lockd\"; the closest known key is \"locked\"")
    }

    @Test func unknownTopLevelKeyIsNamed() {
        let json = Self.text().replacingOccurrences(of: "\"userRequestsPerSecond\"", with: "\"userRequestPerSecond\"")
        let issues = Self.issues(json)
        #expect(issues.map(\.path) == ["userRequestPerSecond"])
        #expect(issues.first?.message.contains("the closest known key is \"userRequestsPerSecond\"") == true)
    }

    @Test func duplicateKeyIsAnError() throws {
        let issues = Self.issues(try Self.withFirstLocked("\"locked\": false, \"locked\": true"))
        #expect(issues.map(\.path) == ["services[0].locked"])
        #expect(issues.first?.message.contains("duplicate key \"locked\"") == true)
    }

    /// Escapes name the same key: `lo\u0063ked` is `locked`.
    @Test func duplicateSpelledWithAnEscapeIsAnError() throws {
        let issues = Self.issues(try Self.withFirstLocked("\"locked\": false, \"lo\\u0063ked\": true"))
        #expect(issues.map(\.path) == ["services[0].locked"])
    }

    @Test func keysInsideArraysAndNestedObjectsAreChecked() {
        let json = Self.text()
            .replacingOccurrences(of: "\"perRequest\"", with: "\"per_request\"")
            .replacingOccurrences(of: "\"networkGB\"", with: "\"networkGb\"")
        let issues = Self.issues(json)
        #expect(issues.contains { $0.path == "calls[0].per_request" && $0.message.contains("\"perRequest\"") })
        #expect(issues.contains { $0.path == "prices.networkGb" && $0.message.contains("\"networkGB\"") })
    }

    /// 51 calls with the same typo: the list is capped, and its last line counts the rest.
    @Test func issueListIsCapped() {
        let json = String(decoding: Fixtures.data("instances/offload-M051-t00.json"), as: UTF8.self)
            .replacingOccurrences(of: "\"perRequest\"", with: "\"per_request\"")
        let issues = Self.issues(json)
        let calls = json.components(separatedBy: "\"per_request\"").count - 1
        #expect(calls > JSONKeyCheck.maximumIssues)
        #expect(issues.count == JSONKeyCheck.maximumIssues + 1)
        #expect(issues.last?.message == "and \(calls - JSONKeyCheck.maximumIssues) more unknown or duplicate keys")
    }

    @Test func missingRequiredKeyIsNamed() throws {
        let text = Self.text()
        let range = try #require(text.range(of: #""responseBytes": [0-9.e+]+,"#, options: .regularExpression))
        let issues = Self.issues(text.replacingCharacters(in: range, with: ""))
        #expect(issues.map(\.path) == ["services[0].responseBytes"])
        #expect(issues.first?.message == "required key \"responseBytes\" is missing")
    }

    /// A deeply nested value under an unknown key is skipped without recursion, and the key is still reported.
    @Test func deeplyNestedUnknownValueIsSkipped() throws {
        let depth = 200_000
        let bomb = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let issues = Self.issues(try Self.withFirstLocked("\"locked\": false, \"extra\": \(bomb)"))
        #expect(issues.map(\.path) == ["services[0].extra"])
    }

    /// A key a dotted path cannot show takes the bracket form, so even the empty key has a location (found by
    /// the fuzzer: `{"": null}` gave an issue with an empty path).
    @Test func emptyAndDottedKeysAreBracketed() throws {
        #expect(Self.issues(#"{"": null}"#).first?.path == #"[""]"#)
        let issues = Self.issues(try Self.withFirstLocked(#""locked": false, "a.b": 1"#))
        #expect(issues.first?.path == #"services[0]["a.b"]"#)
    }

    /// A control character in a key is escaped, so the error stays on one line.
    @Test func keyWithANewlineStaysOnOneLine() throws {
        let issues = Self.issues(try Self.withFirstLocked("\"locked\": false, \"bad\\nkey\": 1"))
        #expect(issues.first?.path == "services[0].bad\\nkey")
        #expect(!(issues.first?.description.contains("\n") ?? true))
    }

    /// The schema lists exactly the keys the types encode: a problem with every optional value set, encoded,
    /// has the schema's keys in every object.
    @Test func schemaMatchesTheCodableTypes() throws {
        var problem = try Fixtures.problem(Self.fixtureName)
        problem.metadata = Metadata(name: "n", source: "s")
        problem.network.edgeToCloudBitsPerSecond = 1e9
        problem.target = Target(delayReductionSeconds: 0.1, maxDelayIncreaseSeconds: 0.1)
        problem.ingress = Ingress(
            cpuRequestCores: PerArea(cloud: 1, edge: 1), memoryRequestBytes: PerArea(cloud: 1, edge: 1),
            countsOneCloudReplica: true)
        let json = try JSONSerialization.jsonObject(with: try problem.encoded())
        var mismatches: [String] = []
        Self.compare(json, ProblemSchema.problem, path: "$", into: &mismatches)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    static func compare(_ value: Any, _ shape: JSONShape, path: String, into mismatches: inout [String]) {
        switch shape {
        case .object(let keys):
            guard let object = value as? [String: Any] else { return mismatches.append("\(path): not an object") }
            if Set(object.keys) != Set(keys.keys) {
                mismatches.append("\(path): encoded \(object.keys.sorted()), schema \(keys.keys.sorted())")
            }
            for (key, child) in object { if let shape = keys[key] { compare(child, shape, path: "\(path).\(key)", into: &mismatches) } }
        case .array(let element):
            guard let array = value as? [Any] else { return mismatches.append("\(path): not an array") }
            for (i, child) in array.enumerated() { compare(child, element, path: "\(path)[\(i)]", into: &mismatches) }
        case .value:
            if value is [String: Any] || value is [Any] { mismatches.append("\(path): schema says a plain value") }
        }
    }

    /// Every problem fixture still decodes.
    @Test func everyFixtureDecodes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.instances.path)
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".reference.json") }
        #expect(names.count > 10)
        for name in names { _ = try PlacementProblem.decode(from: Fixtures.data("instances/\(name)"), source: name) }
        for name in ["twin-mubench-offload", "twin-mubench-unoffload", "twin-mubench-plateau-offload"] {
            _ = try PlacementProblem.decode(from: Fixtures.data("twin/\(name).json"), source: name)
        }
    }
}
