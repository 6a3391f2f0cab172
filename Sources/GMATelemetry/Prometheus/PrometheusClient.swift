import Foundation
import GMAControl
import Logging

/// Where Prometheus is, how patient to be with it and how much of an answer to read.
public struct PrometheusConnection: Sendable, Equatable {
    /// Base URL of the HTTP API; `api/v1/query` is appended (a path prefix behind a proxy is kept).
    public var baseURL: URL
    public var credentials: PrometheusCredentials
    /// Deadline for the whole query, retries and their backoff included: a server that never answers, or
    /// dribbles its answer, costs at most this long. Millisecond precision.
    public var requestTimeoutSeconds: Double
    /// Attempts per query, the first included; retried only on connection errors and 5xx, and only while
    /// the deadline leaves time.
    public var maxAttempts: Int
    /// Wait before the first retry; doubled for each further one, capped at `maxBackoffSeconds`.
    public var retryBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// Bytes of one answer (decoded) kept at most; gma's queries return a handful of series per service.
    public var maxAnswerBytes: Int
    /// Series of one answer at most.
    public var maxSeries: Int

    public static let defaultMaxAnswerBytes = 8 << 20
    public static let defaultMaxSeries = 10_000

    public init(
        baseURL: URL,
        credentials: PrometheusCredentials = .none,
        requestTimeoutSeconds: Double = 10,
        maxAttempts: Int = 3,
        retryBackoffSeconds: Double = 0.25,
        maxBackoffSeconds: Double = 4,
        maxAnswerBytes: Int = PrometheusConnection.defaultMaxAnswerBytes,
        maxSeries: Int = PrometheusConnection.defaultMaxSeries
    ) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxAttempts = maxAttempts
        self.retryBackoffSeconds = retryBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.maxAnswerBytes = maxAnswerBytes
        self.maxSeries = maxSeries
    }
}

/// Instant queries against the Prometheus HTTP API (`POST /api/v1/query`), over `HTTPTransport`.
///
/// Holds no connection state between queries: each attempt is one libcurl transfer, opened and closed
/// within the attempt, so a long-running loop keeps no per-request memory or thread.
public final class PrometheusClient: Sendable {
    public let connection: PrometheusConnection
    private let endpoint: URL
    private let logger: Logger

    public init(_ connection: PrometheusConnection, logger: Logger = Logger(label: "gma.telemetry.prometheus")) {
        self.connection = connection
        self.logger = logger
        self.endpoint = connection.baseURL.appendingPathComponent("api/v1/query")
    }

    /// Evaluates `promql` at `time` (nil: Prometheus' current time). With `window` (seconds), a sample
    /// whose time lies further than that from the evaluation time is an error, not a measurement.
    public func query(_ promql: String, at time: Date? = nil, window: Double? = nil) async throws(PrometheusError)
        -> PrometheusResult
    {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https", endpoint.host != nil
        else {
            throw .invalidURL(connection.baseURL.absoluteString)
        }
        let authorization = try connection.credentials.authorizationHeader()
        let budget = connection.requestTimeoutSeconds
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(min(budget, 1e9) * 1e9)
        let attempts = max(1, connection.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await HTTPTransport.perform(
                request(promql, at: time, authorization: authorization, deadlineSeconds: Self.secondsLeft(until: deadline)))
            switch outcome {
            case .answer(let status, let body) where (200..<300).contains(status):
                let result = try PrometheusResponseParser.parse(body, query: promql)
                try check(result, promql, evaluatedAt: time?.timeIntervalSince1970 ?? Date().timeIntervalSince1970, window: window)
                return result
            case .answer(let status, let body):
                let detail = PrometheusResponseParser.errorBody(body)
                let error = PrometheusError.httpStatus(
                    query: promql, status: status, attempts: attempt, errorType: detail?.type, message: detail?.message)
                guard status >= 500, canRetry(after: attempt, of: attempts, deadline: deadline) else { throw error }
                logger.debug("Prometheus HTTP \(status), retrying", metadata: ["attempt": "\(attempt)"])
            case .failed(.tooLarge(let limit)):
                throw .answerTooLarge(query: promql, limitBytes: limit)
            case .failed(let failure):
                let message = if case .timedOut = failure { HTTPFailure.timedOut(deadlineSeconds: budget).message } else { failure.message }
                let error = PrometheusError.transport(query: promql, attempts: attempt, message: message)
                guard failure.isRetryable, canRetry(after: attempt, of: attempts, deadline: deadline) else { throw error }
                logger.debug("Prometheus unreachable (\(message)), retrying", metadata: ["attempt": "\(attempt)"])
            }
            do {
                try await Task.sleep(nanoseconds: UInt64(backoff(after: attempt) * 1e9))
            } catch {
                throw .transport(query: promql, attempts: attempt, message: "cancelled")
            }
        }
    }

    /// The caps and the window that a well-formed answer must still respect.
    private func check(_ result: PrometheusResult, _ promql: String, evaluatedAt: Double, window: Double?)
        throws(PrometheusError)
    {
        let samples = result.samples
        if samples.count > connection.maxSeries {
            throw .tooManySeries(query: promql, count: samples.count, limit: connection.maxSeries)
        }
        guard let window else { return }
        if let stale = samples.first(where: { !(abs($0.timestamp - evaluatedAt) <= window) }) {
            throw .staleSample(query: promql, sampleTime: stale.timestamp, evaluationTime: evaluatedAt, windowSeconds: window)
        }
    }

    private func backoff(after attempt: Int) -> Double {
        max(0, min(connection.retryBackoffSeconds * pow(2, Double(attempt - 1)), connection.maxBackoffSeconds))
    }

    /// A retry that could not start before the deadline would only delay the same error.
    private func canRetry(after attempt: Int, of attempts: Int, deadline: UInt64) -> Bool {
        attempt < attempts && Self.secondsLeft(until: deadline) > backoff(after: attempt)
    }

    /// `deadline` in `DispatchTime` uptime nanoseconds (monotonic: a clock step does not move it).
    private static func secondsLeft(until deadline: UInt64) -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return deadline > now ? Double(deadline - now) / 1e9 : 0
    }

    private func request(_ promql: String, at time: Date?, authorization: String?, deadlineSeconds: Double) -> OutgoingHTTPRequest {
        var form = [("query", promql)]
        if let time { form.append(("time", String(time.timeIntervalSince1970))) }
        // Prometheus stops evaluating once gma's deadline has passed anyway.
        form.append(("timeout", "\(max(1, Int((deadlineSeconds * 1000).rounded(.up))))ms"))
        let body = Data(form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&").utf8)
        var headers = ["Accept: application/json"]
        if let authorization { headers.append("Authorization: \(authorization)") }
        return OutgoingHTTPRequest(
            url: endpoint, method: .post(body: body, contentType: "application/x-www-form-urlencoded"), headers: headers,
            deadlineSeconds: deadlineSeconds, maxBodyBytes: connection.maxAnswerBytes)
    }

    private static let formSafe = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: formSafe) ?? ""
    }
}
