import Foundation
import GMAHTTP

/// `/metrics` (Prometheus text format), `/healthz` (the process answers) and `/readyz` (a telemetry cycle
/// has succeeded) on gma's bounded HTTP listener, loopback by default.
public final class ObservabilityEndpoints: Sendable {
    public let server: BoundedHTTPServer

    /// `address` is `HOST:PORT` or `[V6HOST]:PORT` (port 0 picks a free one).
    public init(address: String, metrics: ControllerMetrics, limits: HTTPServerLimits = HTTPServerLimits()) throws {
        server = BoundedHTTPServer(
            address: try HTTPListenAddress(parsing: address), routes: Self.routes(metrics), limits: limits)
    }

    static func routes(_ metrics: ControllerMetrics) -> [HTTPRoute] {
        [
            HTTPRoute("/metrics") { _ in
                RouteResponse(
                    status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: Data(metrics.exposition().utf8))
            },
            HTTPRoute("/healthz") { _ in .text("ok\n") },
            HTTPRoute("/readyz") { _ in
                metrics.isReady ? .text("ready\n") : .text("no successful telemetry cycle yet\n", status: 503)
            },
        ]
    }

    /// Binds and serves in the background; returns the bound port.
    @discardableResult
    public func start() async throws -> Int { try await server.start() }

    /// The bound port; 0 before `start()`.
    public var port: Int { server.port ?? 0 }

    /// Stops listening; the answers in flight finish.
    public func stop() async { await server.stop() }
}
