import Foundation
import GRDB
import SokuhoCore

/// What `/metrics` reports, read from the database: right after a restart, not only counted in
/// memory. Only counts and ages: no report text, case content, user or case id ever leaves here.
public struct StoreGauges: Sendable, Equatable {
    /// Cases by state; every `CaseState` is present (0 when none).
    public var cases: [String: Int] = [:]
    /// Outbox messages by state (`pending`, `dead`).
    public var outboxPending = 0
    public var outboxDead = 0
    /// When the oldest pending message was queued (seconds since the epoch); nil when none waits.
    public var oldestPendingQueuedAt: Double?
    /// Delivery attempts by endpoint name and outcome (`delivered`, `retry`, `dead`).
    public var deliveries: [DeliveryKey: Int] = [:]
    /// Events in the audit chain (the chain head's sequence number).
    public var chainEvents: Int64 = 0

    public struct DeliveryKey: Sendable, Hashable {
        public var endpoint: String
        public var outcome: String

        public init(endpoint: String, outcome: String) {
            self.endpoint = endpoint
            self.outcome = outcome
        }
    }
}

/// Counts of events after a sequence number (reports by channel, missed clocks, spool
/// rejections): the metrics endpoint reads only new events on each scrape.
public struct EventTally: Sendable, Equatable {
    public var reportsByChannel: [String: Int] = [:]
    public var clocksMissed = 0
    public var spoolRejected = 0
    /// The last event read; the next tally starts after it.
    public var lastSeq: Int64 = 0

    public init() {}

    public mutating func add(_ other: EventTally) {
        for (k, v) in other.reportsByChannel { reportsByChannel[k, default: 0] += v }
        clocksMissed += other.clocksMissed
        spoolRejected += other.spoolRejected
        lastSeq = max(lastSeq, other.lastSeq)
    }
}

extension CaseStore {
    /// The gauges of `/metrics`, in one read transaction.
    public func gauges() async throws(StoreError) -> StoreGauges {
        do {
            return try await pool.read { db in
                var g = StoreGauges()
                for s in CaseState.allCases { g.cases[s.rawValue] = 0 }
                for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM cases GROUP BY state") {
                    g.cases[row["state"] as String, default: 0] += row["n"] as Int
                }
                for row in try Row.fetchAll(
                    db, sql: "SELECT state, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'dead') GROUP BY state")
                {
                    if (row["state"] as String) == "pending" { g.outboxPending = row["n"] } else { g.outboxDead = row["n"] }
                }
                if let oldest = try String.fetchOne(db, sql: "SELECT MIN(created_at) FROM outbox WHERE state = 'pending'") {
                    g.oldestPendingQueuedAt = Timestamp(rfc3339: oldest)?.epochSeconds
                }
                // Each attempt's outcome: the last attempt of a delivered or dead message is that
                // outcome; every other attempt was followed by a retry.
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT o.endpoint AS endpoint,
                               CASE WHEN o.state IN ('delivered', 'dead')
                                     AND a.id = (SELECT MAX(b.id) FROM delivery_attempts b WHERE b.outbox_id = a.outbox_id)
                                    THEN o.state ELSE 'retry' END AS outcome,
                               COUNT(*) AS n
                        FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id
                        GROUP BY 1, 2
                        """)
                for row in rows {
                    g.deliveries[.init(endpoint: row["endpoint"], outcome: row["outcome"]), default: 0] += row["n"] as Int
                }
                g.chainEvents = try Int64.fetchOne(db, sql: "SELECT seq FROM chain_head WHERE id = 1") ?? 0
                return g
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Counts the events after `seq` that the counters need, at most `limit` events at a time
    /// (call again while `lastSeq` moves).
    public func tallyEvents(after seq: Int64, limit: Int = 50_000) async throws(StoreError) -> EventTally {
        do {
            return try await pool.read { db in
                var t = EventTally()
                t.lastSeq = seq
                let last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM events") ?? 0
                let upper = min(last, seq + Int64(limit))
                guard upper > seq else { return t }
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT type, CASE WHEN type = 'case.opened' THEN json_extract(data, '$.channel') END AS channel, COUNT(*) AS n
                        FROM events WHERE seq > ? AND seq <= ? AND type IN ('case.opened', 'clock.missed', 'spool.rejected')
                        GROUP BY 1, 2
                        """, arguments: [seq, upper])
                for row in rows {
                    let n: Int = row["n"]
                    switch row["type"] as String {
                    case EventType.caseOpened.rawValue: t.reportsByChannel[(row["channel"] as String?) ?? "socket", default: 0] += n
                    case EventType.clockMissed.rawValue: t.clocksMissed += n
                    default: t.spoolRejected += n
                    }
                }
                t.lastSeq = upper
                return t
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Delivery attempts after the attempt `id`: their ids and latencies in milliseconds, oldest first.
    public func deliveryLatencies(afterAttempt id: Int64, limit: Int = 50_000) async throws(StoreError) -> [(
        id: Int64, milliseconds: Int64
    )] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT id, latency_ms FROM delivery_attempts WHERE id > ? ORDER BY id LIMIT ?", arguments: [id, limit]
                )
                .map { (id: $0["id"], milliseconds: $0["latency_ms"]) }
            }
        } catch {
            throw Self.map(error)
        }
    }
}
