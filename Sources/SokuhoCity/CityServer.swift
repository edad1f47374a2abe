import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SokuhoCore
import SokuhoReceiver

/// The city's HTTP listener for the contractors' webhooks (docs/city.md).
///
/// Contract:
/// - a message is verified as `sokuho receive` verifies it (Standard Webhooks, timestamp within
///   ±5 minutes) against each contractor's secrets in turn, and attributed to the contractor
///   whose secret verifies it — whatever the message says about itself;
/// - it is answered 200 only once it is committed to the store; the same `webhook-id` with the
///   same body from the same contractor is answered 200 `"duplicate": true` and stored once; with
///   another body, 409 and nothing stored;
/// - the 200 answer carries what the city owes that contractor: its instructions and
///   publication decisions not yet recorded on its side;
/// - the connection caps and timeouts of `sokuho receive` apply (`ConnectionRegistry`).
public final class CityServer: @unchecked Sendable {
    /// One contractor and the secrets that prove a message is theirs (two during a rotation).
    public struct Contractor: Sendable {
        public var name: String
        public var secrets: [WebhookSignature.Secret]
        public init(name: String, secrets: [WebhookSignature.Secret]) { (self.name, self.secrets) = (name, secrets) }
    }

    let host: String
    let port: Int
    let contractors: [Contractor]
    let store: CityStore
    let log: @Sendable (String) -> Void
    let maxBodyBytes = 1 << 20
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var channel: (any Channel)?

    public init(host: String, port: Int, contractors: [Contractor], store: CityStore, log: @escaping @Sendable (String) -> Void) {
        (self.host, self.port, self.contractors, self.store, self.log) = (host, port, contractors, store, log)
    }

    /// Binds and returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        let registry = ConnectionRegistry(
            cap: WebhookReceiver.capForFileLimit(1024), idleTimeout: WebhookReceiver.Settings.amount(30),
            requestTimeout: WebhookReceiver.Settings.amount(10), loop: group.next(), log: log)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderListSize = 16 * 1024
        limits.maxHeaderFieldSize = 16 * 1024
        limits.maxHeaderFieldCount = 100
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
                        withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
                    try channel.pipeline.syncOperations.addHandler(CityHandler(server: self, guardian: guardian))
                }
            }
        let ch = try await bootstrap.bind(host: host, port: port).get()
        channel = ch
        return ch.localAddress?.port ?? port
    }

    /// Runs until the listener closes.
    public func wait() async throws { try await channel?.closeFuture.get() }

    public func stop() async {
        try? await channel?.close()
        try? await group.shutdownGracefully()
    }

    /// Verifies a request and records it; the status and the answer.
    func receive(headers: HTTPHeaders, body: [UInt8]) async -> (HTTPResponseStatus, JSONValue) {
        let id = headers.first(name: "webhook-id") ?? ""
        let ts = headers.first(name: "webhook-timestamp") ?? ""
        let sig = headers.first(name: "webhook-signature") ?? ""
        let now = Int64(Date().timeIntervalSince1970)
        var owner: Contractor?
        var reason = "no contractor is configured"
        for c in contractors {
            switch WebhookSignature.check(id: id, timestamp: ts, signatures: sig, body: body, secrets: c.secrets, now: now, tolerance: 300)
            {
            case .verified: owner = c
            case .refused(let r): reason = r
            }
            if owner != nil { break }
        }
        guard let owner else {
            return (.unauthorized, ["ok": false, "error": .string("no contractor's secret verifies this message: \(reason)")])
        }
        let payload: JSONValue
        do { payload = try JSONParser.parse(body) } catch {
            return (.badRequest, ["ok": false, "error": .string("the body is not UTF-8 JSON: \(error)")])
        }
        let incoming = CityStore.Incoming(
            contractor: owner.name, webhookID: id, bodySHA256: WebhookSignature.sha256Hex(body), payload: payload,
            receivedAt: Timestamp.format(Date()))
        do {
            let (outcome, answer) = try await store.record(incoming)
            switch outcome {
            case .conflict:
                log("sokuho-city: warning: \(owner.name) sent webhook-id \(id) again with another body: refused with 409, not stored")
                return (
                    .conflict,
                    [
                        "ok": false,
                        "error": .string(
                            "webhook-id \(id) was already received with a different body; a webhook-id must name one message only"),
                    ]
                )
            case .duplicate, .new:
                guard case .object(var o) = answer else { return (.ok, answer) }
                o["duplicate"] = .bool(outcome == .duplicate)
                o["contractor"] = .string(owner.name)
                return (.ok, .object(o))
            }
        } catch {
            log("sokuho-city: error: message from \(owner.name) not stored: \(error)")
            return (.internalServerError, ["ok": false, "error": "cannot store the message"])
        }
    }
}
