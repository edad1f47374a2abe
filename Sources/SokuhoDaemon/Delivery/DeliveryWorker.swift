import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import SokuhoCore
import SokuhoStore
import SokuhoWebhook
import Synchronization

/// Delivers the outbox: signs each message (Standard Webhooks v1), POSTs it, records every
/// attempt, and schedules retries.
///
/// Contract:
/// - any 2xx is delivered; 410 disables the endpoint (alarm) and keeps its messages pending;
///   every other answer, timeout or connection error retries on the schedule, honouring
///   `Retry-After`; when the schedule is exhausted the message is dead (alarm) until
///   `sokuho outbox retry`;
/// - messages of one case reach an endpoint in order; different cases never wait for each other;
/// - `webhook-id` is the same on every attempt; `webhook-timestamp` is the time of the attempt;
/// - state lives in the store, so restarts lose nothing;
/// - every time it uses (what is due, `webhook-timestamp`, the time of an attempt and of the next
///   one) is read from `clock`.
public struct DeliveryWorker: Service {
    let store: CaseStore
    let clock: any WallClock
    let endpoints: [String: Endpoint]
    let schedule: RetrySchedule
    let wakeup: Wakeup
    let logger: Logger
    let maxConcurrent: Int
    /// Called with the body of each 2xx answer, after the delivery is recorded.
    let onAnswer: (@Sendable (OutboxMessage, [UInt8]) async -> Void)?

    public init(
        store: CaseStore, clock: any WallClock, endpoints: [Endpoint], schedule: RetrySchedule, wakeup: Wakeup, logger: Logger,
        maxConcurrent: Int = 48, onAnswer: (@Sendable (OutboxMessage, [UInt8]) async -> Void)? = nil
    ) {
        self.onAnswer = onAnswer
        self.store = store
        self.clock = clock
        self.endpoints = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.schedule = schedule
        self.wakeup = wakeup
        self.logger = logger
        self.maxConcurrent = maxConcurrent
    }

    public func run() async throws {
        if let gone = try? await store.disabledEndpoints(), !gone.isEmpty {
            for e in gone {
                logger.critical(
                    "ALARM: endpoint disabled after 410 Gone; its messages wait. Fix it, then: sokuho outbox retry --endpoint \(e.name)",
                    metadata: ["endpoint": "\(e.name)", "since": "\(e.at)"])
            }
        }
        let inFlight = InFlight()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let now = clock.now().timeIntervalSince1970
                    let busy = inFlight.ids
                    // At the limit, a finished delivery is what frees a place (it signals).
                    let plan = try? await store.deliveryPlan(now: now, inFlight: busy, capacity: max(0, maxConcurrent - busy.count))
                    let due = plan?.due ?? []
                    if due.isEmpty {
                        // A store that cannot be read is tried again in a second.
                        let wait = plan == nil ? 1 : plan?.next.map { max(0.001, min($0 - now, 60)) } ?? 60
                        await wakeup.wait(timeout: .milliseconds(Int64(wait * 1000)))
                        continue
                    }
                    for m in due {
                        inFlight.insert(m.rowID)
                        group.addTask {
                            await self.deliver(m)
                            inFlight.remove(m.rowID)
                            self.wakeup.signal()
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
    }

    func deliver(_ m: OutboxMessage) async {
        let attempt = m.attempts + 1
        let start = clock.now()
        guard let endpoint = endpoints[m.endpoint] else {
            // Configuration changed: keep the message, try again later.
            let outcome = DeliveryOutcome(
                status: nil, latencyMs: 0, error: "endpoint \(m.endpoint) is not configured",
                next: .retry(at: start.timeIntervalSince1970 + 300))
            try? await store.recordAttempt(m, outcome: outcome, at: start)
            return
        }
        let timestamp = Int64(start.timeIntervalSince1970)
        let headers = endpoint.signedHeaders(messageID: m.messageID, timestamp: timestamp, body: m.body)
        let result = await Self.runBlocking { HTTPPoster.post(to: endpoint, headers: headers, body: m.body) }
        let end = clock.now()
        let meta: Logger.Metadata = [
            "message": "\(m.messageID)", "endpoint": "\(m.endpoint)", "case": "\(m.caseID)", "attempt": "\(attempt)",
            "status": "\(result.status.map(String.init) ?? "-")", "latency_ms": "\(result.latencyMs)",
        ]
        let next: DeliveryOutcome.Next
        var error = result.error
        switch result.status {
        case .some(200..<300):
            next = .delivered
            logger.notice("escalation delivered", metadata: meta)
        case .some(410):
            next = .endpointGone
            error = "410 Gone: the endpoint is disabled"
            logger.critical(
                "ALARM: endpoint answered 410 Gone and is disabled; messages wait. Fix it, then: sokuho outbox retry --endpoint \(m.endpoint)",
                metadata: meta)
        case .some(409):
            // The receiver holds another message under this webhook-id: retrying the same bytes
            // cannot help, so the message is set aside at once and an operator is told.
            next = .dead
            error = "409 Conflict: the endpoint holds a different message under this webhook-id"
            logger.critical(
                "ALARM: the endpoint refused the message: it holds a different message under the same webhook-id. Ask the city, then: sokuho outbox retry \(m.messageID)",
                metadata: meta)
        default:
            // The endpoint's answer is not ours: at most 200 bytes of it are kept, its controls
            // escaped, so it can forge nothing where `last_error` is shown or logged.
            if let status = result.status {
                error =
                    "HTTP \(status)"
                    + (result.body.isEmpty ? "" : ": " + TerminalSafe.escape(String(decoding: result.body.prefix(200), as: UTF8.self)))
            }
            let retryAfter = result.retryAfter ?? result.retryAt.map { max(0, $0.timeIntervalSince(end)) }
            if let delay = schedule.delay(afterAttempt: attempt, retryAfter: retryAfter, jitter: Double.random(in: -0.1...0.1)) {
                next = .retry(at: end.timeIntervalSince1970 + delay)
                logger.warning(
                    "escalation failed; will retry",
                    metadata: meta.merging(["error": "\(error ?? "")", "retry_in_s": "\(Int(delay))"]) { a, _ in a })
            } else {
                next = .dead
                logger.critical(
                    "ALARM: escalation undelivered after every retry; dead-lettered. Retry with: sokuho outbox retry \(m.messageID)",
                    metadata: meta.merging(["error": "\(error ?? "")"]) { a, _ in a })
            }
        }
        let outcome = DeliveryOutcome(status: result.status, latencyMs: result.latencyMs, error: error, next: next)
        do { try await store.recordAttempt(m, outcome: outcome, at: end) } catch {
            logger.error("cannot record a delivery attempt", metadata: meta.merging(["error": "\(error)"]) { a, _ in a })
        }
        if case .delivered = next, !result.body.isEmpty, let onAnswer { await onAnswer(m, result.body) }
    }

    /// Runs blocking work (libcurl) off the cooperative thread pool.
    static func runBlocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: work()) }
        }
    }
}

/// The messages being delivered right now (so a slow endpoint never blocks other cases and a
/// message is never sent twice at once).
final class InFlight: Sendable {
    private let members = Mutex<Set<Int64>>([])
    var ids: Set<Int64> { members.withLock { $0 } }
    func insert(_ id: Int64) { _ = members.withLock { $0.insert(id) } }
    func remove(_ id: Int64) { _ = members.withLock { $0.remove(id) } }
}
