import Foundation
import GRDB
import SokuhoCore

/// One change to a ledger entry, decided from its current state: an event, and the message
/// type it sends to the city (nil: none).
public struct LedgerChange: Sendable {
    public var event: LedgerEvent
    public var message: EscalationMessage.LedgerKind?

    public init(_ event: LedgerEvent, message: EscalationMessage.LedgerKind? = nil) {
        self.event = event
        self.message = message
    }
}

/// The result of a ledger write: the entry after it, and one receipt per event written.
public struct LedgerResult: Sendable {
    public var entry: LedgerEntry
    public var receipts: [Receipt]
}

/// The ledger of confidential information (Art. 10(3), docs/ledger.md): entries are written
/// through events stored under their id, like cases, and their rows are what replay gives.
extension CaseStore {
    /// Adds an entry (`ledger.added`) and queues the receipt message (`ledger.received`) for
    /// `endpoints`, in one transaction.
    public func addLedgerEntry(_ fields: LedgerFields, actor: EventActor, at date: Date, endpoints: [String]) async throws(StoreError)
        -> LedgerResult
    {
        let at = Timestamp.format(date)
        let now = date.timeIntervalSince1970
        do {
            return try await intake.write { db in
                let number = try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM ledger_entries")) ?? 1
                let id = LedgerID.make(number: number)
                let event = LedgerEvent.added(fields)
                let e = try Self.append(db, at: at, caseID: id, type: event.type.rawValue, actor: actor.json, data: event.data)
                let entry = LedgerEntry(id: id, fields: fields, at: at)
                try db.cachedStatement(
                    sql: """
                        INSERT INTO ledger_entries (id, number, state, category, created_at, updated_at, last_seq, body)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    id, number, entry.state.rawValue, fields.category.rawValue, at, at, e.seq, entry.json.canonicalString,
                ])
                try Self.enqueueLedger(db, kind: .received, entry: entry, request: nil, event: e, endpoints: endpoints, now: now)
                return LedgerResult(entry: entry, receipts: [Receipt(caseID: id, seq: e.seq, hash: e.hash, at: at)])
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Changes an entry in one transaction: replays it, lets `decide` look at it (and refuse with
    /// a `ValidationError`, or return no change), then appends each event, applies it, queues
    /// its message and updates the row. Deciding inside the write makes "only after approval"
    /// and "one application at a time" race-free.
    public func mutateLedgerEntry(
        id: String, actor: EventActor, at date: Date, endpoints: [String],
        _ decide: @Sendable @escaping (LedgerEntry) throws -> [LedgerChange]
    ) async throws(StoreError) -> LedgerResult {
        let at = Timestamp.format(date)
        let now = date.timeIntervalSince1970
        let how = SubjectChange<LedgerEntry, LedgerChange>(
            replay: { try LedgerEntry.replay($0) }, event: { ($0.event.type.rawValue, $0.event.data) },
            apply: { entry, change, e, db in
                try entry.apply(change.event, at: at)
                if let kind = change.message {
                    let request = Self.requestJSON(change.event, entry: entry)
                    try Self.enqueueLedger(db, kind: kind, entry: entry, request: request, event: e, endpoints: endpoints, now: now)
                }
            },
            save: { entry, lastSeq, db in
                try db.execute(
                    sql: "UPDATE ledger_entries SET state = ?, category = ?, updated_at = ?, last_seq = ?, body = ? WHERE id = ?",
                    arguments: [entry.state.rawValue, entry.fields.category.rawValue, at, lastSeq, entry.json.canonicalString, id])
            })
        let (entry, receipts) = try await mutateSubject(id: id, actor: actor, at: at, how, decide: decide)
        return LedgerResult(entry: entry, receipts: receipts)
    }

    /// The take-out or disposal a request event concerns, as the city is told of it.
    static func requestJSON(_ event: LedgerEvent, entry: LedgerEntry) -> JSONValue? {
        let request: String
        switch event {
        case .takeOutRequested(let r): request = r.request
        case .takeOutApproved(let a), .disposalApproved(let a): request = a.request
        case .takeOutReturned(let r, _): request = r
        case .disposalRequested(let r): request = r.request
        case .disposalCompleted(let d): request = d.request
        case .withdrawn(let r, _): request = r
        case .added, .updated: return nil
        }
        var json = entry.takeOut(request)?.json ?? entry.disposal(request)?.json
        // Who asked is the contractor's business; the city gets the request itself.
        if case .object(var o)? = json {
            o["requested_by"] = nil
            json = .object(o)
        }
        return json
    }

    /// Queues one ledger message per endpoint, numbered per entry and endpoint like a case's.
    static func enqueueLedger(
        _ db: Database, kind: EscalationMessage.LedgerKind, entry: LedgerEntry, request: JSONValue?, event: StoredEvent,
        endpoints: [String], now: Double
    ) throws {
        try queue(db, type: kind.rawValue, subject: entry.id, event: event, endpoints: endpoints, now: now) { sequence, installation in
            EscalationMessage.ledgerPayload(
                kind: kind, entry: entry, request: request, sequence: sequence, chainSeq: event.seq, chainHash: event.hash, at: event.at,
                installation: installation)
        }
    }

    /// The entry with this id, replayed from its events, its events, and the cases whose
    /// reports named it; `nil` when unknown.
    public func ledgerEntry(id: String) async throws(StoreError) -> (entry: LedgerEntry, events: [StoredEvent], cases: [String])? {
        do {
            return try await pool.read { db in
                let events = try Self.events(db, caseID: id)
                guard events.first?.type == EventType.ledgerAdded.rawValue else { return nil }
                let cases = try String.fetchAll(
                    db.cachedStatement(sql: "SELECT case_id FROM case_assets WHERE entry_id = ? ORDER BY case_id"), arguments: [id])
                return (try LedgerEntry.replay(events), events, cases)
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// The entries as stored, in number order, optionally of one state and category.
    public func ledgerEntries(state: LedgerState? = nil, category: LedgerCategory? = nil, limit: Int = 10_000) async throws(StoreError)
        -> [JSONValue]
    {
        do {
            return try await pool.read { db in try Self.ledgerRows(db, state: state, category: category, limit: limit) }
        } catch {
            throw Self.map(error)
        }
    }

    static func ledgerRows(_ db: Database, state: LedgerState?, category: LedgerCategory?, limit: Int) throws -> [JSONValue] {
        var sql = "SELECT body FROM ledger_entries WHERE 1"
        var args: [(any DatabaseValueConvertible)?] = []
        if let state {
            sql += " AND state = ?"
            args.append(state.rawValue)
        }
        if let category {
            sql += " AND category = ?"
            args.append(category.rawValue)
        }
        sql += " ORDER BY number LIMIT ?"
        args.append(limit)
        return try String.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { body in
            do { return try JSONParser.parse(body) } catch { throw StoreError.malformed(reason: "ledger row: \(error)") }
        }
    }

    /// Sends the whole ledger as of now to `endpoints` (`ledger.submitted`, Art. 10(3)) and
    /// records it, in one transaction. Returns the number of entries and the receipt.
    public func submitLedger(actor: EventActor, at date: Date, endpoints: [String]) async throws(StoreError) -> (Int, Receipt) {
        let at = Timestamp.format(date)
        let now = date.timeIntervalSince1970
        do {
            return try await intake.write { db in
                let rows = try Self.ledgerRows(db, state: nil, category: nil, limit: Int.max)
                let e = try Self.append(
                    db, at: at, caseID: nil, type: EventType.ledgerSubmitted.rawValue, actor: actor.json,
                    data: ["entries": .int(Int64(rows.count))])
                let kind = EscalationMessage.LedgerKind.submitted.rawValue
                try Self.queue(db, type: kind, subject: EscalationMessage.ledgerOutboxKey, event: e, endpoints: endpoints, now: now) {
                    sequence, installation in
                    [
                        "type": .string(kind), "timestamp": .string(at),
                        "data": [
                            "sequence": .int(Int64(sequence)), "count": .int(Int64(rows.count)),
                            "entries": .array(rows.map(EscalationMessage.ledgerSubmissionRow)),
                            "audit": ["seq": .int(e.seq), "hash": .string(e.hash)], "installation": .string(installation),
                        ],
                    ]
                }
                return (rows.count, Receipt(caseID: nil, seq: e.seq, hash: e.hash, at: at))
            }
        } catch {
            throw Self.map(error)
        }
    }

    /// Fills what a report leaves to its ledger entries: the information (their names) when it
    /// gives none, and the count and unit (their records summed, when every entry has records and
    /// all share one unit) when it gives no count. Only for a lead or an admin: a reporter may
    /// name entries but not read them, so a reporter's report must say the information itself.
    /// Returns the fields filled.
    static func fillFromLedger(_ report: inout Report, _ entries: [LedgerEntry], actor: EventActor) throws -> [String] {
        guard !entries.isEmpty else { return [] }
        let mayRead = actor.role == .lead || actor.role == .admin
        if report.information.isEmpty && !mayRead {
            throw StoreError.invalid(
                ValidationError(
                    .missingField, field: "information",
                    "information is required: the ledger fills it from the entries named only for a security lead",
                    ja: "information は必須です（台帳の項目名からの補完は作業責任者の報告に限られます）"))
        }
        guard mayRead else { return [] }
        var filled: [String] = []
        if report.information.isEmpty {
            report.information = entries.map(\.fields.name).joined(separator: "、")
            filled.append("information")
        }
        let units = Set(entries.map(\.fields.unit))
        let records = entries.compactMap(\.fields.records)
        // The sum, unless it overflows (records are counts a user typed: never trusted to add up).
        let sum = records.reduce(Int64?.some(0)) { total, n in
            guard let total else { return nil }
            let (s, overflow) = total.addingReportingOverflow(n)
            return overflow ? nil : s
        }
        if report.count == nil, units.count == 1, records.count == entries.count, let sum,
            report.countUnit == nil || report.countUnit == units.first
        {
            report.count = sum
            report.countPrecision = .exact
            report.countUnit = units.first
            filled.append("count")
        }
        return filled
    }

    /// The entries a report names, as they are now, inside the report's transaction; an unknown
    /// id is refused, naming it.
    static func linkedEntries(_ db: Database, ids: [String]) throws -> [LedgerEntry] {
        try ids.enumerated().map { (i, id) in
            let events = try Self.events(db, caseID: id)
            guard events.first?.type == EventType.ledgerAdded.rawValue else {
                throw StoreError.invalid(
                    ValidationError(
                        .notFound, field: "assets[\(i)]", "no ledger entry \(id)", ja: "台帳に \(id) はありません"))
            }
            return try LedgerEntry.replay(events)
        }
    }

    /// The ledger's part of the Art. 16 status report: entries by state now, and the take-outs
    /// approved and the disposals done in `[from, to)`.
    static func ledgerActivity(_ db: Database, from: String, to: String) throws -> JSONValue {
        var byState: [String: JSONValue] = Dictionary(uniqueKeysWithValues: LedgerState.allCases.map { ($0.rawValue, JSONValue.int(0)) })
        for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM ledger_entries GROUP BY state") {
            byState[row["state"] as String] = .int(row["n"] as Int64)
        }
        func count(_ type: EventType) throws -> Int64 {
            try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM events WHERE type = ? AND at >= ? AND at < ?"),
                arguments: [type.rawValue, from, to]) ?? 0
        }
        let total = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM ledger_entries") ?? 0
        return [
            "entries": .int(total), "by_state": .object(byState), "added": .int(try count(.ledgerAdded)),
            "takeouts_approved": .int(try count(.takeOutApproved)), "takeouts_returned": .int(try count(.takeOutReturned)),
            "disposals_done": .int(try count(.disposalCompleted)),
        ]
    }

    /// `ledgerActivity` on its own.
    public func ledgerActivity(from: String, to: String) async throws(StoreError) -> JSONValue {
        do { return try await pool.read { db in try Self.ledgerActivity(db, from: from, to: to) } } catch { throw Self.map(error) }
    }
}

/// What `instructions.poll` tells the city (docs/city.md).
extension CaseStore {
    /// This installation's id.
    public func installation() async throws(StoreError) -> String {
        do { return try await pool.read { db in try Self.installationID(db) } } catch { throw Self.map(error) }
    }

    /// The cases not closed, and the city's instructions and publication decisions recorded on
    /// them (by the city's ids): what the next poll reports as received.
    public func cityRecorded() async throws(StoreError) -> (openCases: [String], instructions: [String], publications: [String]) {
        do {
            return try await pool.read { db in
                var open: [String] = []
                var instructions: [String] = []
                var publications: [String] = []
                // Cases not closed, and those closed in the last 30 days (an instruction or decision
                // the city issued just before closure is still acknowledged).
                let since = Timestamp.format(Date(timeIntervalSinceNow: -30 * 86400))
                for row in try Row.fetchAll(
                    db, sql: "SELECT id, state, body FROM cases WHERE state != 'closed' OR updated_at >= ? ORDER BY year, number",
                    arguments: [since])
                {
                    if (row["state"] as String) != "closed" { open.append(row["id"]) }
                    guard let body = try? JSONParser.parse(row["body"] as String) else { continue }
                    instructions += (body["instructions"]?.arrayValue ?? []).compactMap { $0["external_id"]?.stringValue }
                    if let p = body["publication"]?["external_id"]?.stringValue { publications.append(p) }
                }
                return (open, instructions, publications)
            }
        } catch {
            throw Self.map(error)
        }
    }
}
