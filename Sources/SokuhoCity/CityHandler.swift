import Foundation
import NIOCore
import NIOHTTP1
import SokuhoCore
import SokuhoReceiver

/// One HTTP connection of the city's listener: collects a request within its size cap, has the
/// server verify and store it (off the event loop), and answers once it is stored.
final class CityHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: CityServer
    let guardian: ConnectionGuard
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var answered = false

    init(server: CityServer, guardian: ConnectionGuard) {
        self.server = server
        self.guardian = guardian
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body = []
            if let declared = h.headers.first(name: "content-length"), Int(declared).map({ $0 > server.maxBodyBytes }) ?? true {
                refuse(context: context, head: h, status: .payloadTooLarge, reason: "body over \(server.maxBodyBytes) bytes")
            }
        case .body(var buf):
            guard let h = head else { return }
            if body.count + buf.readableBytes > server.maxBodyBytes {
                refuse(context: context, head: h, status: .payloadTooLarge, reason: "body over \(server.maxBodyBytes) bytes")
                return
            }
            body.append(contentsOf: buf.readBytes(length: buf.readableBytes) ?? [])
        case .end:
            guard let h = head else { return }
            head = nil
            guardian.requestComplete()
            let request = body
            body = []
            guard h.method == .POST else {
                respond(context: context, head: h, status: .methodNotAllowed, answer: ["ok": false, "error": "POST only"])
                return
            }
            let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
            let loop = context.eventLoop
            let server = self.server
            Task {
                let (status, answer) = await server.receive(headers: h.headers, body: request)
                loop.execute { self.respond(context: ctx.value, head: h, status: status, answer: answer) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Answered before the request ended: the rest is ignored, then the connection closes.
    func refuse(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, reason: String) {
        answered = true
        body = []
        guardian.requestComplete()
        respond(context: context, head: head, status: status, answer: ["ok": false, "error": .string(reason)], close: true)
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
