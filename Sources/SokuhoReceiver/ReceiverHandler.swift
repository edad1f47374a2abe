import Foundation
import NIOCore
import NIOHTTP1
import SokuhoCore

/// One HTTP connection of the receiver: collects a request within its size caps, asks the
/// receiver to decide, and answers.
final class ReceiverHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let receiver: WebhookReceiver
    let guardian: ConnectionGuard
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    /// Answered before the request ended (body too large): the rest is ignored, then closed.
    var answered = false

    init(receiver: WebhookReceiver, guardian: ConnectionGuard) {
        self.receiver = receiver
        self.guardian = guardian
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            // A declared length over the limit is refused before a byte of the body is read.
            // (`Int(_:)` never traps: a value out of range is nil — and the HTTP parser has
            // already refused anything but digits.)
            if let declared = h.headers.first(name: "content-length"), Int(declared).map({ $0 > receiver.settings.maxBodyBytes }) ?? true {
                tooLarge(context: context, head: h)
            }
        case .body(var buf):
            guard head != nil else { return }
            if body.count + buf.readableBytes > receiver.settings.maxBodyBytes {
                tooLarge(context: context, head: head!)
                return
            }
            body.append(contentsOf: buf.readBytes(length: buf.readableBytes) ?? [])
        case .end:
            guard let h = head else { return }
            head = nil
            guardian.requestComplete()
            defer { body = [] }
            if h.method != .POST {
                respond(context: context, head: h, status: .methodNotAllowed, answer: ["ok": false, "error": "POST only"])
                return
            }
            var decision = receiver.decide(headers: h.headers, body: body)
            if case .store(let id, let record, let line) = decision {
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                let refused = receiver.store(id: id, record: record, line: line, on: context.eventLoop) { ok, duplicate in
                    if ok {
                        self.respond(context: ctx.value, head: h, status: .ok, answer: ["ok": true, "duplicate": .bool(duplicate)])
                    } else {
                        self.respond(
                            context: ctx.value, head: h, status: .internalServerError,
                            answer: ["ok": false, "error": .string("cannot store the message in \(self.receiver.settings.outPath)")])
                    }
                }
                guard let refused else { return }
                decision = refused
            }
            if case .answer(let status, let answer) = decision {
                respond(context: context, head: h, status: status, answer: answer)
            }
        }
    }

    /// A request that is not HTTP (answered 400 by NIO's error handler before this): close at
    /// once rather than when the request timeout fires.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// 413, then the connection is closed (the rest of the body is not read).
    func tooLarge(context: ChannelHandlerContext, head: HTTPRequestHead) {
        answered = true
        body = []
        guardian.requestComplete()
        respond(
            context: context, head: head, status: .payloadTooLarge,
            answer: ["ok": false, "error": .string("body over \(receiver.settings.maxBodyBytes) bytes")], close: true)
    }

    func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, answer: JSONValue, close: Bool = false)
    {
        var bytes = answer.canonicalBytes
        bytes.append(0x0A)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(bytes.count))
        let keepAlive = head.isKeepAlive && !close
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: bytes)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
        let guardian = NIOLoopBound(self.guardian, eventLoop: context.eventLoop)
        done.whenComplete { _ in
            if keepAlive { guardian.value.responseSent() } else { ctx.value.close(promise: nil) }
        }
    }
}
