import CCurl
import Foundation

/// One libcurl easy transfer: created, performed and cleaned up within `run()`, so nothing of it
/// outlives the exchange (no session, connection pool or callback queue kept between cycles).
///
/// Unchecked because libcurl's C callbacks reach the transfer through a raw context pointer, and the body they
/// fill is appended in place without a lock. It is safe: `cancelled` is the only state another thread
/// touches (`cancel()`), always under `lock`; `body` and `overCap` are written by the callbacks, which libcurl
/// calls synchronously on the thread inside `curl_easy_perform`, and read by `run()` on that same thread
/// after it returns — one transfer, one thread, and the easy handle never leaves `run()`.
final class CurlTransfer: @unchecked Sendable {
    private let request: OutgoingHTTPRequest
    private let lock = NSLock()
    private var cancelled = false
    /// Written only by libcurl's callbacks, on the thread inside `run()`.
    private var body = Data()
    private var overCap = false

    init(_ request: OutgoingHTTPRequest) {
        self.request = request
    }

    func cancel() {
        lock.withLock { cancelled = true }
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    func run() -> HTTPOutcome {
        CurlRuntime.start()
        guard let handle = curl_easy_init() else { return .failed(.other("libcurl could not start a transfer")) }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        // "Expect:" stops libcurl from waiting for a 100-continue on longer PromQL bodies.
        var lines = request.headers + ["Expect:"]
        if case .post(_, let contentType) = request.method { lines.append("Content-Type: \(contentType)") }
        for line in lines {
            if let longer = curl_slist_append(headerList, line) { headerList = longer }
        }
        defer { curl_slist_free_all(headerList) }
        var errorText = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let code: CURLcode = errorText.withUnsafeMutableBufferPointer { errorBuffer in
            let context = Unmanaged.passUnretained(self).toOpaque()
            let deadline = max(1, Int((request.deadlineSeconds * 1000).rounded(.up)))
            _ = gma_curl_set_string(handle, CURLOPT_URL, request.url.absoluteString)
            _ = gma_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
            _ = gma_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
            _ = gma_curl_set_long(handle, CURLOPT_TIMEOUT_MS, deadline)
            _ = gma_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, deadline)
            _ = gma_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            // A declared Content-Length above the cap fails before any byte of the body is read.
            _ = gma_curl_set_size(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(request.maxBodyBytes))
            // Any encoding libcurl can undo; the cap applies to the decoded bytes, so a compressed bomb stops too.
            _ = gma_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "")
            _ = gma_curl_set_headers(handle, headerList)
            _ = gma_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress)
            _ = gma_curl_set_write_callback(handle, curlWrite)
            _ = gma_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
            _ = gma_curl_set_long(handle, CURLOPT_NOPROGRESS, 0)
            _ = gma_curl_set_progress_callback(handle, curlProgress)
            _ = gma_curl_set_pointer(handle, CURLOPT_XFERINFODATA, context)
            switch request.method {
            case .get:
                _ = gma_curl_set_long(handle, CURLOPT_HTTPGET, 1)
                return curl_easy_perform(handle)
            case .post(let payload, _):
                _ = gma_curl_set_long(handle, CURLOPT_POST, 1)
                _ = gma_curl_set_size(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count))
                return payload.withUnsafeBytes { bytes in
                    // COPYPOSTFIELDS copies, so the buffer need not outlive this closure.
                    _ = gma_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
                    return curl_easy_perform(handle)
                }
            }
        }
        guard code == CURLE_OK else {
            return .failed(failure(code, detail: String(decoding: errorText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        }
        var status = 0
        _ = gma_curl_response_code(handle, &status)
        guard status > 0 else { return .failed(.other("not an HTTP response")) }
        return .answer(status: status, body: body)
    }

    private func failure(_ code: CURLcode, detail: String) -> HTTPFailure {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timedOut(deadlineSeconds: request.deadlineSeconds)
        case CURLE_COULDNT_CONNECT: return .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: return .hostNotFound
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE: return .connectionClosed
        case CURLE_FILESIZE_EXCEEDED: return .tooLarge(limitBytes: request.maxBodyBytes)
        case CURLE_WRITE_ERROR where overCap: return .tooLarge(limitBytes: request.maxBodyBytes)
        case CURLE_ABORTED_BY_CALLBACK where isCancelled: return .cancelled
        default:
            let summary = String(cString: curl_easy_strerror(code))
            return .other(detail.isEmpty ? summary : "\(summary): \(detail)")
        }
    }

    /// Bytes of the body as they arrive; refusing them (a short count) makes libcurl stop the transfer.
    fileprivate func receive(_ bytes: UnsafeMutablePointer<CChar>?, count: Int) -> Int {
        guard count > 0 else { return 0 }
        guard let bytes, count <= request.maxBodyBytes - body.count else {
            overCap = true
            return 0
        }
        body.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: count)
        return count
    }

    fileprivate var shouldAbort: Bool { isCancelled }
}

/// libcurl's C callbacks: plain functions that find their transfer through the context pointer.
private func curlWrite(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?)
    -> Int
{
    guard let context else { return 0 }
    let (total, overflow) = size.multipliedReportingOverflow(by: count)
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().receive(data, count: overflow ? Int.max : total)
}

private func curlProgress(
    _ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t, _ uploadTotal: curl_off_t,
    _ uploaded: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    return Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue().shouldAbort ? 1 : 0
}

/// `curl_global_init` once per process, before the first transfer (it is not safe to race).
enum CurlRuntime {
    private static let started: Bool = gma_curl_global_init() == CURLE_OK

    static func start() {
        _ = started
    }
}
