import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One entry of the net prober's allow-list: a host (IP address, CIDR prefix or DNS name) and a port.
///
/// Written `HOST[:PORT]`: `10.236.97.127`, `10.236.0.0/16:5201`, `[fd00::/64]:5201`, `iperf.edge1.svc:5201`;
/// the port defaults to 5201 (iperf3's). A request's `server_ip` matches an IP or prefix entry only when it
/// is itself an address, and a name entry only by the same name: the prober resolves nothing to decide.
public struct ProbeTargetRule: Sendable, Equatable, CustomStringConvertible {
    enum Host: Sendable, Equatable {
        /// Address bytes (4 or 16) and the prefix length that must match.
        case network(bytes: [UInt8], prefixLength: Int)
        case name(String)
    }

    let host: Host
    public let port: Int
    /// The host part, without brackets or port (`10.236.0.0/16`, `fd00::5`, `iperf.edge1.svc`).
    public let hostText: String
    /// As the operator wrote it (for messages).
    public let text: String

    public static let defaultPort = 5201

    public init(parsing text: String) throws {
        let (hostText, port) = try Self.splitPort(text)
        self.text = text
        self.port = port
        self.hostText = hostText
        if let slash = hostText.firstIndex(of: "/") {
            let addressText = String(hostText[..<slash])
            guard let bytes = Self.addressBytes(addressText), let length = Int(hostText[hostText.index(after: slash)...]),
                (0...(bytes.count * 8)).contains(length)
            else { throw ProbeTargetRuleError(text: text) }
            host = .network(bytes: bytes, prefixLength: length)
        } else if let bytes = Self.addressBytes(hostText) {
            host = .network(bytes: bytes, prefixLength: bytes.count * 8)
        } else {
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
            let name = hostText.lowercased()
            guard !name.isEmpty, name.count <= 253, !name.hasPrefix("-"), name.allSatisfy({ allowed.contains($0) }) else {
                throw ProbeTargetRuleError(text: text)
            }
            host = .name(name)
        }
    }

    public var description: String { text }

    /// One host, not a prefix of several: what `--iperf3-server` must name.
    public var isSingleHost: Bool {
        if case .network(let bytes, let length) = host { return length == bytes.count * 8 }
        return true
    }

    /// Whether a probe of `host` (a `server_ip` value) on `port` is allowed by this entry.
    public func allows(host requested: String, port requestedPort: Int) -> Bool {
        guard requestedPort == port else { return false }
        switch host {
        case .name(let name):
            return requested.lowercased() == name
        case .network(let bytes, let prefixLength):
            guard let address = Self.addressBytes(requested), address.count == bytes.count else { return false }
            return Self.prefixMatches(address, bytes, bits: prefixLength)
        }
    }

    static func prefixMatches(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        for bit in 0..<bits where (a[bit / 8] ^ b[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 {
            return false
        }
        return true
    }

    /// 4 bytes for IPv4, 16 for IPv6, nil for anything else.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// `[v6]:port`, `[v6]`, `host:port`, `host`, and a bare IPv6 address or prefix (two colons or more).
    private static func splitPort(_ text: String) throws -> (String, Int) {
        func port(_ digits: Substring) throws -> Int {
            guard let value = Int(digits), (1...65535).contains(value) else { throw ProbeTargetRuleError(text: text) }
            return value
        }
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw ProbeTargetRuleError(text: text) }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return (host, defaultPort) }
            guard rest.hasPrefix(":") else { throw ProbeTargetRuleError(text: text) }
            return (host, try port(rest.dropFirst()))
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") {
            return (String(text[..<colon]), try port(text[text.index(after: colon)...]))
        }
        return (text, defaultPort)
    }
}

public struct ProbeTargetRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var description: String {
        "'\(text)' is not a probe target: HOST[:PORT] with HOST an IP address, a CIDR prefix or a DNS name "
            + "(e.g. 10.236.97.127:5201, 10.236.0.0/16, [fd00::/64]:5201, iperf.edge1.svc)"
    }
}
