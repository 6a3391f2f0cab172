import Foundation
import GMAControl

/// One sample of an instant query: the series' labels and its value at the evaluation time.
public struct PrometheusSample: Sendable, Equatable {
    public var labels: [String: String]
    /// Evaluation time, Unix seconds.
    public var timestamp: Double
    /// May be NaN or ±infinity: Prometheus sends those as "NaN", "+Inf", "-Inf".
    public var value: Double

    public init(labels: [String: String], timestamp: Double, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }
}

/// The `data` of a successful instant query. Only the two types an instant query over numbers can yield.
public enum PrometheusResult: Sendable, Equatable {
    case vector([PrometheusSample])
    case scalar(PrometheusSample)

    /// The samples, with a scalar seen as a one-sample vector without labels.
    public var samples: [PrometheusSample] {
        switch self {
        case .vector(let samples): samples
        case .scalar(let sample): [sample]
        }
    }
}

/// Strict decoding of the `/api/v1/query` JSON envelope.
enum PrometheusResponseParser {
    static func parse(_ body: Data, query: String) throws(PrometheusError) -> PrometheusResult {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw .malformedResponse(query: query, detail: describe(error, body: body))
        }
        if let duplicate = JSONDuplicateKeys.first(in: body) {
            throw .malformedResponse(query: query, detail: duplicate)
        }
        switch envelope.status {
        case "success":
            guard let data = envelope.data else {
                throw .malformedResponse(query: query, detail: "status success without data")
            }
            switch data.result {
            case .vector(let samples): return .vector(samples)
            case .scalar(let sample): return .scalar(sample)
            case .other(let type): throw .unexpectedResultType(query: query, resultType: type)
            }
        case "error":
            throw .queryFailed(
                query: query, errorType: envelope.errorType ?? "unknown", message: envelope.error ?? "no message")
        default:
            throw .malformedResponse(query: query, detail: "unknown status \(PromQL.quoted(envelope.status))")
        }
    }

    /// The error body Prometheus sends with 4xx/5xx, if the body is one.
    static func errorBody(_ body: Data) -> (type: String?, message: String?)? {
        guard let envelope = try? JSONDecoder().decode(ErrorEnvelope.self, from: body), envelope.status == "error" else {
            return nil
        }
        return (envelope.errorType, envelope.error)
    }

    /// Prometheus' number strings. Parsed by hand so that forms Prometheus never sends (hex, "infinity") are errors.
    static func number(_ text: String) -> Double? {
        switch text {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default:
            guard !text.isEmpty, text.allSatisfy({ "0123456789+-.eE".contains($0) }) else { return nil }
            return Double(text)
        }
    }

    private static func describe(_ error: any Error, body: Data) -> String {
        let what: String
        switch error {
        case DecodingError.dataCorrupted(let context):
            what = context.codingPath.isEmpty ? "not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            what = "missing key \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            what = "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            what = "\(error)"
        }
        // A short prefix helps recognise an HTML proxy page without flooding the log.
        let prefix = String(decoding: body.prefix(80), as: UTF8.self)
        return "\(what) (body starts \(PromQL.quoted(prefix)))"
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "<root>" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private struct ErrorEnvelope: Decodable {
        var status: String
        var errorType: String?
        var error: String?
    }

    private struct Envelope: Decodable {
        var status: String
        var data: ResultData?
        var errorType: String?
        var error: String?
    }

    private enum DecodedResult {
        case vector([PrometheusSample])
        case scalar(PrometheusSample)
        case other(String)
    }

    private struct ResultData: Decodable {
        var result: DecodedResult

        enum CodingKeys: String, CodingKey { case resultType, result }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let type = try c.decode(String.self, forKey: .resultType)
            switch type {
            case "vector":
                let series = try c.decode([VectorEntry].self, forKey: .result)
                result = .vector(series.map { PrometheusSample(labels: $0.metric, timestamp: $0.value.time, value: $0.value.value) })
            case "scalar":
                let pair = try c.decode(ValuePair.self, forKey: .result)
                result = .scalar(PrometheusSample(labels: [:], timestamp: pair.time, value: pair.value))
            default:
                result = .other(type)
            }
        }
    }

    private struct VectorEntry: Decodable {
        var metric: [String: String]
        var value: ValuePair
    }

    /// `[<unix time as number>, "<value as string>"]`.
    private struct ValuePair: Decodable {
        var time: Double
        var value: Double

        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            time = try c.decode(Double.self)
            let text = try c.decode(String.self)
            guard c.isAtEnd else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "a sample has more than two elements")
            }
            guard time.isFinite else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "non-finite timestamp")
            }
            guard let number = PrometheusResponseParser.number(text) else {
                throw DecodingError.dataCorruptedError(
                    in: c, debugDescription: "sample value \(PromQL.quoted(text)) is not a number")
            }
            value = number
        }
    }
}
