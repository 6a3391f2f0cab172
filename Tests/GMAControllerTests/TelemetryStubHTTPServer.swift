import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A deliberately misbehaving HTTP/1.1 server on 127.0.0.1 for the error paths: each connection gets
/// the next scripted behaviour (the last one repeats).
final class StubHTTPServer: @unchecked Sendable {
    enum Behaviour: Sendable {
        case respond(status: Int, body: String, contentType: String = "application/json")
        /// Read the request, then say nothing until the server stops.
        case hang
        /// Close the connection without answering.
        case close
        /// A 200 whose head (with the body's true Content-Length) comes at once and whose body comes one
        /// byte per `interval` seconds, until it is sent, the client goes or the server stops.
        case dribble(body: String, interval: Double)
        /// A 200 without Content-Length (the body ends when the connection closes), sent in pieces of
        /// `chunkSize` bytes until it is sent or the client stops reading.
        case stream(body: String, chunkSize: Int)
    }

    let port: Int
    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }

    private let listener: Int32
    private let lock = NSLock()
    private var script: [Behaviour]
    private var served = 0
    private var requestTexts: [String] = []
    private var held: [Int32] = []
    private var stopped = false
    private var thread: Thread? = nil

    init(_ script: [Behaviour]) throws {
        precondition(!script.isEmpty)
        self.script = script
        let fd = try loopbackListener(backlog: 16)
        listener = fd
        port = try boundPort(fd)
        // Strong: the thread keeps the server alive until stop() ends the loop (an unowned self could be read
        // after deinit when accept() returns from the shutdown).
        let thread = Thread { [self] in acceptLoop() }
        self.thread = thread
        thread.start()
    }

    /// Connections accepted so far.
    var requestCount: Int { lock.withLock { served } }
    /// Raw request heads and bodies, to check what the client sent.
    var requests: [String] { lock.withLock { requestTexts } }

    /// Once: a second close(listener) would close whatever descriptor has that number by then.
    func stop() {
        let toClose: [Int32]? = lock.withLock {
            guard !stopped else { return nil }
            stopped = true
            let fds = held
            held = []
            return fds
        }
        guard let toClose else { return }
        // shutdown() wakes the accept() blocked in the server thread.
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in toClose { close(fd) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if lock.withLock({ stopped }) { return }
                continue
            }
            let behaviour: Behaviour = lock.withLock {
                let b = script[min(served, script.count - 1)]
                served += 1
                return b
            }
            let request = readRequest(fd)
            lock.withLock { requestTexts.append(request) }
            switch behaviour {
            case .respond(let status, let body, let contentType):
                let bytes = Array(body.utf8)
                let head =
                    "HTTP/1.1 \(status) Stub\r\nContent-Type: \(contentType)\r\nContent-Length: \(bytes.count)\r\nConnection: close\r\n\r\n"
                writeAll(fd, Array(head.utf8) + bytes)
                close(fd)
            case .hang:
                lock.withLock { held.append(fd) }
            case .close:
                close(fd)
            case .dribble(let body, let interval):
                Thread { [self] in dribble(fd, Array(body.utf8), interval: interval) }.start()
            case .stream(let body, let chunkSize):
                Thread { [self] in stream(fd, Array(body.utf8), chunkSize: chunkSize) }.start()
            }
        }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func dribble(_ fd: Int32, _ body: [UInt8], interval: Double) {
        defer { close(fd) }
        let head = "HTTP/1.1 200 Stub\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
        guard writeAll(fd, Array(head.utf8)) else { return }
        for byte in body {
            Thread.sleep(forTimeInterval: interval)
            if isStopped || !writeAll(fd, [byte]) { return }
        }
    }

    private func stream(_ fd: Int32, _ body: [UInt8], chunkSize: Int) {
        defer { close(fd) }
        let head = "HTTP/1.1 200 Stub\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        guard writeAll(fd, Array(head.utf8)) else { return }
        for start in stride(from: 0, to: body.count, by: max(1, chunkSize)) where !isStopped {
            if !writeAll(fd, Array(body[start..<min(body.count, start + chunkSize)])) { return }
        }
    }

    /// Head plus `Content-Length` bytes of body, so the client is never cut off mid-send.
    private func readRequest(_ fd: Int32) -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var expected: Int?
        while expected.map({ data.count < $0 }) ?? true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            data += buffer[0..<n]
            if expected == nil, let end = headEnd(data) {
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                expected = end + 4 + length
            }
        }
        return String(decoding: data, as: UTF8.self)
    }

    private func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// False when the peer has gone.
    @discardableResult
    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}
