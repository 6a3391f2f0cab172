import Foundation
import GMAHTTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// gma's HTTP listener (Hummingbird): routing, query decoding, keep-alive, IPv6, stop, address checks.
/// The bounds under load are fault-matrix rows (FaultMatrixHTTPTests).
@Suite("HTTP server: routes, keep-alive, IPv6")
struct HTTPServerTests {
    static func server(host: String = "127.0.0.1", limits: HTTPServerLimits = HTTPServerLimits()) async throws
        -> BoundedHTTPServer
    {
        let server = BoundedHTTPServer(
            address: HTTPListenAddress(host: host, port: 0),
            routes: [
                HTTPRoute("/hello") { request in .text("hello \(request.query["name"] ?? "nobody")\n") },
                HTTPRoute("/json") { _ in .json(["answer-ms": 1.5]) },
                HTTPRoute("/busy") { _ in RouteResponse.error("come back", status: 429).adding(header: "Retry-After", "7") },
            ], limits: limits)
        try await server.start()
        return server
    }

    @Test func servesRoutesWithQueryDecodingAndAnswersErrorsForTheRest() async throws {
        let server = try await Self.server()
        let port = try #require(server.port)
        let hello = try await HTTPTestClient.exchange(port: port, "GET /hello?name=edge%20one&x=1 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(hello) == "HTTP/1.1 200 OK")
        #expect(hello.lowercased().contains("content-length: 15\r\n"))
        #expect(hello.hasSuffix("\r\n\r\nhello edge one\n"))
        let plus = try await HTTPTestClient.exchange(port: port, "GET /hello?name=a+b HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(plus.hasSuffix("hello a b\n"))
        let json = try await HTTPTestClient.exchange(port: port, "GET /json HTTP/1.0\r\n\r\n")
        #expect(json.lowercased().contains("content-type: application/json") && json.hasSuffix("{\"answer-ms\":1.5}\n"))
        let missing = try await HTTPTestClient.exchange(port: port, "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(missing) == "HTTP/1.1 404 Not Found")
        let post = try await HTTPTestClient.exchange(port: port, "POST /hello HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        #expect(HTTPTestClient.statusLine(post) == "HTTP/1.1 405 Method Not Allowed")
        let badEncoding = try await HTTPTestClient.exchange(port: port, "GET /hello?name=%zz HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(badEncoding) == "HTTP/1.1 400 Bad Request")
        let garbage = try await HTTPTestClient.exchange(port: port, "garbage\r\n\r\n")
        #expect(HTTPTestClient.statusLine(garbage) == "HTTP/1.1 400 Bad Request")
        let head = try await HTTPTestClient.exchange(port: port, "HEAD /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(head) == "HTTP/1.1 200 OK" && head.hasSuffix("\r\n\r\n"))
        #expect(head.lowercased().contains("content-length: 13\r\n"), "HEAD keeps GET's length: \(head)")
        let busy = try await HTTPTestClient.exchange(port: port, "GET /busy HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(HTTPTestClient.statusLine(busy).hasPrefix("HTTP/1.1 429") && busy.lowercased().contains("retry-after: 7\r\n"))
        await server.stop()
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        let server = try await Self.server()
        let port = try #require(server.port)
        let answers = try await HTTPTestClient.offPool { () -> [String] in
            let client = try HTTPTestClient(port: port)
            var answers: [String] = []
            for name in ["one", "two", "three"] {
                client.send("GET /hello?name=\(name) HTTP/1.1\r\nHost: a\r\n\r\n")
                answers.append(client.readResponse() ?? "")
            }
            return answers
        }
        #expect(answers.map { $0.hasSuffix("hello one\n") || $0.hasSuffix("hello two\n") || $0.hasSuffix("hello three\n") } == [true, true, true], "\(answers)")
        #expect(answers.last?.hasSuffix("hello three\n") == true)
        await server.stop()
    }

    @Test func listensOnIPv6() async throws {
        let server = try await Self.server(host: "::1")
        let port = try #require(server.port)
        let hello = try await HTTPTestClient.exchange(host: "::1", port: port, "GET /hello?name=v6 HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(hello.hasSuffix("hello v6\n"), "\(hello)")
        await server.stop()
    }

    @Test func aHalfSentRequestIsClosedAfterTheIdleTimeout() async throws {
        var limits = HTTPServerLimits()
        limits.idleTimeoutSeconds = 0.3
        let server = try await Self.server(limits: limits)
        let port = try #require(server.port)
        // Half a request, then silence: the server closes the connection (the client's receive timeout is
        // only a hang guard, and running out of it counts as not closed).
        let closed = try await HTTPTestClient.offPool {
            let client = try HTTPTestClient(port: port)
            client.send("GET /hello HTTP/1.1\r\nHost:")
            return client.serverClosed()
        }
        #expect(closed)
        await server.stop()
    }

    @Test func stopClosesTheListenerAndIsIdempotent() async throws {
        let server = try await Self.server()
        let port = try #require(server.port)
        #expect((try? HTTPTestClient(port: port)) != nil)
        await server.stop()
        await server.stop()
        #expect((try? HTTPTestClient(port: port)) == nil)
    }

    @Test func aTakenPortIsAnErrorNotAHang() async throws {
        let first = try await Self.server()
        let port = try #require(first.port)
        let second = BoundedHTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: port), routes: [])
        await #expect(throws: (any Error).self) { try await second.start() }
        await first.stop()
    }

    @Test func listenAddressIsValidated() throws {
        for bad in ["localhost:80", "0.0.0.0", "1.2.3.4:70000", "[::1]", "::1:80", "[::1]80", ""] {
            #expect(throws: HTTPListenAddressError.self, "\(bad)") { try HTTPListenAddress(parsing: bad) }
        }
        #expect(try HTTPListenAddress(parsing: "127.0.0.1:0") == HTTPListenAddress(host: "127.0.0.1", port: 0))
        #expect(try HTTPListenAddress(parsing: "[::]:5001") == HTTPListenAddress(host: "::", port: 5001))
        #expect(HTTPListenAddress(host: "fd00::5", port: 80).description == "[fd00::5]:80")
    }
}
