import GMAConfig

/// Why one Prometheus query gave no usable answer. Every case names the query, so a log line or
/// `gma check` can show which PromQL failed; none carries a credential.
public enum PrometheusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection failed or timed out on every attempt.
    case transport(query: String, attempts: Int, message: String)
    /// A non-2xx status. `errorType`/`message` come from Prometheus' JSON error body when it has one.
    case httpStatus(query: String, status: Int, attempts: Int, errorType: String?, message: String?)
    /// HTTP 200 with `"status": "error"`.
    case queryFailed(query: String, errorType: String, message: String)
    /// The body is not the Prometheus API JSON that was expected.
    case malformedResponse(query: String, detail: String)
    /// A well-formed answer of a type gma cannot use for this query (e.g. `matrix` for an instant query).
    case unexpectedResultType(query: String, resultType: String)
    /// The answer passed `PrometheusConnection.maxAnswerBytes`; reading stopped at the cap.
    case answerTooLarge(query: String, limitBytes: Int)
    /// The answer holds more series than `PrometheusConnection.maxSeries`.
    case tooManySeries(query: String, count: Int, limit: Int)
    /// A sample's time lies further from the evaluation time than the query window: it does not
    /// describe the window gma asked about (Unix seconds).
    case staleSample(query: String, sampleTime: Double, evaluationTime: Double, windowSeconds: Double)
    /// The secret file could not be used; the path is safe to show, the contents are never read into errors.
    case credentials(path: String, problem: String)
    case invalidURL(String)

    public var description: String {
        switch self {
        case .transport(let query, let attempts, let message):
            "Prometheus unreachable after \(attempts) attempt(s): \(message) [query: \(query)]"
        case .httpStatus(let query, let status, let attempts, let errorType, let message):
            "Prometheus answered HTTP \(status) after \(attempts) attempt(s)"
                + (errorType.map { " (\($0))" } ?? "") + (message.map { ": \($0)" } ?? "") + " [query: \(query)]"
        case .queryFailed(let query, let errorType, let message):
            "Prometheus rejected the query (\(errorType)): \(message) [query: \(query)]"
        case .malformedResponse(let query, let detail):
            "malformed Prometheus answer: \(detail) [query: \(query)]"
        case .unexpectedResultType(let query, let resultType):
            "unexpected result type \(resultType) [query: \(query)]"
        case .answerTooLarge(let query, let limit):
            "Prometheus answer larger than the cap of \(limit) bytes [query: \(query)]"
        case .tooManySeries(let query, let count, let limit):
            "Prometheus answered \(count) series, more than the cap of \(limit) [query: \(query)]"
        case .staleSample(let query, let sampleTime, let evaluationTime, let window):
            "Prometheus sample \(Self.distance(sampleTime, from: evaluationTime)) the evaluation time, outside the "
                + "\(secondsText(window)) s query window [query: \(query)]"
        case .credentials(let path, let problem):
            "Prometheus credentials \(path): \(problem)"
        case .invalidURL(let url):
            "invalid Prometheus URL \(url)"
        }
    }

    /// The PromQL the error is about, when it is about one.
    public var query: String? {
        switch self {
        case .transport(let q, _, _), .httpStatus(let q, _, _, _, _), .queryFailed(let q, _, _),
            .malformedResponse(let q, _), .unexpectedResultType(let q, _), .answerTooLarge(let q, _),
            .tooManySeries(let q, _, _), .staleSample(let q, _, _, _):
            q
        case .credentials, .invalidURL:
            nil
        }
    }

    /// `86400 s before`, `300 s after`.
    private static func distance(_ time: Double, from reference: Double) -> String {
        let seconds = secondsText((abs(reference - time) * 1000).rounded() / 1000)
        return time < reference ? "\(seconds) s before" : "\(seconds) s after"
    }
}
