import NIOCore

/// Every open connection of the receiver, and the limits on them: a total cap, and how long a
/// connection may wait idle or take to send one request.
///
/// Confined to the receiver's single event loop.
///
/// When the cap is reached, a new connection takes the place of the connection that has waited
/// longest for its request (idle, or still sending its head or body): slow or silent clients can
/// hold at most `cap` connections, and only until someone else connects, so a sender that sends
/// its request at once is always served. Only when every connection is busy with a request that
/// has fully arrived is the new one refused (503, then closed).
public final class ConnectionRegistry: @unchecked Sendable {
    let cap: Int
    let idleTimeout: TimeAmount
    let requestTimeout: TimeAmount
    let loop: any EventLoop
    private var open: [ObjectIdentifier: ConnectionGuard] = [:]
    private var sequence: UInt64 = 0
    /// Counts since start, for the log and the tests.
    private(set) var evicted = 0
    private(set) var refused = 0
    private(set) var timedOut = 0
    private var lastWarning: NIODeadline?
    let log: @Sendable (String) -> Void

    public init(
        cap: Int, idleTimeout: TimeAmount, requestTimeout: TimeAmount, loop: any EventLoop, log: @escaping @Sendable (String) -> Void
    ) {
        self.cap = max(1, cap)
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.loop = loop
        self.log = log
    }

    var count: Int { open.count }

    func nextSequence() -> UInt64 {
        sequence &+= 1
        return sequence
    }

    /// Admits a new connection, evicting the one waiting longest when at the cap; false when
    /// every connection is busy (the new one is then refused).
    public func admit(_ g: ConnectionGuard) -> Bool {
        loop.preconditionInEventLoop()
        if open.count >= cap {
            // The waiting connection that entered its state first (smallest sequence).
            var victim: ConnectionGuard?
            for c in open.values where c.waiting {
                if victim == nil || c.since < victim!.since { victim = c }
            }
            guard let v = victim else {
                refused += 1
                warn("connection cap of \(cap) reached and every connection busy: refusing new connections with 503")
                return false
            }
            evicted += 1
            warn("connection cap of \(cap) reached: closing the connections that wait longest for a request")
            remove(v)
            v.close()
        }
        open[ObjectIdentifier(g)] = g
        return true
    }

    func remove(_ g: ConnectionGuard) {
        open.removeValue(forKey: ObjectIdentifier(g))
    }

    func noteTimeout() { timedOut += 1 }

    /// At most one line a minute: what attackers cause must not fill the log.
    private func warn(_ message: String) {
        let now = NIODeadline.now()
        if let last = lastWarning, now - last < .seconds(60) { return }
        lastWarning = now
        log("sokuho receive: warning: \(message)")
    }
}

/// The first handler of each connection (raw bytes): registers it, closes it when it waits for
/// a request longer than the idle timeout or takes longer than the request timeout to send
/// one, and lets the registry close it to make room.
public final class ConnectionGuard: ChannelInboundHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    enum State { case idle, reading, processing, closed }

    let registry: ConnectionRegistry
    private(set) var state: State = .idle
    /// Order of entering the current state (for eviction: smaller waited longer).
    private(set) var since: UInt64 = 0
    private var timer: Scheduled<Void>?
    private var bytesWhileProcessing = false
    private var context: ChannelHandlerContext?
    /// Set while the client does not read its answers (the channel is not writable).
    private var unreadTimer: Scheduled<Void>?

    public init(registry: ConnectionRegistry) {
        self.registry = registry
        since = registry.nextSequence()
    }

    /// Idle or still sending a request: may be closed to make room.
    var waiting: Bool { state == .idle || state == .reading }

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    public func channelActive(context: ChannelHandlerContext) {
        enter(.idle)
        context.fireChannelActive()
    }

    /// A client that sends requests but never reads the answers (they back up until the channel
    /// is not writable) is closed after the request timeout: it may not hold memory and a
    /// connection slot while signed deliveries wait.
    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        unreadTimer?.cancel()
        unreadTimer = nil
        if !context.channel.isWritable {
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            unreadTimer = context.eventLoop.scheduleTask(in: registry.requestTimeout) {
                let g = bound.value
                guard let c = g.context, !c.channel.isWritable else { return }
                g.registry.noteTimeout()
                g.close()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        unreadTimer?.cancel()
        timer?.cancel()
        state = .closed
        registry.remove(self)
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        registry.remove(self)
        self.context = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .idle: enter(.reading)
        case .processing: bytesWhileProcessing = true
        case .reading, .closed: break
        }
        context.fireChannelRead(data)
    }

    /// The request has fully arrived: no clock while it is verified and stored.
    public func requestComplete() {
        guard state != .closed else { return }
        bytesWhileProcessing = false
        enter(.processing)
    }

    /// The answer is written: wait for the next request (or go on reading one already begun).
    public func responseSent() {
        guard state == .processing else { return }
        enter(bytesWhileProcessing ? .reading : .idle)
    }

    func close() {
        guard state != .closed, let context else { return }
        timer?.cancel()
        state = .closed
        context.close(promise: nil)
    }

    private func enter(_ s: State) {
        timer?.cancel()
        timer = nil
        state = s
        since = registry.nextSequence()
        let limit: TimeAmount
        switch s {
        case .idle: limit = registry.idleTimeout
        case .reading: limit = registry.requestTimeout
        case .processing, .closed: return
        }
        guard let context else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let entered = since
        timer = context.eventLoop.scheduleTask(in: limit) {
            let g = bound.value
            guard g.since == entered, g.waiting else { return }
            g.registry.noteTimeout()
            g.close()
        }
    }
}

/// Answers a connection over the cap with 503 and closes it.
public final class RefuseHandler: ChannelInboundHandler, @unchecked Sendable {
    public typealias InboundIn = ByteBuffer

    public init() {}

    static let answer: [UInt8] = {
        let body = #"{"error":"too many connections; try again later","ok":false}"# + "\n"
        return Array(
            ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n"
                + "retry-after: 5\r\nconnection: close\r\n\r\n" + body).utf8)
    }()

    public func channelActive(context: ChannelHandlerContext) {
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(context.channel.allocator.buffer(bytes: Self.answer))).whenComplete { _ in
            ctx.value.close(promise: nil)
        }
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
