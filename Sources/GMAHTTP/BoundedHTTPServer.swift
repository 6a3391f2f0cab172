import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// gma's HTTP listener: exact-path GET routes served by Hummingbird on SwiftNIO, with the bounds of
/// `HTTPServerLimits` (docs/reliability.md, "HTTP server and net prober bounds").
///
/// Connections are event-driven (no thread per connection), HTTP/1.1 keep-alive, IPv4 or IPv6. A slow or
/// silent client holds one descriptor until the idle timeout and nothing else, so `/healthz` and
/// `/metrics` keep answering while others dribble.
///
/// Two ways to run it: as a `Service` in the command's `ServiceGroup` (graceful shutdown lets the requests
/// in flight finish), or `start()`/`stop()` for an owner without a group (tests, `gma run`'s endpoints).
public final class BoundedHTTPServer: Service, Sendable {
    public let address: HTTPListenAddress
    public let limits: HTTPServerLimits
    private let application: Application<RouteResponder>
    private let bound: NIOLockedValueBox<BindState>
    private let standalone = NIOLockedValueBox<StandaloneRun?>(nil)

    private struct BindState {
        var port: Int?
        var waiters: [CheckedContinuation<Int, any Error>] = []
    }

    private struct StandaloneRun {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    public init(
        address: HTTPListenAddress, routes: [HTTPRoute], limits: HTTPServerLimits = HTTPServerLimits(),
        logger: Logger = Logger(label: "gma.http")
    ) {
        self.address = address
        self.limits = limits
        let bound = NIOLockedValueBox(BindState())
        self.bound = bound
        var decoder = HTTP1Channel.Configuration.DecoderConfiguration()
        decoder.maxHeaderListSize = limits.maxHeaderBytes
        decoder.maxHeaderFieldSize = limits.maxHeaderBytes
        let channel = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestLimitHandler(limits: limits)],
            idleTimeout: .milliseconds(Int64(limits.idleTimeoutSeconds * 1000)),
            httpDecoderConfiguration: decoder)
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .notice)
        application = Application(
            responder: RouteResponder(routes: Dictionary(routes.map { ($0.path, $0) }, uniquingKeysWith: { $1 })),
            server: .http1(configuration: channel),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections, logger: quiet)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let waiters = bound.withLockedValue { state in
                    state.port = port
                    defer { state.waiters = [] }
                    return state.waiters
                }
                waiters.forEach { $0.resume(returning: port) }
            },
            logger: quiet)
    }

    /// The port actually bound (the kernel's pick when asked for 0); nil before the listener is up.
    public var port: Int? { bound.withLockedValue { $0.port } }

    /// Serves until graceful shutdown (the requests in flight finish) or cancellation. Throws when the
    /// address cannot be bound.
    public func run() async throws {
        do {
            try await application.run()
        } catch {
            failWaiters(error)
            throw error
        }
        failWaiters(HTTPServerStopped())
    }

    /// Waits until the listener is bound and returns its port; throws if `run()` failed first.
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let port = bound.withLockedValue { state -> Int? in
                if state.port == nil { state.waiters.append(continuation) }
                return state.port
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    private func failWaiters(_ error: any Error) {
        let waiters = bound.withLockedValue { state in
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(throwing: error) }
    }

    /// Runs the server in its own service group and returns its port once it listens.
    @discardableResult
    public func start() async throws -> Int {
        let group = ServiceGroup(
            configuration: .init(services: [self], gracefulShutdownSignals: [], logger: application.logger))
        let task = Task { try await group.run() }
        standalone.withLockedValue { $0 = StandaloneRun(group: group, task: task) }
        do {
            return try await boundPort()
        } catch {
            _ = await task.result
            throw error
        }
    }

    /// Stops a server started with `start()`: no new connections, the requests in flight finish. Safe to
    /// call more than once.
    public func stop() async {
        guard let run = standalone.withLockedValue({ $0 }) else { return }
        await run.group.triggerGracefulShutdown()
        _ = await run.task.result
    }
}

/// The server ended before it listened.
public struct HTTPServerStopped: Error, CustomStringConvertible {
    public var description: String { "the HTTP server stopped before it listened" }
}
