import Foundation
import GMAOptimizer

/// One problem of the suite, with what the reference files know about it.
struct BenchCase {
    var name: String
    /// Summary group: "offload", "offload-small", "unoffload" or "generated".
    var set: String
    var services: Int
    var model: PlacementModel
    var sbmp: ReferenceResult?
    var optimum: ReferenceResult?

    struct ReferenceResult {
        var cost: Double
        var feasible: Bool
        var seconds: Double?
    }

    /// The public instances of `directory` that have a `.reference.json` beside them.
    static func publicCases(in directory: String, filter: String?) throws -> [BenchCase] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        let names = files.filter { $0.hasSuffix(".reference.json") }.map { String($0.dropLast(".reference.json".count)) }
            .filter { filter == nil || $0.contains(filter!) }.sorted()
        return try names.map { name in
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name).json"),
                let referenceData = FileManager.default.contents(atPath: "\(directory)/\(name).reference.json")
            else { throw BenchError("\(directory)/\(name): cannot read the problem or its reference") }
            let model = try PlacementModel(try PlacementProblem.decode(from: data, source: name))
            let reference = try JSONSerialization.jsonObject(with: referenceData) as? [String: Any]
            let results = reference?["results"] as? [String: Any]
            let set =
                name.hasPrefix("unoffload") ? "unoffload" : name.hasPrefix("offload-small") ? "offload-small" : "offload"
            return BenchCase(
                name: name, set: set, services: model.serviceCount, model: model,
                sbmp: ReferenceResult(results?["SBMP"]), optimum: ReferenceResult(results?["optimum"]))
        }
    }

    /// Apps drawn by `gma generate` (seeds 1…`seeds`), offload from a cold start.
    static func generatedCases(sizes: [Int], seeds: Int) throws -> [BenchCase] {
        var cases: [BenchCase] = []
        for size in sizes {
            for seed in 1...seeds {
                let problem = AppGenerator(services: size, seed: UInt64(seed)).problem()
                cases.append(
                    BenchCase(
                        name: problem.metadata.name ?? "generated-\(size)-s\(seed)", set: "generated", services: size,
                        model: try PlacementModel(problem), sbmp: nil, optimum: nil))
            }
        }
        return cases
    }
}

extension BenchCase.ReferenceResult {
    init?(_ any: Any?) {
        guard let result = any as? [String: Any], let feasible = result["feasible"] as? Bool else { return nil }
        guard let cost = (result["costPerHour"] as? [String: Any])?["total"] as? Double else {
            // The optimum of a problem nothing meets has no placement and no cost.
            if !feasible { self.init(cost: .nan, feasible: false, seconds: nil) } else { return nil }
            return
        }
        self.init(cost: cost, feasible: feasible, seconds: result["processingSeconds"] as? Double)
    }
}
