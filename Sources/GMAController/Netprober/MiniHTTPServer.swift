import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One parsed HTTP request: only what a GET-only server needs.
public struct HTTPRequest: Sendable, Equatable {
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

/// What a route handler answers. The server adds `Content-Length` and `Connection: close`.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: Data

    public init(status: Int, contentType: String, body: Data) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Data(text.utf8))
    }

    /// A JSON object, keys sorted so answers are stable.
    public static func json(_ object: [String: Any], status: Int = 200) -> HTTPResponse {
        let body =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return HTTPResponse(status: status, contentType: "application/json", body: body + Data("\n".utf8))
    }

    /// `{"error": message}`, the reference net prober's error shape.
    public static func error(_ message: String, status: Int) -> HTTPResponse {
        json(["error": message], status: status)
    }
}

/// A route handler. It runs on the server's connection thread's behalf, so it may take seconds (the net
/// prober runs iperf3 inside one).
public typealias HTTPHandler = @Sendable (HTTPRequest) async -> HTTPResponse
/// A handler answered on the connection's own thread: for cheap answers (metrics, health) that must not wait for
/// the Swift concurrency pool, which a busy process (a solve, blocking work) can keep occupied.
public typealias HTTPImmediateHandler = @Sendable (HTTPRequest) -> HTTPResponse

public enum MiniHTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case socket(call: String, errno: Int32)
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidAddress(let text): "'\(text)' is not HOST:PORT with an IPv4 host (e.g. 0.0.0.0:5001)"
        case .socket(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        case .alreadyStarted: "the server is already started"
        }
    }
}

/// A tiny HTTP/1.1 server over POSIX sockets, for the net prober's API and, later, `/metrics` and
/// `/healthz` of `gma run`.
///
/// * GET (and HEAD) only; other methods get 405. Exact-path routes; anything else gets 404.
/// * One request per connection (`Connection: close`); no keep-alive, no chunked bodies, no TLS.
/// * The request head is bounded (`maxHeaderBytes`, else 431) and must arrive within `readTimeoutSeconds`
///   (else the connection is closed, with 408 if anything was read).
/// * At most `maxConnections` requests are served at once; more get 503 at once.
/// * `stop()` closes the listening socket and waits for the requests in flight.
///
/// Each connection is served on its own thread (blocking reads with `SO_RCVTIMEO`), so a slow client or a
/// slow handler never occupies Swift's cooperative thread pool.
public final class MiniHTTPServer: @unchecked Sendable {
    public struct Options: Sendable {
        public var maxHeaderBytes: Int = 16 * 1024
        public var readTimeoutSeconds: Double = 10
        public var writeTimeoutSeconds: Double = 10
        public var maxConnections: Int = 32
        public var backlog: Int32 = 64
        public init() {}
    }

    public let host: String
    public let requestedPort: UInt16
    public let options: Options
    private let routes: [String: HTTPHandler]
    private let immediateRoutes: [String: HTTPImmediateHandler]

    private let lock = NSLock()
    private var listener: Int32 = -1
    private var boundPort: UInt16 = 0
    private var active = 0
    private var stopping = false
    private var stopped = false
    private let acceptDone = DispatchSemaphore(value: 0)
    private let idle = NSCondition()

    /// `routes` maps an exact path (`/get`) to its handler; `immediateRoutes` to a synchronous one.
    public init(
        host: String = "127.0.0.1", port: UInt16 = 0, routes: [String: HTTPHandler] = [:],
        immediateRoutes: [String: HTTPImmediateHandler] = [:], options: Options = Options()
    ) {
        self.host = host
        self.requestedPort = port
        self.routes = routes
        self.immediateRoutes = immediateRoutes
        self.options = options
    }

    /// `HOST:PORT` as given to `--listen` (IPv4 only; `0.0.0.0` for every interface).
    public convenience init(
        listen: String, routes: [String: HTTPHandler] = [:], immediateRoutes: [String: HTTPImmediateHandler] = [:],
        options: Options = Options()
    ) throws {
        guard let colon = listen.lastIndex(of: ":"), let port = UInt16(listen[listen.index(after: colon)...]) else {
            throw MiniHTTPServerError.invalidAddress(listen)
        }
        let host = String(listen[..<colon])
        var probe = in_addr()
        guard inet_pton(AF_INET, host, &probe) == 1 else { throw MiniHTTPServerError.invalidAddress(listen) }
        self.init(host: host, port: port, routes: routes, immediateRoutes: immediateRoutes, options: options)
    }

    /// The port actually bound (the kernel's pick when asked for 0); 0 before `start()`.
    public var port: Int { lock.withLock { Int(boundPort) } }

    /// Binds, listens, and starts accepting on a background thread. Returns once the socket listens.
    public func start() throws {
        try lock.withLock {
            guard listener < 0, !stopping else { throw MiniHTTPServerError.alreadyStarted }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw MiniHTTPServerError.socket(call: "socket", errno: errno) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = requestedPort.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(fd)
                throw MiniHTTPServerError.invalidAddress("\(host):\(requestedPort)")
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                let code = errno
                close(fd)
                throw MiniHTTPServerError.socket(call: "bind \(host):\(requestedPort)", errno: code)
            }
            guard listen(fd, options.backlog) == 0 else {
                let code = errno
                close(fd)
                throw MiniHTTPServerError.socket(call: "listen", errno: code)
            }
            var actual = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &actual) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            listener = fd
            boundPort = UInt16(bigEndian: actual.sin_port)
        }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "gma-http-accept"
        thread.start()
    }

    /// Stops accepting, then waits for the requests in flight to finish. Safe to call more than once.
    ///
    /// The waiting happens on a plain thread: in-flight handlers are async and need Swift's cooperative
    /// threads, so a caller on one of those must not block while they finish.
    public func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                stopBlocking()
                continuation.resume()
            }
            thread.name = "gma-http-stop"
            thread.start()
        }
    }

    /// The synchronous `stop()`, for callers outside Swift concurrency (a plain thread, a signal source's
    /// queue, `deinit` of an owner). From a task, prefer `await stop()`: blocking a cooperative thread
    /// while in-flight handlers need one can stall them.
    public func stop() {
        stopBlocking()
    }

    /// Same as the synchronous `stop()`.
    public func stopBlocking() {
        let fd = lock.withLock { () -> Int32 in
            if stopping { return -1 }
            stopping = true
            if listener < 0 { stopped = true }  // never started
            return listener
        }
        guard fd >= 0 else { return }
        // shutdown() wakes the thread blocked in accept(); it then closes the socket.
        shutdown(fd, Int32(SHUT_RDWR))
        acceptDone.wait()
        idle.lock()
        while lock.withLock({ active }) > 0 { idle.wait() }
        idle.unlock()
        lock.withLock { stopped = true }
    }

    /// Returns once `stop()` has finished (for a command that serves until a signal).
    public func waitUntilStopped() async {
        while !(lock.withLock { stopped }) {
            try? await Task.sleep(nanoseconds: 200_000_000)
        }
    }

    deinit {
        // Only reachable when the accept thread is gone (it holds the server), i.e. never started or stopped.
        if listener >= 0 { close(listener) }
    }

    // MARK: accepting

    private func acceptLoop() {
        let fd = lock.withLock { listener }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                if lock.withLock({ stopping }) { break }
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    usleep(50_000)  // out of descriptors: back off instead of spinning
                    continue
                }
                if errno == ECONNABORTED || errno == EPROTO { continue }
                break
            }
            var noSigPipe: Int32 = 1
            #if canImport(Darwin)
                setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &noSigPipe, socklen_t(MemoryLayout<Int32>.size))
            #else
                _ = noSigPipe
            #endif
            setTimeout(client, SO_RCVTIMEO, options.readTimeoutSeconds)
            setTimeout(client, SO_SNDTIMEO, options.writeTimeoutSeconds)
            let admitted = lock.withLock { () -> Bool in
                guard active < options.maxConnections else { return false }
                active += 1
                return true
            }
            guard admitted else {
                send(client, Self.encode(.error("too many requests in flight", status: 503), head: false))
                close(client)
                continue
            }
            let worker = Thread { [self] in
                serve(client)
                lingeringClose(client)
                idle.lock()
                lock.withLock { active -= 1 }
                idle.broadcast()
                idle.unlock()
            }
            worker.name = "gma-http-conn"
            worker.start()
        }
        lock.withLock {
            close(listener)
            listener = -1
        }
        acceptDone.signal()
    }

    private func setTimeout(_ fd: Int32, _ option: Int32, _ seconds: Double) {
        var value = timeval(tv_sec: .init(seconds.rounded(.down)), tv_usec: .init((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    // MARK: one connection

    /// Half-closes, then discards what the client still sends (bounded by the read timeout and 64 KiB), so
    /// that closing with unread input does not reset the connection before the client reads the answer.
    private func lingeringClose(_ fd: Int32) {
        shutdown(fd, Int32(SHUT_WR))
        var chunk = [UInt8](repeating: 0, count: 4096)
        var drained = 0
        while drained < 64 * 1024 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                drained += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fd)
    }

    private func serve(_ fd: Int32) {
        let head: String
        switch readHead(fd) {
        case .head(let text): head = text
        case .tooLarge:
            send(fd, Self.encode(.error("request header larger than \(options.maxHeaderBytes) bytes", status: 431), head: false))
            return
        case .timedOut(let readSomething):
            if readSomething { send(fd, Self.encode(.error("request header not received in time", status: 408), head: false)) }
            return
        case .closed:
            return
        }
        guard let request = Self.parse(head) else {
            send(fd, Self.encode(.error("malformed request", status: 400), head: false))
            return
        }
        let isHead = request.method == "HEAD"
        let response: HTTPResponse
        if request.method != "GET" && !isHead {
            response = .error("method \(request.method) not allowed; only GET", status: 405)
        } else if let handler = immediateRoutes[request.path] {
            response = handler(request)
        } else if let handler = routes[request.path] {
            response = Self.runBlocking { await handler(request) }
        } else {
            response = .error("no such path: \(request.path)", status: 404)
        }
        send(fd, Self.encode(response, head: isHead))
    }

    private enum HeadRead {
        case head(String)
        case tooLarge
        case timedOut(readSomething: Bool)
        case closed
    }

    /// Reads up to the blank line that ends the request head. A GET has no body, so nothing after it matters.
    private func readHead(_ fd: Int32) -> HeadRead {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(options.readTimeoutSeconds)
        while true {
            if let end = Self.endOfHead(buffer) {
                if end > options.maxHeaderBytes { return .tooLarge }
                return .head(String(decoding: buffer[..<end], as: UTF8.self))
            }
            if buffer.count > options.maxHeaderBytes { return .tooLarge }
            if Date() > deadline { return .timedOut(readSomething: !buffer.isEmpty) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[..<n])
            } else if n == 0 {
                return .closed
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return .timedOut(readSomething: !buffer.isEmpty)
            } else {
                return .closed
            }
        }
    }

    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 10 {
            if bytes[i - 1] == 10 { return i - 1 }  // bare LF LF
            if i >= 3, bytes[i - 1] == 13, bytes[i - 2] == 10, bytes[i - 3] == 13 { return i - 3 }
        }
        return nil
    }

    /// Parses `METHOD TARGET HTTP/x.y` and the header lines.
    static func parse(_ head: String) -> HTTPRequest? {
        var lines = head.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { return nil }
        let parts = first.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else { return nil }
        let method = String(parts[0])
        guard !method.isEmpty, method.allSatisfy({ $0.isASCII && $0.isUppercase }) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            guard !name.isEmpty else { return nil }
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = String(parts[1])
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
        return HTTPRequest(method: method, path: path, query: query, headers: headers)
    }

    static func encode(_ response: HTTPResponse, head: Bool) -> Data {
        var text = "HTTP/1.1 \(response.status) \(reason(response.status))\r\n"
        text += "Content-Type: \(response.contentType)\r\n"
        text += "Content-Length: \(response.body.count)\r\n"
        text += "Connection: close\r\n\r\n"
        var data = Data(text.utf8)
        if !head { data.append(response.body) }
        return data
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }

    private func send(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                #if canImport(Glibc)
                    let n = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #else
                    let n = Darwin.send(fd, raw.baseAddress! + offset, raw.count - offset, 0)
                #endif
                if n > 0 {
                    offset += n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // peer gone or write timeout
                }
            }
        }
    }

    /// Runs an async handler from a plain (non-cooperative) thread and waits for its answer.
    private static func runBlocking(_ body: @escaping @Sendable () async -> HTTPResponse) -> HTTPResponse {
        let box = ResponseBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value ?? .error("handler produced no answer", status: 500)
    }
}

private final class ResponseBox: @unchecked Sendable {
    var value: HTTPResponse?
}
