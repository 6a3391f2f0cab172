import Foundation

/// What the operator lets the net prober do: which targets, for whom, how many probes and for how long.
/// Every bound is listed in docs/reliability.md, "HTTP server and net prober bounds".
public struct NetproberPolicy: Sendable {
    /// The iperf3 server probed when a request names none (`--iperf3-server`); it is always allowed.
    public var defaultTarget: ProbeTargetRule?
    /// Further targets a request may name (`--allow-target`); anything else is answered 403.
    public var allowedTargets: [ProbeTargetRule] = []
    /// When set, `/get` needs `Authorization: Bearer <token>` (else 401); `/healthz` and `/` stay open.
    public var bearerToken: String?
    /// Probes waiting behind the running one; more get 429 with `Retry-After`.
    public var maxWaitingProbes = 2
    /// A whole probe (both iperf3 directions and the ping) is stopped after this long: 504.
    public var maxProbeSeconds = 90.0
    /// The longest `duration` a request may ask for, per direction.
    public var maxDurationSeconds = 30
    public var maxPingCount = 50

    public init(defaultTarget: ProbeTargetRule? = nil, allowedTargets: [ProbeTargetRule] = []) {
        self.defaultTarget = defaultTarget
        self.allowedTargets = allowedTargets
    }

    /// `--iperf3-server HOST[:PORT]`: an IP address or DNS name, not a prefix.
    public static func defaultTarget(parsing text: String) throws -> ProbeTargetRule {
        let rule = try ProbeTargetRule(parsing: text)
        guard rule.isSingleHost else { throw ProbeTargetRuleError(text: text) }
        return rule
    }

    func allows(host: String, port: Int) -> Bool {
        ([defaultTarget].compactMap { $0 } + allowedTargets).contains { $0.allows(host: host, port: port) }
    }

    /// Reads a bearer token from a file (a mounted Secret): surrounding whitespace dropped, never empty.
    public static func readToken(file path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NetproberPolicyError("cannot read the token file \(path)")
        }
        guard data.count <= 4096 else { throw NetproberPolicyError("the token file \(path) is over 4096 bytes") }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, !token.contains(where: { $0.isWhitespace }) else {
            throw NetproberPolicyError("the token file \(path) must hold one token (no spaces)")
        }
        return token
    }

    /// Whether `authorization` (the header's value) carries the token; compares every byte whatever the
    /// first difference, so the answer's timing does not tell how much of a guess was right.
    func authorizes(_ authorization: String?) -> Bool {
        guard let bearerToken else { return true }
        guard let authorization, authorization.hasPrefix("Bearer ") else { return false }
        let given = Array(authorization.dropFirst("Bearer ".count).utf8)
        let expected = Array(bearerToken.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }
}

public struct NetproberPolicyError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
