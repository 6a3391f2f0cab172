import Foundation
import GMAControl

/// How gma authenticates to Prometheus. Secrets live in files so that they never appear in a config,
/// a log line or a `description`; they are read at every request so that a rotated token is picked up.
public enum PrometheusCredentials: Sendable, Equatable, CustomStringConvertible {
    case none
    /// `Authorization: Bearer <file contents, trimmed>`.
    case bearerTokenFile(String)
    /// HTTP basic auth with the password read from a file.
    case basic(username: String, passwordFile: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .bearerTokenFile(let path): "bearer token from \(path)"
        case .basic(let username, let path): "basic auth as \(username), password from \(path)"
        }
    }

    /// The `Authorization` header value, or nil when no credentials are configured.
    func authorizationHeader() throws(PrometheusError) -> String? {
        switch self {
        case .none:
            return nil
        case .bearerTokenFile(let path):
            return "Bearer " + (try Self.secret(at: path))
        case .basic(let username, let path):
            let pair = username + ":" + (try Self.secret(at: path))
            return "Basic " + Data(pair.utf8).base64EncodedString()
        }
    }

    private static func secret(at path: String) throws(PrometheusError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .credentials(path: path, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .credentials(path: path, problem: "the file is not UTF-8")
        }
        let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty else { throw .credentials(path: path, problem: "the file is empty") }
        // A line break inside would let the file inject extra HTTP headers.
        guard !secret.contains(where: \.isNewline) else {
            throw .credentials(path: path, problem: "the secret spans several lines")
        }
        return secret
    }
}
