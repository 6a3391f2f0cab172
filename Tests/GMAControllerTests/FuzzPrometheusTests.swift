import Foundation
import GMATestSupport
import Testing

@testable import GMAControl
@testable import GMATelemetry

/// Issue 8, item 4: mutated `/api/v1/query` bodies parse to samples or to a `PrometheusError` naming the query.
@Suite("Fuzz: Prometheus responses")
struct FuzzPrometheusTests {
    static let seed: UInt64 = 0x676D_612D_7072_6F6D  // "gma-prom"
    static let inputCount = 10_000
    static let query = #"sum by (source_app, destination_app) (rate(istio_requests_total{namespace="fluidosmesh"}[2m]))"#

    /// Answers Prometheus gives (and one it gives for range queries), compact as on the wire.
    static let seeds = [
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"source_app":"frontend","destination_app":"cart"},"value":[1700000000.123,"0.25"]},{"metric":{"source_app":"istio-ingressgateway","destination_app":"frontend","reporter":"destination"},"value":[1700000000.123,"12.5"]}]}}"#,
        #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42.5"]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"NaN"]},{"metric":{"a":"b"},"value":[1700000000,"+Inf"]},{"metric":{"a":"c"},"value":[1700000000,"-Inf"]}]}}"#,
        #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected identifier \"by\""}"#,
        #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"x"},"values":[[1700000000,"1"],[1700000015,"2"]]}]},"warnings":["query touched many series"]}"#,
    ]

    @Test("10,000 mutated query answers: samples or an error naming the query")
    func mutatedResponses() throws {
        let trees = try Self.seeds.map { try #require(FuzzJSON.parse($0), "seed is not JSON") }
        let bytes = ByteMutator(donors: Self.seeds.map { Array($0.utf8) })
        var structure = JSONMutator()
        structure.extraStrings = [
            "NaN", "+Inf", "-Inf", "Inf", "inf", "nan", "1e999", "-1e999", "infinity", "0x1p3", " 1", "1 ", "", "1e",
            "--1", "1.2.3", "matrix", "string", "streams", "scalar", "vector", "success", "error", "Success",
        ]
        structure.extraKeys = ["data", "status", "resultType", "result", "value", "metric", "values", "errorType", "error"]
        var rng = FuzzRandom(seed: Self.seed)
        var valid = 0
        var rejected = 0
        var unlocated: [String] = []
        for index in 0..<Self.inputCount {
            let which = rng.below(trees.count)
            let body: [UInt8]
            switch rng.below(10) {
            case 0..<3:
                body = Array(structure.mutate(trees[which], using: &rng).serialized(pretty: rng.chance(20)).utf8)
            case 3..<6:
                let tree = structure.mutateLeaves(trees[which], strings: structure.extraStrings, using: &rng)
                body = Array(tree.serialized().utf8)
            case 6..<8:
                body = bytes.mutate(Array(Self.seeds[which].utf8), using: &rng)
            default:
                let text = structure.mutate(trees[which], using: &rng).serialized()
                body = bytes.mutate(Array(text.utf8), using: &rng)
            }
            let data = Data(body)
            _ = PrometheusResponseParser.errorBody(data)
            do {
                let result = try PrometheusResponseParser.parse(data, query: Self.query)
                _ = result.samples.count
                valid += 1
            } catch {
                rejected += 1
                if let problem = Self.unlocated(error), unlocated.count < 10 {
                    unlocated.append("input \(index): \(problem)\n  \(String(decoding: body.prefix(300), as: UTF8.self))")
                }
            }
        }
        #expect(unlocated.isEmpty, "errors that do not name the query:\n\(unlocated.joined(separator: "\n"))")
        #expect(valid > Self.inputCount / 20, "only \(valid) answers were accepted")
        #expect(rejected > Self.inputCount / 2, "only \(rejected) answers were rejected")
    }

    /// Why an error breaks the contract, or nil: it must carry the query and print it.
    static func unlocated(_ error: PrometheusError) -> String? {
        if error.query != query { return "the error carries query \(error.query ?? "nil"): \(error)" }
        if !error.description.contains("[query: \(query)]") { return "the description omits the query: \(error)" }
        return nil
    }
}
