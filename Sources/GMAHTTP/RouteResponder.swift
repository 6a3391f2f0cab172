import Foundation
import HTTPTypes
import Hummingbird

/// Turns Hummingbird's requests into `RouteRequest`s for exact-path GET routes, and the answers back.
/// GET and HEAD only (else 405); an unknown path gets 404; an undecodable target 400.
struct RouteResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let routes: [String: HTTPRoute]

    func respond(to request: Request, context: Context) async throws -> Response {
        let isHead = request.method == .head
        guard request.method == .get || isHead else {
            return Self.encode(.error("method \(request.method.rawValue) not allowed; only GET", status: 405), head: false)
        }
        guard let (path, query) = Self.decodeTarget(request.head.path ?? "") else {
            return Self.encode(.error("malformed request target", status: 400), head: isHead)
        }
        guard let route = routes[path] else {
            return Self.encode(.error("no such path: \(path)", status: 404), head: isHead)
        }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let routeRequest = RouteRequest(method: request.method.rawValue, path: path, query: query, headers: headers)
        let answer: RouteResponse
        if route.cancelledWhenClientLeaves {
            answer = try await request.body.consumeWithCancellationOnInboundClose { _ in
                await route.handler(routeRequest)
            }
        } else {
            answer = await route.handler(routeRequest)
        }
        return Self.encode(answer, head: isHead)
    }

    /// `/path?a=1&b=x%20y` → (`/path`, [a: 1, b: x y]); `+` in the query is a space. Nil when a part is not
    /// valid percent-encoding or the target is not a path.
    static func decodeTarget(_ target: String) -> (String, [String: String])? {
        guard target.hasPrefix("/") else { return nil }
        let (rawPath, rawQuery) =
            target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) }
            ?? (target, "")
        guard let path = rawPath.removingPercentEncoding else { return nil }
        var query: [String: String] = [:]
        for pair in rawQuery.split(separator: "&") where !pair.isEmpty {
            let (name, value) =
                pair.firstIndex(of: "=").map { (pair[..<$0], pair[pair.index(after: $0)...]) } ?? (pair[...], ""[...])
            let decode = { (s: Substring) in s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard let key = decode(name), let text = decode(value) else { return nil }
            query[key] = text
        }
        return (path, query)
    }

    /// A HEAD answer keeps the GET answer's `Content-Length` and drops the body.
    static func encode(_ answer: RouteResponse, head: Bool) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        for (name, value) in answer.headers.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        fields[.contentLength] = String(answer.body.count)
        let status = HTTPResponse.Status(code: answer.status)
        guard !head else { return Response(status: status, headers: fields) }
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
