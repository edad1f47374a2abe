import Foundation
import GRDB
import SokuhoCore

/// One message in the outbox, as the delivery worker and `sokuho outbox list` see it.
public struct OutboxMessage: Sendable {
    public enum State: String, Sendable, CaseIterable {
        /// Waiting for its (next) attempt.
        case pending
        /// A 2xx answer was received.
        case delivered
        /// Every retry failed; waits for `sokuho outbox retry`.
        case dead
    }

    public var rowID: Int64
    public var messageID: String
    public var endpoint: String
    public var caseID: String
    public var sequence: Int
    public var type: String
    public var body: [UInt8]
    public var state: State
    public var attempts: Int
    public var createdAt: String
    public var nextAttemptAt: Double
    public var deliveredAt: String?
    public var lastStatus: Int?
    public var lastError: String?

    public var json: JSONValue {
        [
            "message_id": .string(messageID), "endpoint": .string(endpoint), "case_id": .string(caseID),
            "sequence": .int(Int64(sequence)), "type": .string(type), "state": .string(state.rawValue),
            "attempts": .int(Int64(attempts)), "created_at": .string(createdAt),
            "next_attempt_at": state == .pending ? .string(Timestamp.format(Date(timeIntervalSince1970: nextAttemptAt))) : .null,
            "delivered_at": .optional(deliveredAt), "last_status": lastStatus.map { .int(Int64($0)) } ?? .null,
            "last_error": .optional(lastError),
        ]
    }

    /// A message as `queue` inserts it: pending, never attempted, due at `nextAttemptAt`.
    init(
        rowID: Int64, messageID: String, endpoint: String, caseID: String, sequence: Int, type: String, body: [UInt8],
        createdAt: String, nextAttemptAt: Double
    ) {
        (self.rowID, self.messageID, self.endpoint, self.caseID, self.sequence, self.type, self.body) = (
            rowID, messageID, endpoint, caseID, sequence, type, body
        )
        (state, attempts, self.createdAt, self.nextAttemptAt) = (.pending, 0, createdAt, nextAttemptAt)
    }

    init(row: Row) {
        (rowID, messageID, endpoint, caseID, sequence, type) = (
            row["id"], row["message_id"], row["endpoint"], row["case_id"], row["sequence"], row["type"]
        )
        body = Array((row["body"] as Data?) ?? Data())
        state = State(rawValue: row["state"]) ?? .pending
        (attempts, createdAt, nextAttemptAt, deliveredAt) = (
            row["attempts"], row["created_at"], row["next_attempt_at"], row["delivered_at"]
        )
        (lastStatus, lastError) = (row["last_status"], row["last_error"])
    }
}

/// The outcome of one delivery attempt, to be recorded.
public struct DeliveryOutcome: Sendable {
    public enum Next: Sendable {
        case delivered
        case retry(at: Double)
        case dead
        /// The endpoint answered 410 Gone: it is disabled; the message stays pending.
        case endpointGone
    }

    public var status: Int?
    public var latencyMs: Int
    public var error: String?
    public var next: Next

    public init(status: Int?, latencyMs: Int, error: String?, next: Next) {
        self.status = status
        self.latencyMs = latencyMs
        self.error = error
        self.next = next
    }
}

extension CaseStore {
    /// This installation's id (migration `v6-isolation`), read inside the caller's transaction.
    static func installationID(_ db: Database) throws -> String {
        guard let id = try String.fetchOne(db.cachedStatement(sql: "SELECT installation_id FROM installation WHERE id = 1")) else {
            throw StoreError.malformed(reason: "the installation id is missing")
        }
        return id
    }

    /// This installation's id: random, generated when the database was created; part of every
    /// `webhook-id` and carried in every message as `data.installation`.
    public func installationID() async throws(StoreError) -> String {
        do { return try await pool.read { db in try Self.installationID(db) } } catch { throw Self.map(error) }
    }

    /// Queues one message per endpoint inside the current transaction (with the event that causes
    /// it), due at `now` (seconds since the epoch). Returns the messages as inserted.
    @discardableResult
    static func enqueue(
        _ db: Database, kind: EscalationMessage.Kind, case c: Case, event: StoredEvent, endpoints: [String],
        changes: [String: JSONValue]? = nil, now: Double
    ) throws -> [OutboxMessage] {
        try enqueue(
            db, type: kind.rawValue, case: c, event: event, endpoints: endpoints, extra: changes.map { ["changes": .object($0)] } ?? [:],
            now: now)
    }

    /// Queues one message of `type` per endpoint, in the caller's transaction. Each endpoint
    /// numbers the messages of a case 1, 2, 3, … without gaps (`data.sequence`). Each message is
    /// due at `now` (seconds since the epoch): the caller's time of the event.
    @discardableResult
    static func enqueue(
        _ db: Database, type: String, case c: Case, event: StoredEvent, endpoints: [String],
        extra: [String: JSONValue], now: Double
    ) throws -> [OutboxMessage] {
        try queue(db, type: type, subject: c.id, event: event, endpoints: endpoints, now: now) { sequence, installation in
            EscalationMessage.stamped(
                EscalationMessage.payload(
                    type: type, case: c, sequence: sequence, chainSeq: event.seq, chainHash: event.hash, at: event.at, extra: extra),
                installation: installation)
        }
    }

    /// The one place a message enters the outbox: for each endpoint, the next number of
    /// `subject` (a case, a ledger entry, the status reports, the ledger) on that endpoint, the
    /// payload `build` makes with it and the installation id, and the row — due at `now`, in the
    /// caller's transaction. Each endpoint numbers a subject's messages 1, 2, 3, … without gaps.
    /// Returns the messages as inserted (committed only with the caller's transaction).
    @discardableResult
    static func queue(
        _ db: Database, type: String, subject: String, event: StoredEvent, endpoints: [String], now: Double,
        build: (_ sequence: Int, _ installation: String) throws -> JSONValue
    ) throws -> [OutboxMessage] {
        guard !endpoints.isEmpty else { return [] }
        let installation = try installationID(db)
        var queued: [OutboxMessage] = []
        for endpoint in endpoints {
            let sequence =
                try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM outbox WHERE case_id = ? AND endpoint = ?"),
                    arguments: [subject, endpoint]) ?? 1
            let body = try build(sequence, installation).canonicalBytes
            let messageID = EscalationMessage.id(installation: installation, caseID: subject, sequence: sequence, endpoint: endpoint)
            try db.cachedStatement(
                sql: """
                    INSERT INTO outbox (message_id, endpoint, case_id, sequence, type, event_seq, body, created_at, next_attempt_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [messageID, endpoint, subject, sequence, type, event.seq, Data(body), event.at, now])
            queued.append(
                OutboxMessage(
                    rowID: db.lastInsertedRowID, messageID: messageID, endpoint: endpoint, caseID: subject, sequence: sequence,
                    type: type, body: body, createdAt: event.at, nextAttemptAt: now))
        }
        return queued
    }

    /// Messages ready for an attempt: pending, due, on an enabled endpoint, and the oldest
    /// undelivered message of their case for that endpoint (an update never overtakes its first report).
    public func dueMessages(now: Double, limit: Int = 64) async throws(StoreError) -> [OutboxMessage] {
        do { return try await pool.read { db in try Self.due(db, now: now, limit: limit) } } catch { throw Self.map(error) }
    }

    /// When the next pending message becomes due (nil when none waits).
    ///
    /// Only messages that `dueMessages` could return count: a message waiting behind an earlier
    /// undelivered one of its case does not (it becomes due when that one is delivered, which
    /// wakes the worker), nor do the messages in `excluding` (being delivered now). Otherwise a
    /// blocked message already past its time would make the worker poll without pause.
    public func nextDueTime(excluding inFlight: Set<Int64> = []) async -> Double? {
        try? await pool.read { db in try Self.nextDue(db, excluding: inFlight) }
    }

    /// What the delivery worker does next, read in one transaction: up to `capacity` due
    /// messages not in `inFlight`; when there are none, when the next one falls due (nil when
    /// none waits, or when `capacity` is 0: a finished delivery wakes the worker).
    public func deliveryPlan(now: Double, inFlight: Set<Int64>, capacity: Int) async throws(StoreError) -> (
        due: [OutboxMessage], next: Double?
    ) {
        do {
            return try await pool.read { db in
                let due = try Self.due(db, now: now, limit: capacity + inFlight.count).filter { !inFlight.contains($0.rowID) }.prefix(
                    capacity)
                if !due.isEmpty || capacity == 0 { return (Array(due), nil) }
                return ([], try Self.nextDue(db, excluding: inFlight))
            }
        } catch { throw Self.map(error) }
    }

    static func due(_ db: Database, now: Double, limit: Int) throws -> [OutboxMessage] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT o.* FROM outbox o
                    WHERE o.state = 'pending' AND o.next_attempt_at <= ?
                      AND NOT EXISTS (SELECT 1 FROM endpoint_state e WHERE e.name = o.endpoint AND e.disabled_at IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.endpoint = o.endpoint AND p.case_id = o.case_id
                                      AND p.sequence < o.sequence AND p.state != 'delivered')
                    ORDER BY o.next_attempt_at, o.id LIMIT ?
                    """), arguments: [now, limit]
        ).map(OutboxMessage.init(row:))
    }

    static func nextDue(_ db: Database, excluding inFlight: Set<Int64>) throws -> Double? {
        let placeholders =
            inFlight.isEmpty ? "" : "AND o.id NOT IN (" + Array(repeating: "?", count: inFlight.count).joined(separator: ",") + ")"
        let arguments = StatementArguments(inFlight.map { $0 as any DatabaseValueConvertible }) ?? StatementArguments()
        return try Double.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MIN(o.next_attempt_at) FROM outbox o WHERE o.state = 'pending' \(placeholders)
                      AND NOT EXISTS (SELECT 1 FROM endpoint_state e WHERE e.name = o.endpoint AND e.disabled_at IS NOT NULL)
                      AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.endpoint = o.endpoint AND p.case_id = o.case_id
                                      AND p.sequence < o.sequence AND p.state != 'delivered')
                    """), arguments: arguments)
    }

    /// Records an attempt and moves the message on, in one transaction.
    public func recordAttempt(_ message: OutboxMessage, outcome: DeliveryOutcome, at date: Date) async throws(StoreError) {
        let at = Timestamp.format(date)
        do {
            try await intake.write { db in
                try db.cachedStatement(
                    sql: "INSERT INTO delivery_attempts (outbox_id, at, status, latency_ms, error) VALUES (?, ?, ?, ?, ?)"
                ).execute(arguments: [message.rowID, at, outcome.status, outcome.latencyMs, outcome.error])
                switch outcome.next {
                case .delivered:
                    try db.cachedStatement(
                        sql: """
                            UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_status = ?, last_error = NULL
                            WHERE id = ?
                            """
                    ).execute(arguments: [at, outcome.status, message.rowID])
                case .retry(let next):
                    try db.cachedStatement(
                        sql: "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?"
                    ).execute(arguments: [next, outcome.status, outcome.error, message.rowID])
                case .dead:
                    try db.cachedStatement(
                        sql: "UPDATE outbox SET state = 'dead', attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?"
                    ).execute(arguments: [outcome.status, outcome.error, message.rowID])
                case .endpointGone:
                    try db.cachedStatement(sql: "UPDATE outbox SET attempts = attempts + 1, last_status = ?, last_error = ? WHERE id = ?")
                        .execute(arguments: [outcome.status, outcome.error, message.rowID])
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO endpoint_state (name, disabled_at, reason) VALUES (?, ?, ?)
                            ON CONFLICT(name) DO UPDATE SET disabled_at = excluded.disabled_at, reason = excluded.reason
                            """
                    ).execute(arguments: [message.endpoint, at, outcome.error ?? "410 Gone"])
                }
            }
        } catch { throw Self.map(error) }
    }

    /// Outbox messages, newest first; optionally of one case or in one state.
    public func outbox(caseID: String? = nil, state: OutboxMessage.State? = nil, limit: Int = 200) async throws(StoreError)
        -> [OutboxMessage]
    {
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let caseID { clauses.append("case_id = ?"); args.append(caseID) }
        if let state { clauses.append("state = ?"); args.append(state.rawValue) }
        let sql =
            "SELECT * FROM outbox" + (clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) + " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        let arguments = StatementArguments(args) ?? StatementArguments()
        do {
            return try await pool.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(OutboxMessage.init(row:)) }
        } catch { throw Self.map(error) }
    }

    /// Every recorded attempt of the messages of a case, by message id, oldest first.
    public func attempts(caseID: String) async throws(StoreError) -> [String: [JSONValue]] {
        do {
            return try await pool.read { db in
                var out: [String: [JSONValue]] = [:]
                let rows = try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT o.message_id, a.at, a.status, a.latency_ms, a.error FROM delivery_attempts a
                            JOIN outbox o ON o.id = a.outbox_id WHERE o.case_id = ? ORDER BY a.id
                            """), arguments: [caseID])
                for r in rows {
                    let status: Int? = r["status"]
                    let latency: Int = r["latency_ms"]
                    let error: String? = r["error"]
                    out[r["message_id"], default: []].append([
                        "at": .string(r["at"]), "status": status.map { .int(Int64($0)) } ?? .null,
                        "latency_ms": .int(Int64(latency)), "error": .optional(error),
                    ])
                }
                return out
            }
        } catch { throw Self.map(error) }
    }

    /// The endpoints disabled by a 410 answer, with when and why.
    public func disabledEndpoints() async throws(StoreError) -> [(name: String, at: String, reason: String)] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM endpoint_state WHERE disabled_at IS NOT NULL")).map {
                    ($0["name"], $0["disabled_at"], $0["reason"] ?? "")
                }
            }
        } catch { throw Self.map(error) }
    }

    /// Makes dead messages pending again (all, or one message id, or one endpoint's) and
    /// re-enables disabled endpoints named. Returns how many messages were re-queued.
    public func retry(messageID: String?, endpoint: String?, now: Double) async throws(StoreError) -> Int {
        do {
            return try await intake.write { db in
                if let endpoint {
                    try db.cachedStatement(sql: "UPDATE endpoint_state SET disabled_at = NULL, reason = NULL WHERE name = ?").execute(
                        arguments: [endpoint])
                } else if messageID == nil {
                    try db.execute(sql: "UPDATE endpoint_state SET disabled_at = NULL, reason = NULL")
                }
                var sql = "UPDATE outbox SET state = 'pending', next_attempt_at = ?, attempts = 0 WHERE state = 'dead'"
                var args: [any DatabaseValueConvertible] = [now]
                if let messageID { sql += " AND message_id = ?"; args.append(messageID) }
                if let endpoint { sql += " AND endpoint = ?"; args.append(endpoint) }
                try db.execute(sql: sql, arguments: StatementArguments(args) ?? StatementArguments())
                var changed = db.changesCount
                // Pending messages of a re-enabled endpoint go out at once.
                if let endpoint {
                    try db.cachedStatement(sql: "UPDATE outbox SET next_attempt_at = ? WHERE state = 'pending' AND endpoint = ?").execute(
                        arguments: [now, endpoint])
                    changed += db.changesCount
                }
                return changed
            }
        } catch { throw Self.map(error) }
    }
}
