import NIOCore
import SokuhoCore

/// Keeps one control connection within its bounds, in front of the line decoder:
///
/// - the bytes of its unfinished request line count against the shared buffer budget
///   (`ConnectionBudget`); past it the client is told `too_busy` and the connection closes;
/// - a request line must be finished within `lineTimeout` from its first byte (`timeout`);
/// - a connection with nothing in progress — no unfinished line, no request awaiting its
///   answer — closes after `idleTimeout` without traffic.
///
/// It counts requests by their newlines and answers by the writes going out, so it knows when
/// the daemon, not the client, is the one working.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let uid: UInt32
    let budget: ConnectionBudget
    /// Bytes after the last newline seen (an unfinished line), as accounted in `budget`.
    private var partial = 0
    /// Requests whose newline came in and whose answer has not gone out yet.
    private var awaiting = 0
    private var lineDeadline: Scheduled<Void>?
    private var idleDeadline: Scheduled<Void>?
    private var closed = false

    init(uid: UInt32, budget: ConnectionBudget) { (self.uid, self.budget) = (uid, budget) }

    func channelActive(context: ChannelHandlerContext) {
        armIdle(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closed else { return }
        let buffer = unwrapInboundIn(data)
        let view = buffer.readableBytesView
        let newlines = view.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let tail: Int
        if let last = view.lastIndex(of: 0x0A) { tail = view.endIndex - last - 1 } else { tail = partial + view.count }
        if newlines > 0 {
            awaiting += newlines
            lineDeadline?.cancel()
            lineDeadline = nil
        }
        let refusal = budget.buffer(uid: uid, delta: tail - partial)
        if let refusal {
            cutOff(context: context, refusal: refusal)
            return
        }
        partial = tail
        if partial > 0, lineDeadline == nil { armLine(context: context) }
        armIdle(context: context)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // Each answer is one line ending in its only newline (canonical JSON has no raw newline).
        let buffer = unwrapOutboundIn(data)
        if buffer.readableBytesView.last == 0x0A { awaiting = max(0, awaiting - 1) }
        armIdle(context: context)
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { release() }

    private func release() {
        lineDeadline?.cancel()
        idleDeadline?.cancel()
        lineDeadline = nil
        idleDeadline = nil
        if partial != 0 {
            _ = budget.buffer(uid: uid, delta: -partial)
            partial = 0
        }
    }

    private func armLine(context: ChannelHandlerContext) {
        let timeout = budget.limits.lineTimeout
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        lineDeadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            let (handler, context) = loopBound.value
            guard handler.partial > 0, !handler.closed else { return }
            handler.say(
                context: context,
                ControlResponse.failure(
                    .timeout, "the request line was not finished within \(ConnectionGuard.seconds(timeout)); the connection is closed",
                    ja: "リクエストの行が \(ConnectionGuard.seconds(timeout)) 以内に終わらなかったため、接続を閉じました"))
        }
    }

    private func armIdle(context: ChannelHandlerContext) {
        idleDeadline?.cancel()
        let timeout = budget.limits.idleTimeout
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        idleDeadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            let (handler, context) = loopBound.value
            guard !handler.closed else { return }
            // The daemon is still working on an answer: that is not the client being idle — unless
            // the answers back up because the client never reads them.
            if handler.awaiting > 0 && context.channel.isWritable { handler.armIdle(context: context); return }
            if handler.partial > 0 { return }  // the line deadline decides
            handler.closed = true
            context.close(promise: nil)
        }
    }

    private func cutOff(context: ChannelHandlerContext, refusal: ConnectionBudget.Refusal) {
        say(
            context: context,
            ControlResponse.failure(
                .tooBusy,
                "the daemon holds too many unfinished requests (at most \(budget.limits.maxBufferedPerUser) bytes per user); the connection is closed",
                ja: "未完了のリクエストが多すぎるため、接続を閉じました"))
    }

    /// Sends one last answer line and closes.
    private func say(context: ChannelHandlerContext, _ response: JSONValue) {
        closed = true
        var out = response.canonicalBytes
        out.append(0x0A)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: out))).whenComplete { _ in channel.close(promise: nil) }
    }

    static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
