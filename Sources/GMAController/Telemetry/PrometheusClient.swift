import Foundation
import Logging

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Where Prometheus is and how patient to be with it.
public struct PrometheusConnection: Sendable, Equatable {
    /// Base URL of the HTTP API; `api/v1/query` is appended (a path prefix behind a proxy is kept).
    public var baseURL: URL
    public var credentials: PrometheusCredentials
    /// Per attempt: the whole exchange, connection included, must finish within it. Rounded up to whole
    /// seconds (URLSession on Linux has no finer timeout).
    public var requestTimeoutSeconds: Double
    /// Attempts per query, the first included; retried only on connection errors and 5xx.
    public var maxAttempts: Int
    /// Wait before the first retry; doubled for each further one, capped at `maxBackoffSeconds`.
    public var retryBackoffSeconds: Double
    public var maxBackoffSeconds: Double

    public init(
        baseURL: URL,
        credentials: PrometheusCredentials = .none,
        requestTimeoutSeconds: Double = 10,
        maxAttempts: Int = 3,
        retryBackoffSeconds: Double = 0.25,
        maxBackoffSeconds: Double = 4
    ) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.maxAttempts = maxAttempts
        self.retryBackoffSeconds = retryBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }
}

/// Instant queries against the Prometheus HTTP API (`POST /api/v1/query`).
///
/// URLSession is libcurl underneath on Linux; one session per client keeps connections alive across
/// the handful of queries of a snapshot.
public final class PrometheusClient: Sendable {
    public let connection: PrometheusConnection
    private let session: URLSession
    private let endpoint: URL
    private let logger: Logger

    public init(_ connection: PrometheusConnection, logger: Logger = Logger(label: "gma.telemetry.prometheus")) {
        self.connection = connection
        self.logger = logger
        self.endpoint = connection.baseURL.appendingPathComponent("api/v1/query")
        self.session = HTTPTransport.session(timeoutSeconds: connection.requestTimeoutSeconds)
    }

    deinit {
        session.invalidateAndCancel()
    }

    /// Evaluates `promql` at `time` (nil: Prometheus' current time).
    public func query(_ promql: String, at time: Date? = nil) async throws(PrometheusError) -> PrometheusResult {
        guard let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https", endpoint.host != nil
        else {
            throw .invalidURL(connection.baseURL.absoluteString)
        }
        let request = try makeRequest(promql, at: time)
        let attempts = max(1, connection.maxAttempts)
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await exchange(request)
            switch outcome {
            case .answer(let status, let body) where (200..<300).contains(status):
                return try PrometheusResponseParser.parse(body, query: promql)
            case .answer(let status, let body):
                let detail = PrometheusResponseParser.errorBody(body)
                let error = PrometheusError.httpStatus(
                    query: promql, status: status, attempts: attempt, errorType: detail?.type, message: detail?.message)
                guard status >= 500, attempt < attempts else { throw error }
                logger.warning("Prometheus HTTP \(status), retrying", metadata: ["attempt": "\(attempt)"])
            case .failed(let message, let retryable):
                let error = PrometheusError.transport(query: promql, attempts: attempt, message: message)
                guard retryable, attempt < attempts else { throw error }
                logger.warning("Prometheus unreachable (\(message)), retrying", metadata: ["attempt": "\(attempt)"])
            }
            let backoff = min(connection.retryBackoffSeconds * pow(2, Double(attempt - 1)), connection.maxBackoffSeconds)
            do {
                try await Task.sleep(nanoseconds: UInt64(max(0, backoff) * 1e9))
            } catch {
                throw .transport(query: promql, attempts: attempt, message: "cancelled")
            }
        }
    }

    private enum Outcome {
        case answer(status: Int, body: Data)
        case failed(message: String, retryable: Bool)
    }

    private func exchange(_ request: URLRequest) async -> Outcome {
        do {
            let (body, response) = try await session.data(for: request)
            guard let http = response as? HTTPURLResponse else {
                return .failed(message: "not an HTTP response", retryable: false)
            }
            return .answer(status: http.statusCode, body: body)
        } catch let error as URLError {
            // Cancellation is the caller giving up; anything else on the wire may heal on its own.
            return .failed(
                message: HTTPTransport.describe(error, timeoutSeconds: connection.requestTimeoutSeconds),
                retryable: error.code != .cancelled)
        } catch {
            return .failed(message: "\(error)", retryable: true)
        }
    }

    private func makeRequest(_ promql: String, at time: Date?) throws(PrometheusError) -> URLRequest {
        let timeout = HTTPTransport.effectiveTimeout(connection.requestTimeoutSeconds)
        var request = URLRequest(url: endpoint, timeoutInterval: timeout)
        request.httpMethod = "POST"
        var form = [("query", promql)]
        if let time { form.append(("time", String(time.timeIntervalSince1970))) }
        // Prometheus stops evaluating once the client has gone anyway.
        form.append(("timeout", "\(Int(timeout))s"))
        request.httpBody = Data(form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&").utf8)
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let authorization = try connection.credentials.authorizationHeader() {
            request.setValue(authorization, forHTTPHeaderField: "Authorization")
        }
        return request
    }

    private static let formSafe = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    private static func formEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: formSafe) ?? ""
    }
}
