import HTTPTypes
import NIOCore
import NIOHTTPTypes
import SokuhoCore

/// Keeps slow and silent clients from holding the listener's connections.
///
/// Contract, per connection (one `ConnectionGuard.Handler` in each pipeline, after HTTP decoding):
/// - a request must arrive whole — head and body — within `deadline` of the connection's start
///   or of the previous answer's end (an answer given before the body ended does not restart
///   it); otherwise the connection is closed. A client that trickles
///   a byte every few seconds cannot hold a connection longer than that (the idle timeout alone
///   would let it);
/// - while a connection waits for its request it is *evictable*: when `limit` connections are
///   open, a new one closes the one that has waited longest. Contractors and staff send their
///   request as soon as they connect, so silent connections cannot keep them out; a connection
///   being answered is never closed for room;
/// - an answer that says `Connection: close` closes the connection once written, before the
///   rest of a body the server did not read (Hummingbird would read it to the end and wait for
///   the client to close).
final class ConnectionGuard: Sendable {
    let limit: Int
    let deadline: TimeAmount

    private let connections: WaitingConnections

    init(limit: Int = 512, deadline: TimeAmount = .seconds(20)) {
        (self.limit, self.deadline) = (limit, deadline)
        connections = WaitingConnections(limit: limit)
    }

    /// Registers a new connection; at the limit the longest-waiting one is closed. When none
    /// waits, the new one is admitted all the same (Hummingbird's ceiling bounds the total).
    func opened(_ channel: any Channel) {
        connections.open(ObjectIdentifier(channel)) { channel.close(promise: nil) }.evict?()
    }

    func waiting(_ channel: any Channel, _ isWaiting: Bool) { connections.setWaiting(ObjectIdentifier(channel), isWaiting) }

    func closed(_ channel: any Channel) { connections.closed(ObjectIdentifier(channel)) }

    /// A fresh handler for one connection's pipeline.
    func handler() -> Handler { Handler(guard: self) }

    final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = HTTPRequestPart
        typealias InboundOut = HTTPRequestPart
        typealias OutboundIn = HTTPResponsePart
        typealias OutboundOut = HTTPResponsePart

        let owner: ConnectionGuard
        var timer: Scheduled<Void>?
        var closeAfterAnswer = false
        /// The current request's body has ended (inbound `.end`).
        var received = true
        /// The current request has been answered (outbound `.end`).
        var answered = true

        init(guard owner: ConnectionGuard) { self.owner = owner }

        // The deadline runs whenever the connection is not being answered: from its start,
        // from a request's head, and from the end of an answer. It stops only while a request
        // that has arrived whole waits for its answer. An answer written before its request's
        // body ended (the server did not need the body) does not stop it: the body must still
        // arrive within the deadline. Evictable exactly while the deadline runs.

        func handlerAdded(context: ChannelHandlerContext) {
            owner.opened(context.channel)
            arm(context)
            context.channel.closeFuture.whenComplete { [owner, channel = context.channel] _ in owner.closed(channel) }
        }

        func handlerRemoved(context: ChannelHandlerContext) { timer?.cancel() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head:
                (received, answered) = (false, false)
                if timer == nil { arm(context) }
                owner.waiting(context.channel, true)
            case .body:
                break
            case .end:
                received = true
                if answered {
                    // Answered early; now idle until the next request.
                    arm(context)
                    owner.waiting(context.channel, true)
                } else {
                    // Whole: being answered, not waiting.
                    timer?.cancel()
                    timer = nil
                    owner.waiting(context.channel, false)
                }
            }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            switch unwrapOutboundIn(data) {
            case .head(let response):
                closeAfterAnswer = response.headerFields[.connection]?.lowercased() == "close"
                context.write(data, promise: promise)
            case .body:
                context.write(data, promise: promise)
            case .end:
                answered = true
                if closeAfterAnswer {
                    let channel = context.channel
                    context.writeAndFlush(data).whenComplete { result in
                        promise?.completeWith(result)
                        channel.close(promise: nil)
                    }
                    return
                }
                if received {
                    // Answered: the next request has `deadline` from now.
                    arm(context)
                    owner.waiting(context.channel, true)
                }
                // Otherwise the request's body is still due: its deadline keeps running.
                context.write(data, promise: promise)
            }
        }

        private func arm(_ context: ChannelHandlerContext) {
            timer?.cancel()
            let channel = context.channel
            timer = context.eventLoop.scheduleTask(in: owner.deadline) { channel.close(promise: nil) }
        }
    }
}
