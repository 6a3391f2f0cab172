import Foundation
import GMAOptimizer
import Testing

/// Every vector of `conformance.json` against our model: floats to 1e-9 relative, replica counts exactly.
@Suite struct ConformanceTests {
    nonisolated(unsafe) static let vectors: [[String: Any]] = Fixtures.json("conformance.json")["vectors"] as? [[String: Any]] ?? []

    @Test func allVectorsArePresent() {
        #expect(Self.vectors.count == 34)
    }

    @Test(arguments: 0..<34)
    func vectorMatches(index: Int) throws {
        try #require(index < Self.vectors.count, "vector \(index) is missing: none may be skipped")
        let vector = Self.vectors[index]
        let instance = try #require(vector["instance"] as? String)
        let edge = try #require(vector["edgeServices"] as? [String])
        let expected = try #require(vector["outputs"] as? [String: Any])
        let model = try Fixtures.model(instance)
        let evaluation = model.evaluate(try model.edgeSet(named: edge))
        let actual = try #require(
            JSONSerialization.jsonObject(with: Data(model.report(evaluation).rendered().utf8)) as? [String: Any])
        var mismatches: [String] = []
        compare(expected, actual, path: "", mismatches: &mismatches)
        #expect(mismatches.isEmpty, "\(instance) \(vector["placementKind"] ?? ""): \(mismatches.prefix(10))")
    }

    /// Walks the expected object; replica counts must be equal, every other number close.
    private func compare(_ expected: Any, _ actual: Any?, path: String, mismatches: inout [String]) {
        switch expected {
        case let object as [String: Any]:
            guard let other = actual as? [String: Any] else {
                mismatches.append("\(path): missing object")
                return
            }
            for (key, value) in object { compare(value, other[key], path: "\(path).\(key)", mismatches: &mismatches) }
        case let number as NSNumber:
            guard let other = actual as? NSNumber else {
                mismatches.append("\(path): missing number")
                return
            }
            if path.hasPrefix(".replicas") {
                if number.doubleValue != other.doubleValue {
                    mismatches.append("\(path): \(other) replicas, expected \(number)")
                }
            } else if !close(number.doubleValue, other.doubleValue) {
                mismatches.append("\(path): \(other.doubleValue), expected \(number.doubleValue)")
            }
        default:
            mismatches.append("\(path): unexpected \(type(of: expected))")
        }
    }
}
