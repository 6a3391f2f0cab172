import Foundation
import GMAOptimizer

/// The bench files copied into the repository (`Fixtures/`), so tests pass without `../shared`.
enum Fixtures {
    /// The `Fixtures` folder as the package copied it next to the test bundle (a real directory on Linux).
    static let directory = (Bundle.module.resourceURL ?? Bundle.module.bundleURL).appendingPathComponent("Fixtures")
    static let instances = directory.appendingPathComponent("instances")

    static func data(_ relative: String) -> Data {
        let url = directory.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            fatalError("missing fixture \(url.path)")
        }
        return data
    }

    static func json(_ relative: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data(relative))) as? [String: Any] ?? [:]
    }

    static func problem(_ instance: String) throws -> PlacementProblem {
        try PlacementProblem.decode(from: data("instances/\(instance).json"), source: instance)
    }

    static func model(_ instance: String) throws -> PlacementModel {
        try PlacementModel(try problem(instance))
    }

    /// Instance names that have a `.reference.json` beside them.
    static var referenceInstances: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: instances.path)) ?? []
        return names.filter { $0.hasSuffix(".reference.json") }
            .map { String($0.dropLast(".reference.json".count)) }
            .sorted()
    }

    static func reference(_ instance: String) -> [String: Any] {
        json("instances/\(instance).reference.json")
    }
}

/// Relative comparison, absolute near zero (the tolerance of docs/problem-format.md §9).
func close(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> Bool {
    if a == b { return true }
    let scale = max(abs(a), abs(b))
    return scale < 1e-12 ? abs(a - b) <= tolerance : abs(a - b) <= tolerance * scale
}
