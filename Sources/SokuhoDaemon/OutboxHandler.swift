import Foundation
import Logging
import SokuhoCore
import SokuhoStore

/// The outbox through the socket: `outbox.list`, `outbox.retry`.
struct OutboxHandler: DeskArea {
    let context: DeskContext

    func outboxList(_ o: [String: JSONValue]) async throws -> JSONValue {
        let reader = FieldReader(object: o)
        var caseID: String?
        if o["case_id"] != nil { caseID = try self.caseID(o, key: "case_id") }
        let state = try reader.optionalEnum("state", OutboxMessage.State.self)
        let limit = Int(try reader.optionalInt("limit", in: 1...10_000) ?? 200)
        let messages = try await store.outbox(caseID: caseID, state: state, limit: limit)
        let disabled = try await store.disabledEndpoints().map { e -> JSONValue in
            ["endpoint": .string(e.name), "disabled_at": .string(e.at), "reason": .string(e.reason)]
        }
        return ControlResponse.success([
            "messages": .array(messages.map(\.json)), "count": .int(Int64(messages.count)), "disabled_endpoints": .array(disabled),
        ])
    }

    func outboxRetry(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let reader = FieldReader(object: o)
        let messageID = try reader.optionalText("message_id")
        let endpoint = try reader.optionalText("endpoint")
        let count = try await store.retry(messageID: messageID, endpoint: endpoint, now: clock.now().timeIntervalSince1970)
        logger.notice(
            "outbox retry requested",
            metadata: [
                "message": "\(messageID ?? "*")", "endpoint": "\(endpoint ?? "*")", "requeued": "\(count)", "uid": "\(actor.peer.uid)",
            ])
        context.listeners.wakeup?.signal()
        return ControlResponse.success(["requeued": .int(Int64(count))])
    }
}
