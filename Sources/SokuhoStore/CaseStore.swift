import Foundation
import GRDB
import SokuhoCore
import Synchronization

/// The durable, append-only case store.
///
/// Contract:
/// - every change is one event in the `events` table, chained by hash (`AuditChain`), written
///   in one SQLite transaction together with the derived `cases` row and the chain head;
/// - a method returns only after its transaction is committed with `synchronous=FULL` in WAL
///   mode, i.e. after the commit is on disk: a returned receipt is a durable receipt;
/// - reports (`openCase`) that arrive together share one transaction (group commit), each in its
///   own savepoint, and each caller is answered only after that commit;
/// - writes are serialised; reads run concurrently with writes.
public final class CaseStore: Sendable {
    public let path: String
    let pool: DatabasePool
    /// Every write goes through group commit (`GroupCommit`).
    let intake: GroupCommit
    /// Parsed playbook versions by hash (immutable once stored).
    let playbookVersions = Mutex<[String: Playbook]>([:])
    /// Cases just committed, for a look without a replay (`caseForLook`).
    let recent = RecentCases()

    /// How every Sokuho database is opened (sokuhod's and the city's): WAL with
    /// `synchronous=FULL`, so a committed transaction is on disk; 10 s to wait for a lock.
    public static var durableConfiguration: Configuration {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return config
    }

    /// Case and ledger rows derived again from their events at this open (`rederiveIfStale`):
    /// non-zero once after an upgrade from a version that wrote them differently.
    public let rederivedRows: Int

    /// Opens (creating if needed) the database at `path`, runs pending migrations, and derives
    /// the case and ledger rows again if older code wrote them.
    public init(path: String) throws(StoreError) {
        self.path = path
        let config = Self.durableConfiguration
        try Self.refuseNewerSchema(path: path)
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw CaseStore.openError(error, path: path)
        }
        intake = GroupCommit(pool: pool)
        do {
            let migrator = Schema.migrator
            // A database migrated by a newer sokuhod holds migrations this one does not know.
            let superseded: Int? = try pool.read { db in
                try migrator.hasBeenSuperseded(db) ? try migrator.appliedIdentifiers(db).count : nil
            }
            if let found = superseded {
                throw StoreError.newerSchema(path: path, found: found, supported: migrator.migrations.count)
            }
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db).count }
            try migrator.migrate(pool)
            rederivedRows = try Self.rederiveIfStale(pool, migrated: applied != migrator.migrations.count)
        } catch let e as StoreError {
            throw e
        } catch {
            throw CaseStore.openError(error, path: path)
        }
    }

    static func openError(_ error: Error, path: String) -> StoreError {
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .corrupt(path: path, reason: e.message ?? "\(e)")
            case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY: return .cannotOpen(path: path, reason: e.message ?? "\(e)")
            case .SQLITE_FULL: return .diskFull(reason: e.message ?? "\(e)")
            default: break
            }
        }
        return CaseStore.map(error)
    }

    static func map(_ error: Error) -> StoreError {
        if let e = error as? StoreError { return e }
        if let e = error as? ValidationError { return .invalid(e) }
        if let e = error as? DatabaseError {
            let reason = e.message ?? "\(e)"
            switch e.resultCode {
            case .SQLITE_FULL: return .diskFull(reason: reason)
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .busy(reason: reason)
            case .SQLITE_CORRUPT, .SQLITE_NOTADB: return .corrupt(path: "", reason: reason)
            default: return .io(reason: reason)
            }
        }
        if !(error is DatabaseError) { return .declined(error) }
        return .io(reason: "\(error)")
    }

    // MARK: - Writes

    /// Opens a case from a validated report, or returns the existing case when the same reporter
    /// (`actor.peer.uid`, the file owner for a spool drop) sent `report.reportID` before (then
    /// nothing is written and `duplicate` is true). Report ids are keys per reporter: another
    /// reporter's id never matches, so nobody can read or silence someone else's report through it. `discovered_at`
    /// defaults to the time of receipt (`Report.received(at:)`).
    ///
    /// - Parameters:
    ///   - year: the calendar year for the case id, in the operator's time zone.
    ///   - source: how the report arrived. For a spool file (`file` and `sha256` set) the spool
    ///     journal row is written in the same transaction, and a file already in the journal
    ///     returns its case as a duplicate.
    ///   - playbooks: chooses the playbook for the new case (`PlaybookSet.select`); the choice,
    ///     a `playbook.assigned` event and the playbook version are written in the same transaction.
    public func openCase(
        _ received: Report, actor: EventActor, at date: Date, year: Int, source: ReportSource = .socket,
        escalateTo endpoints: [String] = [], playbooks: PlaybookSet = .empty
    ) async throws(StoreError) -> OpenResult {
        let at = Timestamp.format(date)
        let request = OpenRequest(
            report: received.received(at: at), actor: actor, at: at, now: date.timeIntervalSince1970, year: year,
            source: source, endpoints: endpoints, playbooks: playbooks)
        let result = try await intake.write { db in try Self.open(db, request) }
        if let lastSeq = result.lastSeq { recent.remember(result.case, lastSeq: lastSeq) }
        return result
    }

    /// Opens one case inside the caller's transaction (a savepoint of a group commit).
    static func open(_ db: Database, _ r: OpenRequest) throws -> OpenResult {
        let (report, actor, at, year, source, endpoints, playbooks) = (r.report, r.actor, r.at, r.year, r.source, r.endpoints, r.playbooks)
        if let file = source.file, let sha = source.sha256,
            let known = try Self.spoolRecord(db, name: file, sha256: sha, ownerUID: actor.peer.uid), let existing = known.caseID
        {
            return try Self.existingCase(db, id: existing)
        }
        if let rid = report.reportID,
            let existing = try String.fetchOne(
                db, sql: "SELECT case_id FROM report_ids WHERE reporter_uid = ? AND report_id = ?",
                arguments: [Int64(actor.peer.uid), rid])
        {
            let result = try Self.existingCase(db, id: existing)
            if let file = source.file, let sha = source.sha256 {
                try Self.insertSpoolRecord(
                    db, name: file, sha256: sha, outcome: .accepted, caseID: existing,
                    eventSeq: result.receipt.seq, at: at, ownerUID: actor.peer.uid, error: nil)
            }
            return result
        }
        let number =
            try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM cases WHERE year = ?"), arguments: [year])
            ?? 1
        let id = CaseID.make(year: year, number: number)
        let linked = try Self.linkedEntries(db, ids: report.assets)
        var filled = report
        let fromLedger = try Self.fillFromLedger(&filled, linked, actor: actor)
        let data = Case.openingData(
            report: filled, reportedBy: actor.peer, source: source, ledger: linked.map(\.summaryJSON), fromLedger: fromLedger)
        let event = try Self.append(db, at: at, caseID: id, type: EventType.caseOpened.rawValue, actor: actor.json, data: data)
        var c = try Case.opened(id: id, at: at, data: data, hash: event.hash)
        var playbookHash: String?
        var lastSeq = event.seq
        if let chosen = playbooks.select(for: c) {
            let p = chosen.playbook
            let hash = chosen.hash
            try db.cachedStatement(
                sql: "INSERT INTO playbooks (hash, id, body, first_used_at) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING"
            ).execute(arguments: [hash, p.id, chosen.body, at])
            let assigned = CaseEvent.playbookAssigned(
                PlaybookAssignment(
                    playbook: p.id, hash: hash, title: p.title,
                    file: (chosen.file as NSString).lastPathComponent))
            lastSeq = try Self.append(
                db, at: at, caseID: id, type: assigned.type.rawValue, actor: Self.daemonActor.json, data: assigned.data
            ).seq
            try c.apply(assigned, at: at)
            playbookHash = hash
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO cases (id, year, number, kind, state, reporter_uid, reported_at, updated_at, last_seq, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id, year, number, report.kind.rawValue, c.state.rawValue, Int64(actor.peer.uid), at, at, event.seq, c.json.canonicalString,
        ])
        if let playbookHash {
            try db.cachedStatement(sql: "UPDATE cases SET playbook_hash = ?, last_seq = ? WHERE id = ?").execute(
                arguments: [playbookHash, lastSeq, id])
        }
        let queued = try Self.enqueue(db, kind: .opened, case: c, event: event, endpoints: endpoints, now: r.now)
        for entry in linked {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO case_assets (entry_id, case_id) VALUES (?, ?)").execute(arguments: [
                entry.id, id,
            ])
        }
        if let rid = report.reportID {
            try db.cachedStatement(sql: "INSERT INTO report_ids (reporter_uid, report_id, case_id) VALUES (?, ?, ?)")
                .execute(arguments: [Int64(actor.peer.uid), rid, id])
        }
        if let file = source.file, let sha = source.sha256 {
            try Self.insertSpoolRecord(
                db, name: file, sha256: sha, outcome: .accepted, caseID: id,
                eventSeq: event.seq, at: at, ownerUID: actor.peer.uid, error: nil)
        }
        return OpenResult(
            case: c, receipt: Receipt(caseID: id, seq: event.seq, hash: event.hash, at: at), duplicate: false, queued: queued,
            lastSeq: lastSeq)
    }

    /// Completes or corrects Article 18 fields of a case. Writes one `case.updated` event when
    /// something changes; nothing when the values are already as given.
    public func updateCase(id: String, fields: JSONValue, actor: EventActor, at date: Date, escalateTo endpoints: [String] = [])
        async throws(StoreError) -> UpdateResult
    {
        let found = Mutex<[String: JSONValue]>([:])
        let result = try await mutateCase(id: id, actor: actor, at: date) { c in
            let (reportFields, appiFields) = try CaseUpdate.split(fields)
            let reportChanges = reportFields.isEmpty ? [:] : try CaseUpdate.changes(.object(reportFields), to: c.report)
            let appiChanges = appiFields.isEmpty ? [:] : try AppiItems.changes(appiFields, to: c.appi)
            let all = reportChanges.merging(appiChanges) { a, _ in a }
            found.withLock { $0 = all }
            var events: [CaseChange] = []
            if !reportChanges.isEmpty { events.append(CaseChange(.updated(FieldChanges(changes: reportChanges)))) }
            if !appiChanges.isEmpty { events.append(CaseChange(.appiUpdated(FieldChanges(changes: appiChanges)))) }
            // One update message to the city, with everything that changed, after the last event.
            if !events.isEmpty {
                events[events.count - 1].messages = [
                    .init(type: EscalationMessage.Kind.updated.rawValue, endpoints: endpoints, extra: ["changes": .object(all)])
                ]
            }
            return events
        }
        return UpdateResult(case: result.case, changes: found.withLock { $0 }, receipt: result.receipts.first)
    }

    /// Appends an event that does not change a case (e.g. `access.denied`).
    @discardableResult
    public func record(type: EventType, caseID: String?, actor: EventActor, data: JSONValue, at date: Date) async throws(StoreError)
        -> Receipt
    {
        let at = Timestamp.format(date)
        return try await intake.write { db in
            let e = try Self.append(db, at: at, caseID: caseID, type: type.rawValue, actor: actor.json, data: data)
            return Receipt(caseID: caseID, seq: e.seq, hash: e.hash, at: at)
        }
    }

    /// Appends one event to the chain inside the current transaction.
    static func append(_ db: Database, at: String, caseID: String?, type: String, actor: JSONValue, data: JSONValue) throws -> StoredEvent {
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM chain_head WHERE id = 1"))
        let previous: (seq: Int64, hash: String)? = head.map { ($0["seq"], $0["hash"]) }
        let e = StoredEvent.chained(after: previous, at: at, caseID: caseID, type: type, actor: actor, data: data)
        try db.cachedStatement(
            sql: "INSERT INTO events (seq, at, case_id, type, actor, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [e.seq, e.at, e.caseID, e.type, e.actor.canonicalString, e.data.canonicalString, e.prevHash, e.hash])
        try db.cachedStatement(
            sql:
                "INSERT INTO chain_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash"
        ).execute(arguments: [e.seq, e.hash])
        return e
    }

    // MARK: - Reads

    /// The case with this id, replayed from its events, and its events; `nil` when unknown.
    public func getCase(id: String) async throws(StoreError) -> (Case, [StoredEvent])? {
        do {
            return try await pool.read { db in
                let events = try Self.events(db, caseID: id)
                if events.isEmpty { return nil }
                return (try Case.replay(events), events)
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Cases, newest first, as stored summaries (`Case.json`).
    public func listCases(_ filter: CaseFilter) async throws(StoreError) -> [JSONValue] {
        var sql = "SELECT body FROM cases"
        var clauses: [String] = []
        var args: [any DatabaseValueConvertible] = []
        if let k = filter.kind { clauses.append("kind = ?"); args.append(k.rawValue) }
        if let s = filter.state { clauses.append("state = ?"); args.append(s.rawValue) }
        if let uid = filter.reporterUID { clauses.append("reporter_uid = ?"); args.append(Int64(uid)) }
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY year DESC, number DESC LIMIT ?"
        args.append(filter.limit)
        let query = sql
        let arguments = StatementArguments(args) ?? StatementArguments()
        do {
            return try await pool.read { db in
                try String.fetchAll(db, sql: query, arguments: arguments).map { body in
                    do { return try JSONParser.parse(body) } catch { throw StoreError.malformed(reason: "case row: \(error)") }
                }
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Counts and the chain head.
    public func stats() async throws(StoreError) -> StoreStats {
        do {
            return try await pool.read { db in
                let cases = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM cases")) ?? 0
                let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, hash FROM chain_head WHERE id = 1"))
                return StoreStats(cases: cases, events: head?["seq"] ?? 0, headHash: head?["hash"] ?? AuditChain.genesisHash)
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// A quick health check for the watchdog: the database answers a query.
    public func ping() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }) != nil
    }

    /// The case `id` as the answer to a repeated report.
    static func existingCase(_ db: Database, id: String) throws -> OpenResult {
        let events = try Self.events(db, caseID: id)
        guard let first = events.first else { throw StoreError.notFound(id: id) }
        let c = try Case.replay(events)
        return OpenResult(case: c, receipt: Receipt(caseID: c.id, seq: first.seq, hash: first.hash, at: first.at), duplicate: true)
    }

    static func events(_ db: Database, caseID: String) throws -> [StoredEvent] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM events WHERE case_id = ? ORDER BY seq"), arguments: [caseID]).map(
            decodeEvent)
    }

    static func decodeEvent(_ row: Row) throws -> StoredEvent {
        let seq: Int64 = row["seq"]
        let actorText: String = row["actor"]
        let dataText: String = row["data"]
        do {
            return StoredEvent(
                seq: seq, at: row["at"], caseID: row["case_id"], type: row["type"],
                actor: try JSONParser.parse(actorText), data: try JSONParser.parse(dataText),
                prevHash: row["prev_hash"], hash: row["hash"])
        } catch {
            throw StoreError.malformed(reason: "event #\(seq): \(error)")
        }
    }
}
