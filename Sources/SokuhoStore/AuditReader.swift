import Foundation
import GRDB
import GRDBSQLite
import SokuhoCore
import Synchronization

/// Reads a case database read-only, without the daemon, and verifies its audit chain.
public struct AuditReader: Sendable {
    /// The outcome of a verification.
    public struct Outcome: Sendable {
        public var eventsChecked: Int64
        public var casesChecked: Int
        public var headHash: String
        /// The first problem; `nil` when the chain and every case verify.
        public var problem: AuditChain.Problem?
        public var seconds: Double
        /// Of `seconds`, the time spent on the chain itself (the rest replays the cases).
        public var chainSeconds: Double = 0

        public var json: JSONValue {
            var o: JSONValue = [
                "ok": .bool(problem == nil), "events": .int(eventsChecked), "cases": .int(Int64(casesChecked)),
                "head_hash": .string(headHash), "seconds": .double(seconds), "chain_seconds": .double(chainSeconds),
            ]
            if case .object(var d) = o, let p = problem {
                d["problem"] = ["kind": .string(p.kind.rawValue), "seq": .int(p.seq), "message": .string(p.message)]
                o = .object(d)
            }
            return o
        }
    }

    let queue: DatabaseQueue

    /// Opens `path` read-only. Fails when the file does not exist.
    public init(path: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.cannotOpen(path: path, reason: "no such file")
        }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") }
        } catch {
            throw CaseStore.openError(error, path: path)
        }
    }

    /// Re-computes the whole chain, then checks that each derived case matches its events.
    ///
    /// One pass over the events verifies the chain from the stored bytes (no JSON parsing:
    /// `AuditChain.feed(raw:)`); a second pass reads each case's events, and the cases are
    /// replayed and compared with the stored case rows, spread over the machine's cores.
    ///
    /// `seconds` and `chainSeconds` are measured on `clock` (monotonic by default): they are
    /// durations, never wall-clock times.
    public func verify<C: Clock>(clock: C = ContinuousClock()) throws(StoreError) -> Outcome where C.Duration == Duration {
        let start = clock.now
        do {
            return try queue.read { db in
                var verifier = AuditChain.Verifier()
                var buffer: [UInt8] = []
                buffer.reserveCapacity(4096)
                // Each case's events as stored, to replay after the chain pass.
                var byCase: [String: [RawRow]] = [:]
                let statement = try db.makeStatement(
                    sql: "SELECT seq, at, case_id, type, actor, data, prev_hash, hash FROM events ORDER BY seq")
                let s = statement.sqliteStatement
                defer { sqlite3_reset(s) }
                while true {
                    let rc = sqlite3_step(s)
                    if rc == SQLITE_DONE { break }
                    guard rc == SQLITE_ROW else { throw StoreError.io(reason: String(cString: sqlite3_errmsg(sqlite3_db_handle(s)))) }
                    let raw = AuditChain.RawEvent(
                        seq: sqlite3_column_int64(s, 0), at: Self.column(s, 1)!, caseID: Self.column(s, 2), type: Self.column(s, 3)!,
                        actor: Self.column(s, 4)!, data: Self.column(s, 5)!, prevHash: Self.column(s, 6)!, hash: Self.column(s, 7)!)
                    if !verifier.feed(raw: raw, buffer: &buffer) { break }
                }
                if verifier.problem == nil {
                    let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM chain_head WHERE id = 1")
                    verifier.finish(recordedHead: head.map { ($0["seq"], $0["hash"]) })
                }
                let chainSeconds = Self.seconds(start.duration(to: clock.now))
                var casesChecked = 0
                var problem = verifier.problem
                if problem == nil {
                    // Second pass: each case's events, to replay the case and compare with its row.
                    let byCaseStatement = try db.makeStatement(
                        sql: """
                            SELECT seq, at, case_id, type, actor, data, prev_hash, hash FROM events WHERE case_id IS NOT NULL ORDER BY case_id, seq
                            """)
                    let cs = byCaseStatement.sqliteStatement
                    defer { sqlite3_reset(cs) }
                    var current: String?
                    var rows: [RawRow] = []
                    while sqlite3_step(cs) == SQLITE_ROW {
                        let raw = AuditChain.RawEvent(
                            seq: sqlite3_column_int64(cs, 0), at: Self.column(cs, 1)!, caseID: Self.column(cs, 2),
                            type: Self.column(cs, 3)!,
                            actor: Self.column(cs, 4)!, data: Self.column(cs, 5)!, prevHash: Self.column(cs, 6)!, hash: Self.column(cs, 7)!)
                        let row = RawRow(raw)
                        if row.caseID != current {
                            if let current { byCase[current] = rows }
                            current = row.caseID
                            rows = []
                        }
                        rows.append(row)
                    }
                    if let current { byCase[current] = rows }
                    let bodies = try Row.fetchAll(db, sql: "SELECT id, body FROM cases ORDER BY id").map {
                        (id: $0["id"] as String, body: $0["body"] as String)
                    }
                    let result = Self.checkCases(bodies, byCase: byCase)
                    casesChecked = result.checked
                    problem = result.problem
                    if problem == nil { problem = Self.checkMissingCases(byCase: byCase, rows: Set(bodies.map(\.id))) }
                    if problem == nil { problem = try Self.checkLedger(db, byCase: byCase, links: result.links) }
                }
                return Outcome(
                    eventsChecked: verifier.count, casesChecked: casesChecked,
                    headHash: verifier.last?.hash ?? AuditChain.genesisHash, problem: problem,
                    seconds: Self.seconds(start.duration(to: clock.now)), chainSeconds: chainSeconds)
            }
        } catch {
            throw CaseStore.map(error)
        }
    }

    /// The ledger against its events: each row (body, state, category) as replayed, no entry
    /// with events but no row, and the links between cases and entries (`case_assets`) exactly
    /// those the reports made. A database from before the ledger has no tables, and then no
    /// ledger events may exist either (dropped tables are found). `links`: the links of the cases
    /// `checkCases` replayed, by case id (other cases' opening events are read here).
    static func checkLedger(_ db: Database, byCase: [String: [RawRow]], links: [String: [String]]) throws -> AuditChain.Problem? {
        let ledgerIDs = byCase.keys.filter { LedgerID.parse($0) != nil }
        guard try db.tableExists("ledger_entries"), try db.tableExists("case_assets") else {
            guard let id = ledgerIDs.min() else { return nil }
            return AuditChain.Problem(
                kind: .edited, seq: byCase[id]?.last?.seq ?? 0, message: "ledger entry \(id) has events but the ledger tables are gone")
        }
        let table = try Row.fetchAll(db, sql: "SELECT id, number, state, category, body FROM ledger_entries ORDER BY number")
        // The number is the id's (it decides the next id and the order of the list).
        for r in table where LedgerID.parse(r["id"]) != (r["number"] as Int) {
            let id: String = r["id"]
            return AuditChain.Problem(
                kind: .edited, seq: byCase[id]?.last?.seq ?? 0,
                message: "ledger entry \(id): its number was edited (the ledger table was edited)")
        }
        let rows = table.map {
            (id: $0["id"] as String, state: $0["state"] as String, category: $0["category"] as String, body: $0["body"] as String)
        }
        if let p = checkLedger(rows, byCase: byCase) { return p }
        // The links: from each case's opening event.
        var expected = Set<String>()
        for (caseID, entries) in links { for id in entries { expected.insert(id + " " + caseID) } }
        for (caseID, events) in byCase where links[caseID] == nil && CaseID.parse(caseID) != nil {
            guard let first = events.first, first.type == EventType.caseOpened.rawValue, let data = try? JSONParser.parse(first.data) else {
                continue
            }
            for e in data["ledger"]?.arrayValue ?? [] { if let id = e["id"]?.stringValue { expected.insert(id + " " + caseID) } }
        }
        let stored = Set(
            try Row.fetchAll(db, sql: "SELECT entry_id, case_id FROM case_assets").map {
                ($0["entry_id"] as String) + " " + ($0["case_id"] as String)
            })
        if let odd = stored.symmetricDifference(expected).min() {
            return AuditChain.Problem(
                kind: .edited, seq: 0, message: "case_assets: the link \(odd) does not match the reports' events (the table was edited)")
        }
        return nil
    }

    /// A case that was opened (its events hold `case.opened`) but has no row: the row was deleted.
    static func checkMissingCases(byCase: [String: [RawRow]], rows: Set<String>) -> AuditChain.Problem? {
        for id in byCase.keys.sorted() where CaseID.parse(id) != nil && !rows.contains(id) {
            guard let events = byCase[id], events.contains(where: { $0.type == EventType.caseOpened.rawValue }) else { continue }
            return AuditChain.Problem(
                kind: .edited, seq: events.last?.seq ?? 0, message: "case \(id) has events but no row (the cases table was edited)")
        }
        return nil
    }

    /// Replays every ledger entry from its events and compares it with its stored row; an entry
    /// with events but no row (a deleted row) is a problem too.
    static func checkLedger(_ rows: [(id: String, state: String, category: String, body: String)], byCase: [String: [RawRow]])
        -> AuditChain.Problem?
    {
        for (id, state, category, body) in rows {
            let events = byCase[id] ?? []
            let replayed = try? LedgerEntry.replay(events.map { try $0.event() })
            if replayed.map({ same($0.json.canonicalBytes, body) }) != true || replayed?.state.rawValue != state
                || replayed?.fields.category.rawValue != category
            {
                return AuditChain.Problem(
                    kind: .edited, seq: events.last?.seq ?? 0,
                    message:
                        "ledger entry \(id): the stored entry does not match the entry replayed from its events (the ledger table was edited)"
                )
            }
        }
        let stored = Set(rows.map(\.id))
        for (id, events) in byCase where LedgerID.parse(id) != nil && !stored.contains(id) {
            return AuditChain.Problem(
                kind: .edited, seq: events.last?.seq ?? 0, message: "ledger entry \(id) has events but no row (the ledger table was edited)"
            )
        }
        return nil
    }

    /// A duration in seconds.
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// A stored event kept for the case check.
    struct RawRow: Sendable {
        var seq: Int64
        var at: String
        var caseID: String
        var type: String
        var actor: [UInt8]
        var data: [UInt8]
        var prevHash: String
        var hash: String

        init(_ r: AuditChain.RawEvent) {
            seq = r.seq
            at = String(decoding: r.at, as: UTF8.self)
            caseID = String(decoding: r.caseID!, as: UTF8.self)
            type = String(decoding: r.type, as: UTF8.self)
            actor = Array(r.actor)
            data = Array(r.data)
            prevHash = String(decoding: r.prevHash, as: UTF8.self)
            hash = String(decoding: r.hash, as: UTF8.self)
        }

        func event() throws -> StoredEvent {
            StoredEvent(
                seq: seq, at: at, caseID: caseID, type: type, actor: try JSONParser.parse(actor), data: try JSONParser.parse(data),
                prevHash: prevHash, hash: hash)
        }
    }

    /// Replays every case from its events and compares it with its stored row, on all cores.
    /// Returns the first mismatch in case-id order, and each replayed case's ledger links (the
    /// ids of the entries its report named), so they need not be parsed again.
    static func checkCases(_ bodies: [(id: String, body: String)], byCase: [String: [RawRow]]) -> (
        checked: Int, problem: AuditChain.Problem?, links: [String: [String]]
    ) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        let chunk = (bodies.count + workers - 1) / max(workers, 1)
        let firstBad = Mutex<(index: Int, problem: AuditChain.Problem)?>(nil)
        let allLinks = Mutex<[String: [String]]>([:])
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = w * chunk, hi = min(bodies.count, lo + chunk)
            guard lo < hi else { return }
            var links: [String: [String]] = [:]
            defer { allLinks.withLock { all in all.merge(links) { a, _ in a } } }
            for i in lo..<hi {
                if let bad = firstBad.withLock({ $0 }), bad.index < i { return }
                let (id, body) = bodies[i]
                let rows = byCase[id] ?? []
                let replayed = try? Case.replay(rows.map { try $0.event() })
                if replayed.map({ Self.same($0.json.canonicalBytes, body) }) != true {
                    let p = AuditChain.Problem(
                        kind: .edited, seq: rows.last?.seq ?? 0,
                        message: "case \(id): the stored case does not match the case replayed from its events (the cases table was edited)"
                    )
                    firstBad.withLock { cur in if cur == nil || cur!.index > i { cur = (i, p) } }
                    return
                }
                links[id] = replayed?.ledgerEntries.compactMap { $0["id"]?.stringValue } ?? []
            }
        }
        if let bad = firstBad.withLock({ $0 }) { return (bad.index, bad.problem, [:]) }
        return (bodies.count, nil, allLinks.withLock { $0 })
    }

    /// Whether `bytes` are the UTF-8 of `text`.
    static func same(_ bytes: [UInt8], _ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { u in
            bytes.withUnsafeBufferPointer { b in u.count == b.count && (u.isEmpty || memcmp(u.baseAddress!, b.baseAddress!, u.count) == 0) }
        } ?? bytes.elementsEqual(text.utf8)
    }

    /// The bytes of a text or blob column; nil for NULL. Valid until the next step.
    static func column(_ s: OpaquePointer, _ i: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(s, i) != SQLITE_NULL, let p = sqlite3_column_text(s, i) else { return nil }
        return UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(s, i)))
    }
}
