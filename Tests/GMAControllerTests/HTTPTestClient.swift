import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A blocking TCP client for the HTTP server tests: raw bytes in, raw bytes out, IPv4 or IPv6. Every read
/// has a receive timeout (a hang guard, not a timing assertion), so a test fails instead of hanging.
final class HTTPTestClient: @unchecked Sendable {
    let fd: Int32

    /// Connects to `host` (an IPv4 or IPv6 literal) on `port`.
    init(host: String = "127.0.0.1", port: Int, hangGuardSeconds: Int = 120) throws {
        let isV6 = host.contains(":")
        fd = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TelemetryFixtureError(description: "socket() failed") }
        var timeout = timeval(tv_sec: hangGuardSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = UInt16(port).bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr(host)
            connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        // No close here: the object is whole, so deinit runs when init throws and closes fd (twice would close
        // whatever descriptor the process opened under that number in between).
        guard connected == 0 else { throw TelemetryFixtureError(description: "connect() to \(host):\(port) failed") }
    }

    deinit { close(fd) }

    /// Sends all of `text`; stops early (returning false) if the server closes first.
    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Everything until the server closes (or the hang guard passes).
    func readToEnd() -> String {
        var output = [UInt8]()
        while let chunk = readChunk() { output += chunk }
        return String(decoding: output, as: UTF8.self)
    }

    /// One response whose body length is in `Content-Length` (none for a HEAD request): the connection
    /// stays open after it.
    func readResponse(toHead: Bool = false) -> String? {
        var output = [UInt8]()
        while true {
            let text = String(decoding: output, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if toHead { return text }
                if output.count >= text[..<end.upperBound].utf8.count + length { return text }
            }
            guard let chunk = readChunk() else { return output.isEmpty ? nil : text }
            output += chunk
        }
    }

    /// Whether the server ended the connection (end of stream or a reset), whatever it sent first; false when the
    /// hang guard ran out with the connection still open.
    func serverClosed() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { continue }
            return n == 0 || errno == ECONNRESET
        }
    }

    private func readChunk() -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(chunk[..<n]) : nil
    }

    /// Runs blocking socket work on a plain thread: the server's handlers need Swift's cooperative threads.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// One request on a fresh connection, the whole answer until the server closes or answers.
    static func exchange(host: String = "127.0.0.1", port: Int, _ request: String) async throws -> String {
        try await offPool {
            let client = try HTTPTestClient(host: host, port: port)
            client.send(request)
            return client.readResponse(toHead: request.hasPrefix("HEAD ")) ?? ""
        }
    }

    static func statusLine(_ response: String) -> String {
        String(response.split(separator: "\r\n", maxSplits: 1).first ?? "")
    }
}

/// The kernel's table of listening TCP sockets (Linux `/proc/net/tcp*`): lets a test wait for the event
/// "a server listens on port P" without connecting to it.
enum TCPListeners {
    static func isListening(port: Int) -> Bool {
        let portHex = String(format: ":%04X", port)
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                // local_address is field 1 (ADDR:PORT in hex), st is field 3; 0A is LISTEN.
                if fields.count > 3, fields[1].hasSuffix(portHex), fields[3] == "0A" { return true }
            }
        }
        return false
    }

    /// Polls every 50 ms until something listens on `port`; false only after the hang guard.
    static func wait(forPort port: Int, hangGuardSeconds: Int) async -> Bool {
        for _ in 0..<(hangGuardSeconds * 20) {
            if isListening(port: port) { return true }
            try? await Task.sleep(nanoseconds: 50_000_000)
        }
        return isListening(port: port)
    }
}
