import Foundation
import GRDB
import SokuhoCore

/// One change to a case, decided from its current state: an event, and the messages it sends.
public struct CaseChange: Sendable {
    public struct Message: Sendable {
        /// The message type (`incident.contained`, `incident.step_overdue`, …).
        public var type: String
        public var endpoints: [String]
        /// Members added to the payload's `data` (e.g. `step`).
        public var extra: [String: JSONValue]

        public init(type: String, endpoints: [String], extra: [String: JSONValue] = [:]) {
            self.type = type
            self.endpoints = endpoints
            self.extra = extra
        }
    }

    public var event: CaseEvent
    public var messages: [Message]

    public init(_ event: CaseEvent, messages: [Message] = []) {
        self.event = event
        self.messages = messages
    }
}

/// The result of `mutateCase`.
public struct MutationResult: Sendable {
    public var `case`: Case
    /// One receipt per event written, in order; empty when nothing changed.
    public var receipts: [Receipt]
}

extension CaseStore {
    /// The daemon itself, as the actor of what it does on its own (auto steps, reminders).
    public static let daemonActor = EventActor(
        peer: PeerIdentity(uid: UInt32(geteuid()), gid: UInt32(getegid()), pid: getpid(), user: "sokuhod"), role: .admin, channel: "daemon")

    /// Changes a case in one transaction: replays it, lets `decide` look at the current state
    /// (and refuse with a `ValidationError`, or return no change), then appends each event,
    /// applies it, queues its messages (built from the case after the event), and updates the
    /// case row. Deciding inside the write transaction makes checks such as "this step is not
    /// done yet" race-free, so an automatic step runs exactly once.
    public func mutateCase(
        id: String, actor: EventActor, at date: Date,
        _ decide: @Sendable @escaping (Case) throws -> [CaseChange]
    ) async throws(StoreError) -> MutationResult {
        let at = Timestamp.format(date)
        let now = date.timeIntervalSince1970
        let how = SubjectChange<Case, CaseChange>(
            replay: { try Case.replay($0) }, event: { ($0.event.type.rawValue, $0.event.data) },
            apply: { c, change, e, db in
                try c.apply(change.event, at: at)
                for m in change.messages where !m.endpoints.isEmpty {
                    try Self.enqueue(db, type: m.type, case: c, event: e, endpoints: m.endpoints, extra: m.extra, now: now)
                }
            },
            save: { c, lastSeq, db in
                try db.execute(
                    sql: "UPDATE cases SET kind = ?, state = ?, updated_at = ?, last_seq = ?, body = ? WHERE id = ?",
                    arguments: [c.report.kind.rawValue, c.state.rawValue, at, lastSeq, c.json.canonicalString, id])
            })
        let (c, receipts) = try await mutateSubject(id: id, actor: actor, at: at, how, decide: decide)
        if let last = receipts.last { recent.remember(c, lastSeq: last.seq) }
        return MutationResult(case: c, receipts: receipts)
    }

    /// The playbook version stored under `hash` (the one a case started with). Versions never
    /// change, so each is read and parsed once and then kept.
    public func playbook(hash: String) async throws(StoreError) -> Playbook? {
        if let known = playbookVersions.withLock({ $0[hash] }) { return known }
        let parsed = try await storedPlaybook(hash: hash)
        if let parsed { playbookVersions.withLock { $0[hash] = parsed } }
        return parsed
    }

    func storedPlaybook(hash: String) async throws(StoreError) -> Playbook? {
        do {
            return try await pool.read { db in
                guard
                    let body = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM playbooks WHERE hash = ?"), arguments: [hash])
                else { return nil }
                do { return try Playbook.parse(try JSONParser.parse(body)) } catch {
                    throw StoreError.malformed(reason: "stored playbook \(hash): \(error)")
                }
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Ids of the cases not closed, oldest first (the runner watches their steps and clocks).
    public func openCaseIDs() async throws(StoreError) -> [String] {
        do {
            return try await pool.read { db in
                try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM cases WHERE state != 'closed' ORDER BY year, number"))
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// When the first report (`incident.opened`) was acknowledged by one of `endpoints`.
    public func firstReportDeliveredAt(caseID: String, endpoints: [String]) async throws(StoreError) -> Double? {
        guard !endpoints.isEmpty else { return nil }
        do { return try await pool.read { db in try Self.firstReportDeliveredAt(db, caseID: caseID, endpoints: endpoints) } } catch {
            throw Self.map(error)
        }
    }

    static func firstReportDeliveredAt(_ db: Database, caseID: String, endpoints: [String]) throws -> Double? {
        let marks = endpoints.map { _ in "?" }.joined(separator: ",")
        let at = try String.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT MIN(delivered_at) FROM outbox WHERE case_id = ? AND type = 'incident.opened' AND state = 'delivered' AND endpoint IN (\(marks))
                    """), arguments: StatementArguments([caseID] + endpoints))
        return at.flatMap(Timestamp.init(rfc3339:))?.epochSeconds
    }

    /// The rows of the status report of `[from, to)`: the one query behind the report on demand
    /// and the scheduled one.
    static func statusReportCases(_ db: Database, from: String, to: String) throws -> [JSONValue] {
        try String.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT body FROM cases WHERE (reported_at >= ? AND reported_at < ?) OR (state != 'closed' AND reported_at < ?)
                    ORDER BY year, number
                    """), arguments: [from, to, to]
        ).map { body in
            do { return try JSONParser.parse(body) } catch { throw StoreError.malformed(reason: "case row: \(error)") }
        }
    }

    /// Cases reported in `[from, to)` and cases still not closed, oldest first, as stored (`Case.json`).
    public func casesForStatusReport(from: String, to: String) async throws(StoreError) -> [JSONValue] {
        do {
            return try await pool.read { db in try Self.statusReportCases(db, from: from, to: to) }
        } catch {
            throw Self.map(error)
        }
    }
}
