import Foundation

/// One request as a route handler sees it: only what a GET API needs.
public struct RouteRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query string, percent-decoded (`/get`).
    public var path: String
    /// Query parameters, percent-decoded; for a repeated name the last value wins.
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:]) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }
}

/// What a route handler answers. The server adds `Content-Length`, `Date` and the keep-alive handling.
public struct RouteResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: Data
    /// Extra header fields (`Retry-After`, `WWW-Authenticate`), name → value.
    public var headers: [String: String]

    public init(status: Int, contentType: String, body: Data, headers: [String: String] = [:]) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func text(_ text: String, status: Int = 200) -> RouteResponse {
        RouteResponse(status: status, contentType: "text/plain; charset=utf-8", body: Data(text.utf8))
    }

    /// A JSON object, keys sorted so answers are stable.
    public static func json(_ object: [String: Any], status: Int = 200) -> RouteResponse {
        let body =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return RouteResponse(status: status, contentType: "application/json", body: body + Data("\n".utf8))
    }

    /// `{"error": message}` on one line: the net prober's error shape, used for every refusal.
    public static func error(_ message: String, status: Int) -> RouteResponse {
        json(["error": message], status: status)
    }

    /// The same answer with one more header field.
    public func adding(header name: String, _ value: String) -> RouteResponse {
        var copy = self
        copy.headers[name] = value
        return copy
    }
}

/// An exact path and what answers it.
public struct HTTPRoute: Sendable {
    public var path: String
    /// When the client closes its connection before the answer, the handler's task is cancelled (a long
    /// measurement stops instead of running for nobody). Cheap answers leave it off.
    public var cancelledWhenClientLeaves: Bool
    public var handler: @Sendable (RouteRequest) async -> RouteResponse

    public init(
        _ path: String, cancelledWhenClientLeaves: Bool = false,
        handler: @escaping @Sendable (RouteRequest) async -> RouteResponse
    ) {
        self.path = path
        self.cancelledWhenClientLeaves = cancelledWhenClientLeaves
        self.handler = handler
    }
}
