/// What one control-socket client may hold of the daemon (`socket.*` in the configuration,
/// `docs/protocol.md` "Limits"). One user flooding the socket is cut off at these bounds; the
/// others are served as usual.
public struct ConnectionLimits: Sendable, Equatable {
    /// Open connections in all (`socket.max_connections`).
    public var maxConnections: Int = 512
    /// Open connections of one Unix user (`socket.max_connections_per_user`). Root and the
    /// daemon's user count like anyone else.
    public var maxConnectionsPerUser: Int = 32
    /// Seconds a connection may stay open with no request in progress and nothing sent
    /// (`socket.idle_timeout`).
    public var idleTimeout: Double = 60
    /// Seconds from a request line's first byte to its newline (`socket.line_timeout`): a client
    /// sending one byte a second is cut off.
    public var lineTimeout: Double = 10
    /// Bytes of unfinished request lines held for all connections together
    /// (`socket.max_buffered`); one user may hold at most a quarter of it.
    public var maxBuffered: Int = 64 << 20

    public init() {}

    /// What one user may hold of `maxBuffered`.
    public var maxBufferedPerUser: Int { max(maxBuffered / 4, 1) }
}
