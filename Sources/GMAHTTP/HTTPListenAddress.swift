import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a listener binds: an IP address (v4 or v6) and a port, from `HOST:PORT` or `[V6HOST]:PORT`.
public struct HTTPListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    /// 0 lets the kernel pick a free port.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:9464`, `0.0.0.0:5001`, `[::]:5001`, `[fd00::5]:0`. Host names are refused: the operator
    /// names the interface, no resolver picks one.
    public init(parsing text: String) throws {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw HTTPListenAddressError(text: text)
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            // An IPv6 host needs brackets: `::1:80` could be read two ways.
            guard let colon = text.firstIndex(of: ":"), colon == text.lastIndex(of: ":") else {
                throw HTTPListenAddressError(text: text)
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard let port = Int(portText), (0...65535).contains(port), Self.isIPAddress(String(host)) else {
            throw HTTPListenAddressError(text: text)
        }
        self.init(host: String(host), port: port)
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

public struct HTTPListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "'\(text)' is not HOST:PORT with an IP address host (e.g. 0.0.0.0:5001, 10.0.0.7:5001 or [::]:5001)"
    }
}
