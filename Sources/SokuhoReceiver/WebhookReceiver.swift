import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// The city's side: a small HTTP server that accepts Standard Webhooks messages.
///
/// Contract:
/// - verifies `webhook-signature` against the configured secrets and `webhook-timestamp`
///   within ±5 minutes; the body must be UTF-8 JSON;
/// - drops duplicates — the same `webhook-id` with the same body (SHA-256) — answered 200 with
///   `"duplicate": true`, not written again; refuses the same `webhook-id` with a different body
///   from the same secret with 409, loudly, and stores nothing ([ReceivedIndex]);
/// - appends each verified message as one JSON line
///   `{"webhook_id","received_at","payload","body_sha256","key_id"}` to the output file and
///   answers 2xx only after the line is on disk (`fsync`) — messages that arrive together share
///   one fsync; on start, rebuilds what it has seen from that file;
/// - answers 401 with the reason when verification fails, 400 for a body that is not JSON;
/// - bounds what one client can hold: connections in all, the time to send a request, idle
///   time, header and body sizes ([ConnectionRegistry]).
public final class WebhookReceiver: @unchecked Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var secrets: [WebhookSignature.Secret]
        public var outPath: String
        public var toleranceSeconds: Int64 = 300
        public var maxBodyBytes = 1 << 20
        /// Request head: all header names and values together, and any single one.
        public var maxHeaderBytes = 16 * 1024
        /// Connections open at once (lowered to what the file-descriptor limit allows).
        public var maxConnections = 1024
        /// From a request's first byte to its last.
        public var requestTimeoutSeconds = 10.0
        /// Between requests (and before the first).
        public var idleTimeoutSeconds = 30.0

        /// More than 0 and at most a day.
        public static func validTimeout(_ seconds: Double) -> Bool { seconds.isFinite && seconds > 0 && seconds <= 86_400 }

        /// As a NIO time amount, clamped to (0, 1 day] (a huge Double must not trap on conversion).
        public static func amount(_ seconds: Double) -> TimeAmount {
            let s = validTimeout(seconds) ? seconds : (seconds > 0 ? 86_400 : 0.001)
            return .nanoseconds(Int64(s * 1e9))
        }

        public init(host: String, port: Int, secrets: [WebhookSignature.Secret], outPath: String) {
            self.host = host
            self.port = port
            self.secrets = secrets
            self.outPath = outPath
        }
    }

    let settings: Settings
    let onMessage: @Sendable (JSONValue) -> Void
    let log: @Sendable (String) -> Void
    // Touched only on the single event loop thread.
    var seen = ReceivedIndex()
    let fd: Int32
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: (any Channel)?
    /// The connection cap in force (after the file-descriptor limit), set by `start`.
    public private(set) var connectionCap = 0
    var registry: ConnectionRegistry?

    /// `onMessage` is called with each line once it is on disk; `log` with each warning.
    public init(
        settings: Settings, onMessage: @escaping @Sendable (JSONValue) -> Void = { _ in },
        log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    ) throws(ReceiverError) {
        self.settings = settings
        self.onMessage = onMessage
        self.log = log
        fd = open(settings.outPath, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw ReceiverError.cannotOpen(settings.outPath, String(cString: strerror(errno))) }
        // Messages already received survive a restart of the receiver: remember their ids and
        // digests (lines are read as bytes: one damaged line costs only itself).
        let existing = Self.readAll(fd)
        seen = ReceivedIndex.load(existing)
        // A line torn by a crash must not swallow the next one: start on a fresh line.
        if let last = existing.last, last != 0x0A {
            var nl: UInt8 = 0x0A
            if write(fd, &nl, 1) != 1 || fsync(fd) != 0 {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw ReceiverError.cannotOpen(settings.outPath, reason)
            }
        }
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var offset: off_t = 0
        while true {
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
            offset += off_t(n)
        }
        return out
    }

    deinit { close(fd) }

    /// Binds and returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        connectionCap = Self.capForFileLimit(settings.maxConnections)
        let registry = ConnectionRegistry(
            cap: connectionCap, idleTimeout: Settings.amount(settings.idleTimeoutSeconds),
            requestTimeout: Settings.amount(settings.requestTimeoutSeconds),
            loop: group.next(), log: log)
        self.registry = registry
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = settings.maxHeaderBytes
        limits.maxHeaderFieldSize = settings.maxHeaderBytes
        limits.maxHeaderFieldCount = 100
        let decoderLimits = limits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let guardian = ConnectionGuard(registry: registry)
                    guard registry.admit(guardian) else {
                        try channel.pipeline.syncOperations.addHandler(RefuseHandler())
                        return
                    }
                    try channel.pipeline.syncOperations.addHandler(guardian)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(receiver: self, guardian: guardian))
                }
            }
        let ch = try await bootstrap.bind(host: settings.host, port: settings.port).get()
        channel = ch
        return ch.localAddress?.port ?? settings.port
    }

    /// Runs until the server channel closes.
    public func wait() async throws {
        try await channel?.closeFuture.get()
    }

    /// Raises the soft limit on open files to the hard limit, and returns `wanted` lowered so
    /// that connections never exhaust file descriptors (accept would fail for everyone).
    public static func capForFileLimit(_ wanted: Int) -> Int {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 else { return max(1, wanted) }
        if lim.rlim_cur < lim.rlim_max {
            var raised = lim
            raised.rlim_cur = lim.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { lim = raised }
        }
        let reserve: rlim_t = 32  // stdio, the output file, epoll, timers, the listening socket
        let usable = lim.rlim_cur > reserve ? lim.rlim_cur - reserve : 1
        return max(1, min(wanted, Int(clamping: usable)))
    }

    public func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }

    /// What to do with one request.
    enum Decision {
        /// Answer at once (refused, or a duplicate already on disk).
        case answer(HTTPResponseStatus, JSONValue)
        /// Store this line, then answer once it is on disk.
        case store(id: String, record: ReceivedIndex.Record, line: JSONValue)
    }

    /// Verifies one request.
    func decide(headers: HTTPHeaders, body: [UInt8]) -> Decision {
        let id = headers.first(name: "webhook-id") ?? ""
        let ts = headers.first(name: "webhook-timestamp") ?? ""
        let sig = headers.first(name: "webhook-signature") ?? ""
        let secretIndex: Int
        switch WebhookSignature.check(
            id: id, timestamp: ts, signatures: sig, body: body, secrets: settings.secrets,
            now: Int64(Date().timeIntervalSince1970), tolerance: settings.toleranceSeconds)
        {
        case .refused(let reason): return .answer(.unauthorized, ["ok": false, "error": .string(reason)])
        case .verified(let i): secretIndex = i
        }
        let payload: JSONValue
        do { payload = try JSONParser.parse(body) } catch {
            return .answer(.badRequest, ["ok": false, "error": .string("the body is not UTF-8 JSON: \(error)")])
        }
        let record = ReceivedIndex.Record(
            bodySHA256: WebhookSignature.sha256Hex(body),
            payloadSHA256: WebhookSignature.sha256Hex(payload.canonicalBytes),
            keyID: settings.secrets[secretIndex].keyID)
        switch seen.classify(id: id, record) {
        case .duplicate: return .answer(.ok, ["ok": true, "duplicate": true])
        case .conflict(let stored): return conflict(id: id, stored: stored, now: record.bodySHA256 ?? "")
        case .new: break
        }
        return .store(
            id: id, record: record,
            line: [
                "webhook_id": .string(id), "received_at": .string(Timestamp.format(Date())), "payload": payload,
                "body_sha256": .string(record.bodySHA256 ?? ""), "key_id": .string(record.keyID ?? ""),
            ])
    }

    /// The same id, another body, the same sender: refused loudly, never stored, never 200.
    func conflict(id: String, stored: String, now: String) -> Decision {
        log(
            "sokuho receive: warning: webhook-id \(id) was already received with another body (sha256 \(stored.prefix(16))…, "
                + "now \(now.prefix(16))…): refused with 409, not stored — the sender reuses ids for different messages")
        return .answer(
            .conflict,
            [
                "ok": false,
                "error": .string("webhook-id \(id) was already received with a different body; a webhook-id must name one message only"),
            ])
    }

    // Group fsync, on the event loop thread only: lines written during one turn of the loop are
    // made durable by one fsync at its end, and only then is each request answered.
    private var pending: [(id: String, record: ReceivedIndex.Record, line: JSONValue?, done: (Bool, Bool) -> Void)] = []
    private var pendingIDs: [String: [ReceivedIndex.Record]] = [:]
    private var syncScheduled = false

    /// Appends the line and calls `done(ok, duplicate)` once it is on disk (or failed to be);
    /// returns a decision instead when it conflicts with a message not yet on disk.
    func store(
        id: String, record: ReceivedIndex.Record, line: JSONValue, on loop: any EventLoop,
        done: @escaping (Bool, Bool) -> Void
    ) -> Decision? {
        switch ReceivedIndex.classify(record, against: pendingIDs[id] ?? []) {
        case .conflict(let stored):
            return conflict(id: id, stored: stored, now: record.bodySHA256 ?? "")
        case .duplicate:
            // The same message again before the first copy is durable: answer with it.
            pending.append((id, record, nil, done))
        case .new:
            var bytes = line.canonicalBytes
            bytes.append(0x0A)
            let written = bytes.withUnsafeBytes { buf -> Bool in
                var off = 0
                while off < buf.count {
                    let n = write(fd, buf.baseAddress! + off, buf.count - off)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    off += n
                }
                return true
            }
            guard written else { done(false, false); return nil }
            pendingIDs[id, default: []].append(record)
            pending.append((id, record, line, done))
        }
        if !syncScheduled {
            syncScheduled = true
            loop.execute { self.sync() }
        }
        return nil
    }

    private func sync() {
        syncScheduled = false
        let ok = fsync(fd) == 0
        let batch = pending
        pending = []
        pendingIDs = [:]
        for p in batch {
            if ok, let line = p.line {
                seen.insert(id: p.id, p.record)
                onMessage(line)
            }
            p.done(ok, p.line == nil)
        }
    }
}
