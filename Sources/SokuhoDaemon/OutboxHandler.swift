import Foundation
import Logging
import SokuhoCore
import SokuhoStore

/// The outbox through the socket: `outbox.list`, `outbox.retry`.
struct OutboxHandler: DeskArea {
    let context: DeskContext

    func outboxList(_ request: OutboxListRequest) async throws -> JSONValue {
        let state = try FieldReader.enumValue("state", request.state, OutboxMessage.State.self)
        let messages = try await store.outbox(caseID: request.caseID, state: state, limit: request.limit ?? 200)
        let disabled = try await store.disabledEndpoints().map { e -> JSONValue in
            ["endpoint": .string(e.name), "disabled_at": .string(e.at), "reason": .string(e.reason)]
        }
        return ControlResponse.success([
            "messages": .array(messages.map(\.json)), "count": .int(Int64(messages.count)), "disabled_endpoints": .array(disabled),
        ])
    }

    func outboxRetry(_ request: OutboxRetryRequest, actor: EventActor) async throws -> JSONValue {
        let (messageID, endpoint) = (request.messageID, request.endpoint)
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
