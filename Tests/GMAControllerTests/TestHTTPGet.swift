import Foundation
@testable import GMATelemetry

/// GET for tests, through gma's own libcurl transport rather than URLSession: Foundation's URLSession on Linux
/// has closed descriptors it did not own (a known corelibs bug), and in a process that also runs
/// swift-subprocess, a descriptor closed under it is a crash (it treats EBADF on close as fatal).
enum TestHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func get(_ url: URL, timeoutSeconds: Double = 120) async throws -> (status: Int, body: Data) {
        let request = OutgoingHTTPRequest(url: url, method: .get, deadlineSeconds: timeoutSeconds, maxBodyBytes: 64 << 20)
        switch await HTTPTransport.perform(request) {
        case .answer(let status, let body): return (status, body)
        case .failed(let failure): throw Failure(description: "GET \(url): \(failure.message)")
        }
    }
}
