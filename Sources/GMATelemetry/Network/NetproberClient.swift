import Foundation
import GMAControl

/// One network measurement, in SI units and unrounded (docs/differences.md D20: the reference truncated to whole ms/Mbps):
/// the same values the loop uses as its network conditions.
public typealias NetworkMeasurement = NetworkConditions

/// Anything that can measure the cloud–edge link (the net prober, or a stand-in in tests).
public protocol NetworkProbe: Sendable {
    func measure() async throws -> NetworkMeasurement
}

public enum NetproberError: Error, Sendable, Equatable, CustomStringConvertible {
    case transport(url: String, message: String)
    /// The prober's own failure report (`{"error": …}` with HTTP 500), or any other status.
    case httpStatus(url: String, status: Int, message: String?)
    case malformedResponse(url: String, detail: String)

    public var description: String {
        switch self {
        case .transport(let url, let message): "net prober \(url) unreachable: \(message)"
        case .httpStatus(let url, let status, let message):
            "net prober \(url) answered HTTP \(status)" + (message.map { ": \($0)" } ?? "")
        case .malformedResponse(let url, let detail): "net prober \(url): \(detail)"
        }
    }
}

/// Client of the net prober's `GET /get` (docs/telemetry.md §8). The URL is used as configured, query
/// string included (`server_ip`, `bandwidth_mbps`, `duration`, …).
///
/// The prober answers numbers: bit/s for both directions (one value for both in the reference's prober, docs/differences.md D21) and the
/// RTT in milliseconds.
public final class NetproberClient: NetworkProbe {
    public let url: URL
    /// Deadline for the whole exchange, the probe's run included.
    public let timeoutSeconds: Double
    /// The prober answers three numbers; anything much longer is not its answer.
    public static let maxAnswerBytes = 64 << 10

    /// `timeoutSeconds` must exceed the probe's own `duration`: the prober answers only after iperf3 ends.
    public init(url: URL, timeoutSeconds: Double = 10) {
        self.url = url
        self.timeoutSeconds = timeoutSeconds
    }

    public func measure() async throws -> NetworkMeasurement {
        try await probe()
    }

    /// The same as `measure()`, with the error type spelled out.
    public func probe() async throws(NetproberError) -> NetworkMeasurement {
        let where_ = url.absoluteString
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
            throw .transport(url: where_, message: "not an http(s) URL")
        }
        let request = OutgoingHTTPRequest(
            url: url, method: .get, headers: ["Accept: application/json"], deadlineSeconds: timeoutSeconds,
            maxBodyBytes: Self.maxAnswerBytes)
        let body: Data
        let status: Int
        switch await HTTPTransport.perform(request) {
        case .answer(let code, let data):
            body = data
            status = code
        case .failed(let failure):
            throw .transport(url: where_, message: failure.message)
        }
        guard status == 200 else {
            let message = (try? JSONDecoder().decode(ErrorBody.self, from: body))?.error
            throw .httpStatus(url: where_, status: status, message: message)
        }
        let reply: Reply
        do {
            reply = try JSONDecoder().decode(Reply.self, from: body)
        } catch {
            throw .malformedResponse(url: where_, detail: "expected numbers cloud-edge-bps, edge-cloud-bps, edge-cloud-rtt")
        }
        if let duplicate = JSONDuplicateKeys.first(in: body) { throw .malformedResponse(url: where_, detail: duplicate) }
        // A zero bit rate would divide by zero in the model; a negative RTT is nonsense.
        guard reply.cloudEdge.isFinite, reply.cloudEdge > 0, reply.edgeCloud.isFinite, reply.edgeCloud > 0 else {
            throw .malformedResponse(url: where_, detail: "bit rates must be positive")
        }
        guard reply.rttMilliseconds.isFinite, reply.rttMilliseconds >= 0 else {
            throw .malformedResponse(url: where_, detail: "RTT must be a non-negative number")
        }
        return NetworkMeasurement(
            rttSeconds: reply.rttMilliseconds / 1000, cloudToEdgeBitsPerSecond: reply.cloudEdge,
            edgeToCloudBitsPerSecond: reply.edgeCloud)
    }

    private struct Reply: Decodable {
        var cloudEdge: Double
        var edgeCloud: Double
        var rttMilliseconds: Double

        enum CodingKeys: String, CodingKey {
            case cloudEdge = "cloud-edge-bps"
            case edgeCloud = "edge-cloud-bps"
            case rttMilliseconds = "edge-cloud-rtt"
        }
    }

    private struct ErrorBody: Decodable {
        var error: String
    }
}
