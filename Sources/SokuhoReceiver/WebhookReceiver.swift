#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SokuhoCore

/// The city's side: a small HTTP server that accepts Standard Webhooks messages.
///
/// Contract:
/// - verifies `webhook-signature` against the configured secrets and `webhook-timestamp`
///   within ±5 minutes; the body must be UTF-8 JSON;
/// - drops duplicates by `webhook-id` (answered 200 with `"duplicate": true`, not written again);
/// - appends each verified message as one JSON line `{"webhook_id","received_at","payload"}` to
///   the output file and answers 2xx only after the line is on disk (`fsync`) — messages that
///   arrive together share one fsync;
/// - answers 401 with the reason when verification fails, 400 for a body that is not JSON.
public final class WebhookReceiver: @unchecked Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var secrets: [WebhookSignature.Secret]
        public var outPath: String
        public var toleranceSeconds: Int64 = 300
        public var maxBodyBytes = 1 << 20

        public init(host: String, port: Int, secrets: [WebhookSignature.Secret], outPath: String) {
            self.host = host
            self.port = port
            self.secrets = secrets
            self.outPath = outPath
        }
    }

    let settings: Settings
    let onMessage: @Sendable (JSONValue) -> Void
    // Touched only on the single event loop thread.
    var seen: Set<String> = []
    let fd: Int32
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: (any Channel)?

    public init(settings: Settings, onMessage: @escaping @Sendable (JSONValue) -> Void = { _ in }) throws(ReceiverError) {
        self.settings = settings
        self.onMessage = onMessage
        fd = open(settings.outPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw ReceiverError.cannotOpen(settings.outPath, String(cString: strerror(errno))) }
        // Messages already received survive a restart of the receiver: remember their ids.
        if let text = try? String(contentsOfFile: settings.outPath, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                if let id = (try? JSONParser.parse(String(line)))?["webhook_id"]?.stringValue { seen.insert(id) }
            }
        }
    }

    deinit { close(fd) }

    /// Binds and returns the bound port (useful with port 0).
    @discardableResult
    public func start() async throws -> Int {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(receiver: self))
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

    public func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }

    /// What to do with one request.
    enum Decision {
        /// Answer at once (refused, or a duplicate already on disk).
        case answer(HTTPResponseStatus, JSONValue)
        /// Store this line, then answer once it is on disk.
        case store(id: String, line: JSONValue)
    }

    /// Verifies one request.
    func decide(headers: HTTPHeaders, body: [UInt8]) -> Decision {
        let id = headers.first(name: "webhook-id") ?? ""
        let ts = headers.first(name: "webhook-timestamp") ?? ""
        let sig = headers.first(name: "webhook-signature") ?? ""
        if let reason = WebhookSignature.verify(id: id, timestamp: ts, signatures: sig, body: body, secrets: settings.secrets,
                                                now: Int64(Date().timeIntervalSince1970), tolerance: settings.toleranceSeconds) {
            return .answer(.unauthorized, ["ok": false, "error": .string(reason)])
        }
        let payload: JSONValue
        do { payload = try JSONParser.parse(body) } catch {
            return .answer(.badRequest, ["ok": false, "error": .string("the body is not UTF-8 JSON: \(error)")])
        }
        if seen.contains(id) { return .answer(.ok, ["ok": true, "duplicate": true]) }
        return .store(id: id, line: ["webhook_id": .string(id), "received_at": .string(Timestamp.format(Date())), "payload": payload])
    }

    // Group fsync, on the event loop thread only: lines written during one turn of the loop are
    // made durable by one fsync at its end, and only then is each request answered.
    private var pending: [(id: String, line: JSONValue?, done: (Bool, Bool) -> Void)] = []
    private var pendingIDs: Set<String> = []
    private var syncScheduled = false

    /// Appends the line and calls `done(ok, duplicate)` once it is on disk (or failed to be).
    func store(id: String, line: JSONValue, on loop: any EventLoop, done: @escaping (Bool, Bool) -> Void) {
        if pendingIDs.contains(id) {
            // The same message again before the first copy is durable: answer with it.
            pending.append((id, nil, done))
        } else {
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
            guard written else { done(false, false); return }
            pendingIDs.insert(id)
            pending.append((id, line, done))
        }
        if !syncScheduled {
            syncScheduled = true
            loop.execute { self.sync() }
        }
    }

    private func sync() {
        syncScheduled = false
        let ok = fsync(fd) == 0
        let batch = pending
        pending = []
        pendingIDs = []
        for p in batch {
            if ok, let line = p.line {
                seen.insert(p.id)
                onMessage(line)
            }
            p.done(ok, p.line == nil)
        }
    }
}

final class ReceiverHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let receiver: WebhookReceiver
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false

    init(receiver: WebhookReceiver) { self.receiver = receiver }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            tooLarge = false
        case .body(var buf):
            if body.count + buf.readableBytes > receiver.settings.maxBodyBytes { tooLarge = true; return }
            body.append(contentsOf: buf.readBytes(length: buf.readableBytes) ?? [])
        case .end:
            guard let h = head else { return }
            head = nil
            defer { body = [] }
            if h.method != .POST {
                respond(context: context, head: h, status: .methodNotAllowed, answer: ["ok": false, "error": "POST only"])
                return
            }
            if tooLarge {
                respond(context: context, head: h, status: .payloadTooLarge, answer: ["ok": false, "error": "body over 1 MiB"])
                return
            }
            switch receiver.decide(headers: h.headers, body: body) {
            case .answer(let status, let answer):
                respond(context: context, head: h, status: status, answer: answer)
            case .store(let id, let line):
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                receiver.store(id: id, line: line, on: context.eventLoop) { ok, duplicate in
                    if ok {
                        self.respond(context: ctx.value, head: h, status: .ok, answer: ["ok": true, "duplicate": .bool(duplicate)])
                    } else {
                        self.respond(context: ctx.value, head: h, status: .internalServerError,
                                     answer: ["ok": false, "error": .string("cannot store the message in \(self.receiver.settings.outPath)")])
                    }
                }
            }
        }
    }

    func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, answer: JSONValue) {
        var bytes = answer.canonicalBytes
        bytes.append(0x0A)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(bytes.count))
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in ctx.value.close(promise: nil) }
        }
    }
}

/// Errors of the receiver module.
public enum ReceiverError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(String, String)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let r): "cannot open \(p) for appending: \(r)"
        }
    }
}
