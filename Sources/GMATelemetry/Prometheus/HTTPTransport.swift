import Foundation
import GMAConfig

/// One HTTP exchange of telemetry (a Prometheus query, a net-prober probe).
///
/// Both bounds are hard: `deadlineSeconds` covers the whole exchange — name lookup, connection, request
/// and every byte of the answer — so a server that accepts and never answers, or dribbles its answer a
/// byte at a time, costs at most the deadline; `maxBodyBytes` caps what is kept in memory. Redirects are
/// not followed (a credential must not travel to another host); only http and https are spoken.
struct OutgoingHTTPRequest: Sendable {
    enum Method: Sendable {
        case get
        case post(body: Data, contentType: String)
    }

    var url: URL
    var method: Method
    /// Complete header lines, `Name: value`.
    var headers: [String] = []
    var deadlineSeconds: Double
    var maxBodyBytes: Int
}

/// Why an exchange gave no answer.
enum HTTPFailure: Sendable, Equatable {
    case timedOut(deadlineSeconds: Double)
    case connectionRefused
    case hostNotFound
    case connectionClosed
    /// The body passed `maxBodyBytes`; the transfer was stopped there.
    case tooLarge(limitBytes: Int)
    case cancelled
    case other(String)

    var message: String {
        switch self {
        case .timedOut(let seconds): "timed out: no complete answer within \(secondsText(seconds)) s"
        case .connectionRefused: "connection refused"
        case .hostNotFound: "host not found"
        case .connectionClosed: "connection closed before a complete answer"
        case .tooLarge(let limit): "answer larger than \(limit) bytes"
        case .cancelled: "cancelled"
        case .other(let text): text
        }
    }

    /// Whether another attempt may succeed: the same oversized answer would come again, and a caller
    /// that cancelled has gone.
    var isRetryable: Bool {
        switch self {
        case .tooLarge, .cancelled: false
        case .timedOut, .connectionRefused, .hostNotFound, .connectionClosed, .other: true
        }
    }
}

enum HTTPOutcome: Sendable {
    case answer(status: Int, body: Data)
    case failed(HTTPFailure)
}

/// libcurl, driven directly (the `CCurl` module): its whole-transfer timeout is in milliseconds and its
/// write callback lets gma stop an answer at the byte cap. URLSession on Linux rounded timeouts up to
/// whole seconds, bounded only the idle time between bytes, and buffered any answer size — see
/// `docs/reliability.md` ("Bounds").
enum HTTPTransport {
    /// Runs the exchange on a thread of its own (libcurl's easy interface blocks), so the cooperative
    /// pool is never held; the thread ends with the exchange. Cancelling the task aborts the transfer at
    /// libcurl's next progress callback (at least once a second, usually far more often).
    static func perform(_ request: OutgoingHTTPRequest) async -> HTTPOutcome {
        let transfer = CurlTransfer(request)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<HTTPOutcome, Never>) in
                let thread = Thread { continuation.resume(returning: transfer.run()) }
                thread.name = "gma-http"
                thread.start()
            }
        } onCancel: {
            transfer.cancel()
        }
    }
}
