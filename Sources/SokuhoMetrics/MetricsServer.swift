import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SokuhoCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Serves `GET /metrics` (Prometheus text format) on the configured address only, as a service
/// of the daemon's service group.
///
/// Bounds, whatever a client does: a few connections at once, one request per connection, a
/// small request head, no request body, and an idle timeout. At the cap, a new connection
/// closes the one that has waited longest without sending a whole request (a scraper sends its
/// request as soon as it connects, so silent connections cannot keep it out); only when every
/// connection is being answered is a new one closed at once. Each scrape reads the store
/// ([MetricsCollector]); scrapes are serialised by the collector.
public final class MetricsServer: Service, @unchecked Sendable {
    public struct Limits: Sendable {
        /// Connections open at once (see the type's contract for what happens beyond).
        public var maxConnections = 16
        /// The request line and headers together.
        public var maxHeaderBytes = 8 * 1024
        /// A connection is closed this long after it was accepted, whatever it is doing.
        public var idleTimeout: TimeAmount = .seconds(10)
        public init() {}
    }

    let host: String
    let port: Int
    let collector: MetricsCollector
    let limits: Limits
    let logger: Logger
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let onListening: @Sendable (Int) -> Void

    /// `onListening` is called with the bound port (useful with port 0).
    public init(
        host: String, port: Int, collector: MetricsCollector, limits: Limits = Limits(), logger: Logger,
        onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.collector = collector
        self.limits = limits
        self.logger = logger
        self.onListening = onListening
    }

    deinit { try? group.syncShutdownGracefully() }

    /// Binds and returns the channel; the caller closes it.
    public func bind() async throws -> any Channel {
        let loop = group.next()
        let open = WaitingConnections(limit: limits.maxConnections)
        let (limits, collector, logger) = (limits, collector, logger)
        let decoderLimits = {
            var d = NIOHTTPDecoderLimitConfiguration()
            d.maxHeaderListSize = limits.maxHeaderBytes
            d.maxHeaderFieldSize = limits.maxHeaderBytes
            d.maxHeaderFieldCount = 64
            return d
        }()
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = ObjectIdentifier(channel)
                    let admission = open.open(id) { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in open.closed(id) }
                    admission.evict?()
                    guard !admission.full else {
                        // Every connection is being answered: closed at once, before anything is read.
                        channel.close(promise: nil)
                        return
                    }
                    // A hard deadline for the whole connection: a client that trickles its
                    // request byte by byte cannot hold a slot longer than this.
                    let deadline = channel.eventLoop.scheduleTask(in: limits.idleTimeout) { channel.close(promise: nil) }
                    channel.closeFuture.whenComplete { _ in deadline.cancel() }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withErrorHandling: true, withEncoderConfiguration: .init(), withDecoderLimitConfiguration: decoderLimits)
                    try channel.pipeline.syncOperations.addHandler(
                        MetricsHandler(collector: collector, logger: logger) { open.setWaiting(id, false) })
                }
            }
        return try await bootstrap.bind(host: host, port: port).get()
    }

    public func run() async throws {
        let channel = try await bind()
        let bound = channel.localAddress?.port ?? port
        logger.notice("metrics endpoint listening", metadata: ["address": "\(host):\(bound)", "path": "/metrics"])
        onListening(bound)
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// One request per connection: `GET /metrics` (or `HEAD`) without a body; anything else is
/// answered 404, 405 or 413 and the connection closed.
final class MetricsHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let collector: MetricsCollector
    let logger: Logger
    /// Called once the whole request is in (or refused): the connection is being answered.
    let onRequest: () -> Void
    var head: HTTPRequestHead?
    var refused: HTTPResponseStatus?
    var answered = false

    init(collector: MetricsCollector, logger: Logger, onRequest: @escaping () -> Void = {}) {
        self.collector = collector
        self.logger = logger
        self.onRequest = onRequest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            let path = h.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? h.uri
            if path != "/metrics" {
                refused = .notFound
            } else if h.method != .GET && h.method != .HEAD {
                refused = .methodNotAllowed
            } else if let length = h.headers.first(name: "content-length"), length != "0" {
                refused = .payloadTooLarge
            } else if h.headers.contains(name: "transfer-encoding") {
                refused = .payloadTooLarge
            }
            if let status = refused {
                respond(context: context, status: status, body: Array("\(status.code) \(status.reasonPhrase)\n".utf8))
            }
        case .body:
            if !answered { respond(context: context, status: .payloadTooLarge, body: Array("413 Payload Too Large\n".utf8)) }
        case .end:
            guard let head, refused == nil else { return }
            answered = true
            onRequest()
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let collector = collector
            let logger = logger
            let promise = context.eventLoop.makePromise(of: [UInt8].self)
            promise.completeWithTask { try await collector.scrape() }
            promise.futureResult.whenComplete { result in
                let (handler, context) = loopBound.value
                switch result {
                case .success(let body):
                    handler.write(context: context, status: .ok, body: head.method == .HEAD ? [] : body, length: body.count)
                case .failure(let error):
                    logger.error("metrics scrape failed", metadata: ["error": "\(error)"])
                    handler.write(context: context, status: .internalServerError, body: Array("500 store unavailable\n".utf8), length: nil)
                }
            }
        }
    }

    private func respond(context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8]) {
        answered = true
        write(context: context, status: status, body: body, length: nil)
    }

    private func write(context: ChannelHandlerContext, status: HTTPResponseStatus, body: [UInt8], length: Int?) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: "\(length ?? body.count)")
        headers.add(name: "connection", value: "close")
        headers.add(name: "cache-control", value: "no-store")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}
