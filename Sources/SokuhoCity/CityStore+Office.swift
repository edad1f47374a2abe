import Foundation
import GRDB
import SokuhoCore

/// What the city's staff do with the store: list and read cases, issue instructions and
/// publication decisions (sent back in the answer to the contractor's next message or poll),
/// and read the chain heads for an audit.
extension CityStore {
    /// One case as the city knows it.
    public struct CaseRow: Sendable {
        public var contractor: String
        public var caseID: String
        public var facts: JSONValue
        public var firstReceivedAt: String?
        public var updatedAt: String
        /// The deadlines the contractor reported missed (`incident.clock_missed`), by name.
        public var clocksMissed: [String] = []

        public init(contractor: String, caseID: String, facts: JSONValue, firstReceivedAt: String?, updatedAt: String) {
            (self.contractor, self.caseID, self.facts, self.firstReceivedAt, self.updatedAt) =
                (contractor, caseID, facts, firstReceivedAt, updatedAt)
        }

        /// Minutes from discovery to the first report's arrival, when both are known.
        public var firstReportDelayMinutes: Int64? {
            guard let received = firstReceivedAt.flatMap(Timestamp.init(rfc3339:))?.epochSeconds,
                let discovered = facts["discovered_at"]?.stringValue.flatMap(Timestamp.init(rfc3339:))?.epochSeconds
            else { return nil }
            return Int64(((received - discovered) / 60).rounded())
        }

        public var json: JSONValue {
            [
                "contractor": .string(contractor), "case_id": .string(caseID), "facts": facts,
                "first_received_at": .optional(firstReceivedAt), "updated_at": .string(updatedAt),
                "first_report_delay_minutes": .optional(firstReportDelayMinutes),
                "clocks_missed": .array(clocksMissed.map { .string($0) }),
            ]
        }
    }

    /// The facts a list shows, extracted in SQL with long texts cut to 200 characters: what a
    /// list row needs, whatever size the contractor's last message had. Kept in `cases.summary`,
    /// written with the facts.
    static let summaryFacts = """
        json_object('state', json_extract(facts, '$.state'), 'kind', json_extract(facts, '$.kind'),
            'suspected', CASE json_type(facts, '$.suspected') WHEN 'true' THEN json('true') WHEN 'false' THEN json('false') END,
            'information', substr(json_extract(facts, '$.information'), 1, 200),
            'count', json_extract(facts, '$.count'), 'count_unit', substr(json_extract(facts, '$.count_unit'), 1, 32),
            'count_precision', substr(json_extract(facts, '$.count_precision'), 1, 32),
            'discovered_at', substr(json_extract(facts, '$.discovered_at'), 1, 64),
            'instructions_open', json_extract(facts, '$.instructions_open'))
        """

    /// Cases, newest first, optionally of one contractor and one state: at most `limit`, after
    /// skipping the `offset` newest. With `summary`, each case's facts are only what a list
    /// shows (`summaryFacts`), not the whole last message.
    public func cases(contractor: String? = nil, state: String? = nil, limit: Int = 1000, offset: Int = 0, summary: Bool = false)
        async throws(CityError) -> [CaseRow]
    {
        do {
            return try await pool.read { db in
                var (sql, args) = Self.caseFilter(contractor: contractor, state: state)
                let facts = summary ? "summary AS facts" : "facts"
                sql = """
                    SELECT contractor, case_id, \(facts), first_received_at, updated_at,
                        (SELECT group_concat(json_extract(m.payload, '$.data.clock'), ' ') FROM messages m
                         WHERE m.contractor = cases.contractor AND m.case_id = cases.case_id AND m.type = 'incident.clock_missed') AS missed
                    FROM cases \(sql) ORDER BY COALESCE(first_received_at, updated_at) DESC LIMIT ? OFFSET ?
                    """
                args += [max(0, limit), max(0, offset)]
                return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map { r in
                    let facts = (try? JSONParser.parse(r["facts"] as String)) ?? .null
                    var row = CaseRow(
                        contractor: r["contractor"], caseID: r["case_id"], facts: facts, firstReceivedAt: r["first_received_at"],
                        updatedAt: r["updated_at"])
                    row.clocksMissed = ((r["missed"] as String?) ?? "").split(separator: " ").map(String.init)
                    return row
                }
            }
        } catch {
            throw CityError.storage("\(error)")
        }
    }

    /// How many cases `cases(contractor:state:)` would list without a limit.
    public func caseCount(contractor: String? = nil, state: String? = nil) async throws(CityError) -> Int {
        do {
            return try await pool.read { db in
                let (filter, args) = Self.caseFilter(contractor: contractor, state: state)
                return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cases \(filter)", arguments: StatementArguments(args)) ?? 0
            }
        } catch {
            throw CityError.storage("\(error)")
        }
    }

    /// The WHERE clause of a case listing, and its arguments.
    static func caseFilter(contractor: String?, state: String?) -> (String, [(any DatabaseValueConvertible)?]) {
        var sql = "WHERE 1"
        var args: [(any DatabaseValueConvertible)?] = []
        if let contractor {
            sql += " AND contractor = ?"
            args.append(contractor)
        }
        if let state {
            sql += " AND json_extract(summary, '$.state') = ?"
            args.append(state)
        }
        return (sql, args)
    }

    /// One case with every message received about it and what the city issued for it.
    public func caseDetail(contractor: String, caseID: String) async throws(CityError) -> JSONValue {
        do {
            return try await pool.read { db in
                guard
                    let r = try Row.fetchOne(
                        db,
                        sql:
                            "SELECT contractor, case_id, facts, first_received_at, updated_at FROM cases WHERE contractor = ? AND case_id = ?",
                        arguments: [contractor, caseID])
                else { throw CityError.notFound("no case \(caseID) of \(contractor)") }
                let row = CaseRow(
                    contractor: r["contractor"], caseID: r["case_id"], facts: (try? JSONParser.parse(r["facts"] as String)) ?? .null,
                    firstReceivedAt: r["first_received_at"], updatedAt: r["updated_at"])
                let messages = try Row.fetchAll(
                    db,
                    sql: "SELECT webhook_id, received_at, type, payload FROM messages WHERE contractor = ? AND case_id = ? ORDER BY seq",
                    arguments: [contractor, caseID]
                ).map { m -> JSONValue in
                    [
                        "webhook_id": .string(m["webhook_id"]), "received_at": .string(m["received_at"]), "type": .string(m["type"]),
                        "sequence": (try? JSONParser.parse(m["payload"] as String))?["data"]?["sequence"] ?? .null,
                    ]
                }
                let instructions = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, text, from_name, issued_at, issued_by, delivered_at FROM instructions WHERE contractor = ? AND case_id = ? ORDER BY number",
                    arguments: [contractor, caseID]
                ).map { i -> JSONValue in
                    [
                        "id": .string(i["id"]), "text": .string(i["text"]), "from": .optional(i["from_name"] as String?),
                        "issued_at": .string(i["issued_at"]), "issued_by": .string(i["issued_by"]),
                        "delivered_at": .optional(i["delivered_at"] as String?),
                    ]
                }
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, decision, date, url, note, decided_at, decided_by, delivered_at FROM publications WHERE contractor = ? AND case_id = ? ORDER BY number",
                    arguments: [contractor, caseID])
                // Only a case's latest decision is sent: one replaced before the contractor
                // recorded it never will be, and says by which.
                let publications = rows.enumerated().map { i, p -> JSONValue in
                    let replaced: String? = (p["delivered_at"] as String?) == nil && i + 1 < rows.count ? rows[i + 1]["id"] : nil
                    return
                        [
                            "id": .string(p["id"]), "decision": .string(p["decision"]), "date": .optional(p["date"] as String?),
                            "url": .optional(p["url"] as String?), "note": .optional(p["note"] as String?),
                            "decided_at": .string(p["decided_at"]),
                            "decided_by": .string(p["decided_by"]), "delivered_at": .optional(p["delivered_at"] as String?),
                            "replaced_by": .optional(replaced),
                        ]
                }
                guard case .object(var o) = row.json else { return .null }
                o["messages"] = .array(messages)
                o["instructions"] = .array(instructions)
                o["publications"] = .array(publications)
                return .object(o)
            }
        } catch let e as CityError {
            throw e
        } catch {
            throw CityError.storage("\(error)")
        }
    }

    /// Issues an instruction for a case the city has heard of; it goes back in the answer to
    /// the contractor's next message or poll until the contractor says it recorded it.
    public func instruct(contractor: String, caseID: String, text: String, from: String?, by: String, at: String) async throws(CityError)
        -> String
    {
        try await issue(contractor: contractor, caseID: caseID) { db in
            let n = (try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM instructions")) ?? 1
            let id = "CI-\(n)"
            try db.execute(
                sql:
                    "INSERT INTO instructions (number, id, contractor, case_id, text, from_name, issued_at, issued_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [n, id, contractor, caseID, text, from, at, by])
            return id
        }
    }

    /// What `publish` recorded: the decision's id, and the decisions of the same case it
    /// replaces before the contractor recorded them (only the latest is sent).
    public struct Published: Sendable {
        public var id: String
        public var replaces: [String]
    }

    /// Records the city's publication decision for a case (Art. 18 §2); it goes back like an instruction.
    public func publish(contractor: String, caseID: String, decision: PublicationDecision, by: String, at: String) async throws(CityError)
        -> Published
    {
        try await issue(contractor: contractor, caseID: caseID) { db in
            let replaces = try String.fetchAll(
                db, sql: "SELECT id FROM publications WHERE contractor = ? AND case_id = ? AND delivered_at IS NULL ORDER BY number",
                arguments: [contractor, caseID])
            let n = (try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(number), 0) + 1 FROM publications")) ?? 1
            let id = "CP-\(n)"
            try db.execute(
                sql: """
                    INSERT INTO publications (number, id, contractor, case_id, decision, date, url, note, decided_at, decided_by)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [n, id, contractor, caseID, decision.decision.rawValue, decision.date, decision.url, decision.note, at, by])
            return Published(id: id, replaces: replaces)
        }
    }

    private func issue<T: Sendable>(contractor: String, caseID: String, _ insert: @Sendable @escaping (Database) throws -> T)
        async throws(CityError)
        -> T
    {
        do {
            return try await pool.write { db in
                guard
                    try Int.fetchOne(db, sql: "SELECT 1 FROM cases WHERE contractor = ? AND case_id = ?", arguments: [contractor, caseID])
                        != nil
                else { throw CityError.notFound("no case \(caseID) of \(contractor)") }
                return try insert(db)
            }
        } catch let e as CityError {
            throw e
        } catch {
            throw CityError.storage("\(error)")
        }
    }

    /// Every chain head received from a contractor (Art. 17), for `sokuho-city audit`.
    public func anchors(contractor: String) async throws(CityError) -> [ChainAnchor] {
        do {
            return try await pool.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT installation, seq, hash, webhook_id FROM anchors WHERE contractor = ? ORDER BY seq",
                    arguments: [contractor]
                ).map { r in
                    let installation: String = r["installation"]
                    return ChainAnchor(
                        seq: r["seq"], hash: r["hash"], installation: installation.isEmpty ? nil : installation, source: r["webhook_id"])
                }
            }
        } catch {
            throw CityError.storage("\(error)")
        }
    }
}
