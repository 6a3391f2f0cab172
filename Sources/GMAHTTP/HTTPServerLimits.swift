/// The bounds every gma HTTP listener enforces; docs/reliability.md lists them with their defaults.
public struct HTTPServerLimits: Sendable, Equatable {
    /// The request line and header fields together; more is refused with 431 and the connection closed.
    public var maxHeaderBytes = 16 * 1024
    /// A request body (gma's APIs are GET-only, so any body is noise); more is refused with 413.
    public var maxBodyBytes = 64 * 1024
    /// A connection that has not sent a whole request head for this long, or idles between requests for
    /// this long, is closed. A request being answered is never cut by it.
    public var idleTimeoutSeconds = 10.0
    /// Open connections at most (each is one file descriptor and a few KB); beyond it new connections wait
    /// in the listen backlog until one closes.
    public var maxConnections = 512

    public init() {}
}
