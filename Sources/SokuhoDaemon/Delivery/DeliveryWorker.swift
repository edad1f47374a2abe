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
/// - the first message of a new case is taken from `handoff` as its transaction commits and sent
///   without reading the outbox; the outbox is read at start, on `wakeup.signal()`, when a retry
///   falls due, after a delivery that was read from it or not delivered, and after deliveries
///   that a message read from it may wait behind;
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
    /// Messages handed over as their transaction commits (nil: every message is read from the store).
    let handoff: DeliveryHandoff?
    /// Called with the body of each 2xx answer, after the delivery is recorded.
    let onAnswer: (@Sendable (OutboxMessage, [UInt8]) async -> Void)?
    /// Touched after each attempt, so memory is given back only once deliveries are done.
    let idleMemory: IdleMemory?

    public init(
        store: CaseStore, clock: any WallClock, endpoints: [Endpoint], schedule: RetrySchedule, wakeup: Wakeup, logger: Logger,
        maxConcurrent: Int = 48, handoff: DeliveryHandoff? = nil, idleMemory: IdleMemory? = nil,
        onAnswer: (@Sendable (OutboxMessage, [UInt8]) async -> Void)? = nil
    ) {
        self.onAnswer = onAnswer
        self.idleMemory = idleMemory
        self.handoff = handoff
        self.store = store
        self.clock = clock
        self.endpoints = Dictionary(endpoints.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.schedule = schedule
        self.wakeup = wakeup
        self.logger = logger
        self.maxConcurrent = maxConcurrent
    }

    public func run() async throws {
        var disabled = Set<String>()
        if let gone = try? await store.disabledEndpoints(), !gone.isEmpty {
            for e in gone {
                disabled.insert(e.name)
                logger.critical(
                    "ALARM: endpoint disabled after 410 Gone; its messages wait. Fix it, then: sokuho outbox retry --endpoint \(e.name)",
                    metadata: ["endpoint": "\(e.name)", "since": "\(e.at)"])
            }
        }
        let inFlight = InFlight()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var loop = LoopState(disabled: disabled)
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let now = clock.now().timeIntervalSince1970
                    loop.handed += handoff?.take() ?? []
                    let finished = inFlight.takeFinished()
                    loop.disabled.formUnion(finished.gone)
                    let signals = wakeup.signals
                    loop.scan =
                        loop.scan || signals != loop.signals || finished.rescan || (finished.count > 0 && loop.rescanOnFinish)
                        || loop.next.map { $0 <= now } ?? false
                    loop.signals = signals
                    let scanned = loop.scan
                    if loop.scan {
                        loop.scan = false
                        if !loop.disabled.isEmpty, let gone = try? await store.disabledEndpoints() { loop.disabled = Set(gone.map(\.name)) }
                        let busy = inFlight.ids
                        // At the limit, a finished delivery is what frees a place (it signals).
                        let plan = try? await store.deliveryPlan(now: now, inFlight: busy, capacity: max(0, maxConcurrent - busy.count))
                        // A store that cannot be read is tried again in a second.
                        loop.next = plan == nil ? now + 1 : plan?.next
                        for m in plan?.due ?? [] {
                            if let i = loop.handed.firstIndex(where: { $0.rowID == m.rowID }) {
                                loop.handed.remove(at: i)
                            } else {
                                handoff?.claim(m)
                            }
                            start(m, fromStore: true, in: &group, inFlight: inFlight)
                        }
                        // More may be due than were read: read again at once.
                        loop.scan = !(plan?.due.isEmpty ?? true)
                    }
                    var waiting: [OutboxMessage] = []
                    for m in loop.handed {
                        if inFlight.count >= maxConcurrent {
                            waiting.append(m)
                        } else if loop.disabled.contains(m.endpoint) {
                            // Left in the store, which holds it until `sokuho outbox retry` (it signals).
                        } else if m.nextAttemptAt > now {
                            loop.next = min(loop.next ?? m.nextAttemptAt, m.nextAttemptAt)
                        } else {
                            start(m, fromStore: false, in: &group, inFlight: inFlight)
                        }
                    }
                    // At most one round of deliveries waits in memory: a flood of reports while the
                    // city hangs must not pile message bodies up here. The rest wait in the store and
                    // are read when a place frees.
                    loop.handed = Array(waiting.prefix(maxConcurrent))
                    let dropped = waiting.count > maxConcurrent
                    // A message read just now may wait in the store behind one being delivered:
                    // read again when deliveries finish, until a reading finds none in flight.
                    if scanned { loop.rescanOnFinish = !inFlight.ids.isEmpty || !loop.handed.isEmpty }
                    if dropped { loop.rescanOnFinish = true }
                    if loop.scan { continue }
                    let wait = loop.next.map { max(0.001, min($0 - now, 60)) } ?? 60
                    await wakeup.wait(timeout: .milliseconds(Int64(wait * 1000)))
                }
            }
        } onGracefulShutdown: {
            wakeup.signal()
        }
    }

    /// What the loop of `run` carries from one turn to the next.
    struct LoopState {
        /// Endpoints disabled by a 410 (their handed messages are left to the store).
        var disabled: Set<String>
        /// Messages handed over and not yet started (the limit was reached).
        var handed: [OutboxMessage] = []
        /// `wakeup.signals` when the outbox was last read; nil: never read.
        var signals: UInt64?
        /// Read the outbox at the next turn.
        var scan = true
        /// When the next message read from the outbox falls due.
        var next: Double?
        /// Read the outbox again when a delivery finishes: messages may wait behind it.
        var rescanOnFinish = false
    }

    private func start(_ m: OutboxMessage, fromStore: Bool, in group: inout DiscardingTaskGroup, inFlight: InFlight) {
        inFlight.insert(m.rowID)
        group.addTask {
            let next = await self.deliver(m)
            var delivered = false
            var gone: String?
            switch next {
            case .delivered: delivered = true
            case .endpointGone: gone = m.endpoint
            case .retry, .dead: break
            }
            inFlight.finish(m.rowID, rescan: fromStore || !delivered, gone: gone)
            self.idleMemory?.touch()
            self.wakeup.nudge()
        }
    }

    /// Sends `m` once and records the attempt; returns what happens to it next.
    @discardableResult
    func deliver(_ m: OutboxMessage) async -> DeliveryOutcome.Next {
        let attempt = m.attempts + 1
        let start = clock.now()
        guard let endpoint = endpoints[m.endpoint] else {
            // Configuration changed: keep the message, try again later.
            let outcome = DeliveryOutcome(
                status: nil, latencyMs: 0, error: "endpoint \(m.endpoint) is not configured",
                next: .retry(at: start.timeIntervalSince1970 + 300))
            try? await store.recordAttempt(m, outcome: outcome, at: start)
            return outcome.next
        }
        let timestamp = Int64(start.timeIntervalSince1970)
        let headers = endpoint.signedHeaders(messageID: m.messageID, timestamp: timestamp, body: m.body)
        let result = await Blocking.run { HTTPPoster.post(to: endpoint, headers: headers, body: m.body) }
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
        return next
    }
}
