import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The control socket: a Unix domain stream socket speaking newline-delimited JSON.
///
/// Contract (see `docs/protocol.md`):
/// - each request line gets exactly one response line, in order, on the same connection;
/// - a line over `maxLineBytes`, invalid UTF-8 or invalid JSON gets an error response and the
///   connection carries on; other connections never notice;
/// - the peer's identity comes from `SO_PEERCRED`, never from the request;
/// - on graceful shutdown the server stops accepting, closes idle connections, lets each busy
///   connection finish and answer its current request, then returns;
/// - no client holds more than `ConnectionLimits` allows: connections in all and per user
///   (refused with `too_many_connections`), bytes of unfinished lines (`too_busy`), time to
///   finish a line (`timeout`) and time idle; then its connection closes, and nobody else's.
public struct ControlServer: Service {
    /// Where to listen.
    public enum Endpoint: Sendable {
        /// Create the socket file at `path` with `mode`, owned by `group` when given.
        case path(String, mode: UInt16, group: String?)
        /// A listening socket inherited from systemd socket activation.
        case inherited(fd: Int32)
    }

    public static let defaultMaxLineBytes = 1 << 20

    let endpoint: Endpoint
    let handler: any ControlRequestHandler
    let logger: Logger
    let maxLineBytes: Int
    let budget: ConnectionBudget
    let group: MultiThreadedEventLoopGroup
    let onListening: @Sendable () -> Void
    private let registry = ConnectionRegistry()

    public init(
        endpoint: Endpoint, handler: any ControlRequestHandler, logger: Logger,
        maxLineBytes: Int = ControlServer.defaultMaxLineBytes, limits: ConnectionLimits = ConnectionLimits(),
        group: MultiThreadedEventLoopGroup = .singleton,
        onListening: @escaping @Sendable () -> Void = {}
    ) {
        self.endpoint = endpoint
        self.handler = handler
        self.logger = logger
        self.maxLineBytes = maxLineBytes
        self.budget = ConnectionBudget(limits: limits)
        self.group = group
        self.onListening = onListening
    }

    /// An accepted connection; `refusal` set when it is over the caps (it is told why and closed).
    typealias Connection = (channel: NIOAsyncChannel<LineFrame, ByteBuffer>, peer: PeerIdentity, refusal: ConnectionBudget.Refusal?)

    public func run() async throws {
        let server = try await bind()
        onListening()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        tasks.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            logger.info("control socket: stopping; finishing requests in progress", metadata: ["connections": "\(registry.count)"])
            registry.shutdown()
            server.channel.close(promise: nil)
        }
        if case .path(let path, _, _) = endpoint { unlink(path) }
        logger.info("control socket: closed")
    }

    private func bind() async throws -> NIOAsyncChannel<Connection, Never> {
        let maxLine = maxLineBytes
        let budget = self.budget
        let log = logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeFailedFuture(ControlError.cannotListen(path: "", reason: "no socket options"))
            }
            let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
                level: NIOBSDSocket.OptionLevel(rawValue: SOL_SOCKET), name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
            return future.flatMap { cred in
                let refusal = budget.open(uid: cred.uid)
                do {
                    if let refusal {
                        if let count = budget.refusedToLog(now: Int(time(nil))) {
                            log.warning(
                                "control socket: connections refused over the caps",
                                metadata: ["uid": "\(cred.uid)", "reason": "\(refusal)", "refused_since_last_line": "\(count)"])
                        }
                    } else {
                        channel.closeFuture.whenComplete { _ in budget.close(uid: cred.uid) }
                        try channel.pipeline.syncOperations.addHandler(ConnectionGuard(uid: cred.uid, budget: budget))
                    }
                    // A refused connection is framed too (what it already sent is ignored), so
                    // every channel carries only `LineFrame`s.
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLine)))
                    // Finishes its writer on deinit: a connection accepted while the listener
                    // closes never reaches `serve` (swift-nio#2813), and a writer dropped
                    // unfinished traps the process. Every connection that reaches `serve` is
                    // closed by `executeThenClose` as before. (NIO marks this initializer
                    // deprecated for that very default; it is the behaviour needed here.)
                    let async = try NIOAsyncChannel<LineFrame, ByteBuffer>(synchronouslyWrapping: channel)
                    return channel.eventLoop.makeSucceededFuture(
                        (async, PeerIdentity(uid: cred.uid, gid: cred.gid, pid: cred.pid, user: nil), refusal))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        }
        switch endpoint {
        case .inherited(let fd):
            return try await bootstrap.bind(fd, childChannelInitializer: initializer)
        case .path(let path, let mode, let groupName):
            try Self.prepare(path: path)
            var gid: gid_t?
            if let groupName {
                guard let g = UnixAccounts.groupID(name: groupName) else {
                    throw ControlError.cannotListen(path: path, reason: "socket.group \"\(groupName)\" does not exist")
                }
                gid = g
            }
            // Bound, given its mode and group, and only then put in place: never reachable with
            // other permissions, and without touching the process-wide umask.
            let fd = try UnixListener.listen(path: path, mode: mode_t(mode), group: gid, backlog: 256)
            do {
                return try await bootstrap.bind(fd, childChannelInitializer: initializer)
            } catch {
                close(fd)
                unlink(path)
                throw ControlError.cannotListen(path: path, reason: "\(error)")
            }
        }
    }

    static func refusalResponse(_ refusal: ConnectionBudget.Refusal) -> JSONValue {
        switch refusal {
        case .tooManyConnections(let total, let limit):
            return total
                ? ControlResponse.failure(
                    .tooManyConnections, "the daemon has \(limit) connections open, its limit; try again in a moment",
                    ja: "接続数が上限（\(limit)）に達しています。しばらくしてから再度お試しください")
                : ControlResponse.failure(
                    .tooManyConnections, "you have \(limit) connections open, the limit per user; close some and try again",
                    ja: "あなたの接続数が上限（\(limit)）に達しています。接続を閉じてから再度お試しください")
        case .bufferBudget(let limit):
            return ControlResponse.failure(
                .tooBusy, "too many unfinished requests (at most \(limit) bytes per user)",
                ja: "未完了のリクエストが多すぎます")
        }
    }

    /// Removes a stale socket file left by a crash; refuses when a daemon still answers there.
    static func prepare(path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw ControlError.cannotListen(path: path, reason: "a file that is not a socket is in the way")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected == 0 { throw ControlError.alreadyRunning(path: path) }
        unlink(path)
    }

    private func serve(_ connection: Connection) async {
        if let refusal = connection.refusal {
            // Told why, then closed: its descriptor is free again at once.
            var out = Self.refusalResponse(refusal).canonicalBytes
            out.append(0x0A)
            try? await connection.channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(bytes: out))
            }
            return
        }
        var peer = connection.peer
        guard let id = registry.add(connection.channel.channel) else {
            // Accepted as shutdown began: closed through `executeThenClose`, which finishes its
            // writer (an `NIOAsyncChannel` dropped unfinished traps the process).
            try? await connection.channel.executeThenClose { _, _ in }
            return
        }
        defer { registry.remove(id) }
        // Name and groups are looked up once per connection, not per request.
        peer.user = UnixAccounts.userName(uid: peer.uid)
        peer.groups = UnixAccounts.groupNames(user: peer.user, gid: peer.gid)
        let log = logger
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    let response: JSONValue
                    if registry.begin(id) {
                        response = await respond(to: frame, from: peer)
                    } else {
                        response = ControlResponse.failure(
                            .shuttingDown, "the daemon is shutting down; try again in a moment",
                            ja: "デーモンが停止処理中です。しばらくしてから再度お試しください")
                    }
                    var out = response.canonicalBytes
                    out.append(0x0A)
                    try await outbound.write(ByteBuffer(bytes: out))
                    if !registry.end(id) { break }
                }
            }
        } catch {
            log.debug("control socket: connection ended", metadata: ["error": "\(error)", "uid": "\(peer.uid)"])
        }
    }

    private func respond(to frame: LineFrame, from peer: PeerIdentity) async -> JSONValue {
        switch frame {
        case .tooLong(let limit):
            return ControlResponse.failure(
                .lineTooLong, "the request line is longer than \(limit) bytes and was discarded",
                ja: "リクエストの行が \(limit) バイトを超えたため破棄しました")
        case .line(let buffer):
            let bytes = buffer.readableBytesView
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                return ControlResponse.failure(.invalidJSON, "the request line is empty", ja: "リクエストの行が空です")
            }
            let request: JSONValue
            do { request = try JSONParser.parse(bytes) } catch { return ControlResponse.failure(error) }
            return await handler.handle(request, from: peer)
        }
    }
}

/// The layout of Linux's `struct ucred` (returned by `SO_PEERCRED`), which Glibc's Swift module
/// does not export without `_GNU_SOURCE`.
struct PeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
