import Foundation
import GMAOptimizer

/// Time per `PlacementModel.evaluate` on the public instances: random connected placements, many per instance.
enum ModelTiming {
    static func run(instances directory: String, evaluations: Int) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix("offload-M") && $0.hasSuffix(".json") && !$0.hasSuffix(".reference.json") }
            .sorted()
        guard !names.isEmpty else { throw BenchError("no offload-M* instances in \(directory)") }
        var bySize: [Int: [Double]] = [:]
        var sink = 0.0
        for name in names {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(name)") else { continue }
            let model = try PlacementModel(try PlacementProblem.decode(from: data, source: name))
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(model.serviceCount)
            let placements: [[Bool]] = (0..<64).map { _ in
                (0..<model.serviceCount).map { _ in
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    return (state >> 33) % 4 == 0
                }
            }
            let start = DispatchTime.now().uptimeNanoseconds
            for k in 0..<evaluations { sink += model.evaluate(placements[k % placements.count]).cost.total }
            let perEvaluation = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(evaluations)
            bySize[model.serviceCount, default: []].append(perEvaluation)
        }
        var lines = ["| services | instances | median µs per evaluation | max µs |", "|---|---|---|---|"]
        for size in bySize.keys.sorted() {
            let values = bySize[size]!.sorted()
            lines.append(String(
                format: "| %d | %d | %.2f | %.2f |", size, values.count, values[values.count / 2] / 1000,
                values.last! / 1000))
        }
        if sink.isNaN { lines.append("") }  // keeps the evaluations from being optimised away
        return lines.joined(separator: "\n")
    }
}
