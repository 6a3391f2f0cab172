import Foundation

/// `/metrics` (Prometheus text format), `/healthz` (the process answers) and `/readyz` (a telemetry cycle
/// has succeeded) on a small HTTP listener, loopback by default.
public final class ObservabilityEndpoints: @unchecked Sendable {
    private let server: MiniHTTPServer

    /// `address` is `HOST:PORT` (port 0 picks a free one).
    public init(address: String, metrics: ControllerMetrics) throws {
        // Answered on the server's own threads: a scrape must not wait behind a solve on the concurrency pool.
        let routes: [String: HTTPImmediateHandler] = [
            "/metrics": { _ in
                HTTPResponse(
                    status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                    body: Data(metrics.exposition().utf8))
            },
            "/healthz": { _ in .text("ok\n") },
            "/readyz": { _ in
                metrics.isReady ? .text("ready\n") : .text("no successful telemetry cycle yet\n", status: 503)
            },
        ]
        server = try MiniHTTPServer(listen: address, immediateRoutes: routes)
    }

    public func start() throws { try server.start() }

    public var port: Int { server.port }

    public func stop() { server.stop() }
}
