import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the two HTTP clients of telemetry share about URLSession on Linux.
enum HTTPTransport {
    /// swift-corelibs-foundation hands libcurl whole seconds, so 0.3 s would become an immediate timeout;
    /// round up instead, to at least one second.
    static func effectiveTimeout(_ seconds: Double) -> Double {
        max(1, seconds.rounded(.up))
    }

    static func session(timeoutSeconds: Double) -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        let timeout = effectiveTimeout(timeoutSeconds)
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }

    /// libcurl-backed errors print as bare codes ("NSURLErrorDomain error -1001"); say what happened.
    static func describe(_ error: any Error, timeoutSeconds: Double) -> String {
        guard let urlError = error as? URLError else { return "\(error)" }
        switch urlError.code {
        case .timedOut: return "timed out after \(effectiveTimeout(timeoutSeconds)) s"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "connection closed before an answer"
        case .notConnectedToInternet: return "network unreachable"
        case .cancelled: return "cancelled"
        default: return "URL error \(urlError.code.rawValue): \(urlError.localizedDescription)"
        }
    }
}
