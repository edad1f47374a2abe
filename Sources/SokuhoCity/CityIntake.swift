import Foundation
import SokuhoCore

/// The contractors' webhooks into the city's store (docs/city.md), independent of the HTTP
/// server that carries them (`SokuhoCityWeb` routes `POST /hook` here).
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
/// - the body cap (`maxBodyBytes`) is the HTTP server's to enforce before calling `receive`.
public struct CityIntake: Sendable {
    /// One contractor and the secrets that prove a message is theirs (two during a rotation).
    public struct Contractor: Sendable {
        public var name: String
        public var secrets: [WebhookSignature.Secret]
        public init(name: String, secrets: [WebhookSignature.Secret]) { (self.name, self.secrets) = (name, secrets) }
    }

    /// The largest body accepted: 1 MiB.
    public static let maxBodyBytes = 1 << 20

    public let contractors: [Contractor]
    public let store: CityStore
    let log: @Sendable (String) -> Void

    public init(contractors: [Contractor], store: CityStore, log: @escaping @Sendable (String) -> Void) {
        (self.contractors, self.store, self.log) = (contractors, store, log)
    }

    /// What can be refused before the body is read: the `webhook-*` headers missing, malformed,
    /// or with a timestamp more than 5 minutes away, or no contractor configured. The 401 answer
    /// `receive` would give, or nil when the body must be read and verified.
    public func refusalBeforeBody(id: String, timestamp ts: String, signature sig: String) -> (status: Int, answer: JSONValue)? {
        let reason: String
        if contractors.isEmpty {
            reason = "no contractor is configured"
        } else if case .failure(let refusal) = WebhookSignature.Headers.parse(
            id: id, timestamp: ts, signatures: sig, now: Int64(Date().timeIntervalSince1970), tolerance: 300)
        {
            reason = refusal.reason
        } else {
            return nil
        }
        return (401, ["ok": false, "error": .string("no contractor's secret verifies this message: \(reason)")])
    }

    /// Verifies a request (its three `webhook-*` header values and its body) and records it;
    /// the HTTP status and the JSON answer.
    public func receive(id: String, timestamp ts: String, signature sig: String, body: [UInt8]) async -> (status: Int, answer: JSONValue) {
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
            return (401, ["ok": false, "error": .string("no contractor's secret verifies this message: \(reason)")])
        }
        let payload: JSONValue
        do { payload = try JSONParser.parse(body) } catch {
            return (400, ["ok": false, "error": .string("the body is not UTF-8 JSON: \(error)")])
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
                    409,
                    [
                        "ok": false,
                        "error": .string(
                            "webhook-id \(id) was already received with a different body; a webhook-id must name one message only"),
                    ]
                )
            case .duplicate, .new:
                guard case .object(var o) = answer else { return (200, answer) }
                o["duplicate"] = .bool(outcome == .duplicate)
                o["contractor"] = .string(owner.name)
                return (200, .object(o))
            }
        } catch {
            log("sokuho-city: error: message from \(owner.name) not stored: \(error)")
            return (500, ["ok": false, "error": "cannot store the message"])
        }
    }
}
