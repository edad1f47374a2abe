import Foundation
import GRDB
import SokuhoCore
import SokuhoStore

/// The city's store (SQLite, WAL, `synchronous=FULL`): every message each contractor sent,
/// the latest facts of each case per contractor, every audit chain head received, and the
/// instructions and publication decisions the city issued. A message is answered 200 only
/// after the transaction holding it is committed; messages that arrive together share one
/// transaction (`GroupCommit`, as sokuhod's reports do), each in its own savepoint.
public final class CityStore: Sendable {
    let pool: DatabasePool
    let intake: GroupCommit
    public let path: String

    public init(path: String) throws(CityError) {
        self.path = path
        do {
            pool = try DatabasePool(path: path, configuration: CaseStore.durableConfiguration)
            try Self.migrator.migrate(pool)
        } catch {
            throw CityError.storage("cannot open \(path): \(error)")
        }
        intake = GroupCommit(pool: pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY,
                        contractor TEXT NOT NULL,
                        webhook_id TEXT NOT NULL,
                        received_at TEXT NOT NULL,
                        type TEXT NOT NULL,
                        case_id TEXT,
                        body_sha256 TEXT NOT NULL,
                        payload TEXT NOT NULL,
                        UNIQUE (contractor, webhook_id)
                    );
                    CREATE INDEX messages_by_case ON messages(contractor, case_id, seq);
                    CREATE TABLE cases (
                        contractor TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        facts TEXT NOT NULL,
                        first_received_at TEXT,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (contractor, case_id)
                    );
                    CREATE TABLE anchors (
                        contractor TEXT NOT NULL,
                        installation TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        hash TEXT NOT NULL,
                        webhook_id TEXT NOT NULL,
                        PRIMARY KEY (contractor, installation, seq, hash)
                    );
                    CREATE TABLE instructions (
                        number INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        contractor TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        text TEXT NOT NULL,
                        from_name TEXT,
                        issued_at TEXT NOT NULL,
                        issued_by TEXT NOT NULL,
                        delivered_at TEXT
                    );
                    CREATE TABLE publications (
                        number INTEGER PRIMARY KEY,
                        id TEXT NOT NULL UNIQUE,
                        contractor TEXT NOT NULL,
                        case_id TEXT NOT NULL,
                        decision TEXT NOT NULL,
                        date TEXT,
                        url TEXT,
                        note TEXT,
                        decided_at TEXT NOT NULL,
                        decided_by TEXT NOT NULL,
                        delivered_at TEXT
                    );
                    """)
        }
        // The list's row of each case, kept next to its facts: a list never reads (or parses)
        // the whole last message of a case, however large the contractor made it.
        m.registerMigration("v2-summary") { db in
            try db.execute(sql: "ALTER TABLE cases ADD COLUMN summary TEXT")
            try db.execute(sql: "UPDATE cases SET summary = \(CityStore.summaryFacts)")
        }
        return m
    }

    /// One verified message, attributed to the contractor whose secret verified it.
    public struct Incoming: Sendable {
        public var contractor: String
        public var webhookID: String
        public var bodySHA256: String
        public var payload: JSONValue
        public var receivedAt: String

        public init(contractor: String, webhookID: String, bodySHA256: String, payload: JSONValue, receivedAt: String) {
            (self.contractor, self.webhookID, self.bodySHA256, self.payload, self.receivedAt) =
                (contractor, webhookID, bodySHA256, payload, receivedAt)
        }
    }

    public enum Recorded: Sendable, Equatable {
        case new
        /// The same message again (same id, same body): stored once.
        case duplicate
        /// The same id with another body from the same contractor: refused, never stored.
        case conflict
    }

    /// Records a message and what it tells: the case's latest facts (messages about a case; a
    /// message with a lower `data.sequence` than the facts held — a late retry — is stored but
    /// does not roll the facts back), the chain head it carries, and — for a poll — which instructions and decisions the
    /// contractor has recorded. Returns what the contractor is owed in the answer.
    public func record(_ m: Incoming) async throws(CityError) -> (Recorded, answer: JSONValue) {
        do {
            return try await intake.write { db in
                if let stored = try String.fetchOne(
                    db, sql: "SELECT body_sha256 FROM messages WHERE contractor = ? AND webhook_id = ?",
                    arguments: [m.contractor, m.webhookID])
                {
                    return (stored == m.bodySHA256 ? .duplicate : .conflict, try Self.owed(db, contractor: m.contractor))
                }
                let type = m.payload["type"]?.stringValue ?? ""
                let data = m.payload["data"] ?? .null
                let caseID = data["case_id"]?.stringValue.flatMap { CaseID.parse($0) != nil ? $0 : nil }
                try db.execute(
                    sql: """
                        INSERT INTO messages (contractor, webhook_id, received_at, type, case_id, body_sha256, payload)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [m.contractor, m.webhookID, m.receivedAt, type, caseID, m.bodySHA256, m.payload.canonicalString])
                if let caseID {
                    try db.execute(
                        sql: """
                            INSERT INTO cases (contractor, case_id, facts, first_received_at, updated_at) VALUES (?, ?, ?, ?, ?)
                            ON CONFLICT (contractor, case_id) DO UPDATE SET
                                facts = CASE
                                    WHEN COALESCE(CASE json_type(excluded.facts, '$.sequence') WHEN 'integer' THEN json_extract(excluded.facts, '$.sequence') END, 0)
                                        >= COALESCE(CASE json_type(cases.facts, '$.sequence') WHEN 'integer' THEN json_extract(cases.facts, '$.sequence') END, 0)
                                    THEN excluded.facts ELSE cases.facts END,
                                updated_at = excluded.updated_at,
                                first_received_at = COALESCE(cases.first_received_at, excluded.first_received_at)
                            """,
                        arguments: [
                            m.contractor, caseID, data.canonicalString, type == EscalationMessage.Kind.opened.rawValue ? m.receivedAt : nil,
                            m.receivedAt,
                        ])
                }
                if let caseID {
                    try db.execute(
                        sql: "UPDATE cases SET summary = \(CityStore.summaryFacts) WHERE contractor = ? AND case_id = ?",
                        arguments: [m.contractor, caseID])
                }
                if let a = ChainAnchor.from(data: data, source: m.webhookID) {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO anchors (contractor, installation, seq, hash, webhook_id) VALUES (?, ?, ?, ?, ?)",
                        arguments: [m.contractor, a.installation ?? "", a.seq, a.hash, a.source])
                }
                // The contractor's message about a decision it recorded says which one it was.
                if let ext = data["publication"]?["external_id"]?.stringValue, let caseID {
                    try db.execute(
                        sql:
                            "UPDATE publications SET delivered_at = ? WHERE id = ? AND contractor = ? AND case_id = ? AND delivered_at IS NULL",
                        arguments: [m.receivedAt, ext, m.contractor, caseID])
                }
                if type == "instructions.poll" {
                    let recorded = data["recorded"] ?? .null
                    for id in (recorded["instructions"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(10_000) {
                        try db.execute(
                            sql: "UPDATE instructions SET delivered_at = ? WHERE id = ? AND contractor = ? AND delivered_at IS NULL",
                            arguments: [m.receivedAt, id, m.contractor])
                    }
                    for id in (recorded["publications"]?.arrayValue ?? []).compactMap(\.stringValue).prefix(10_000) {
                        try db.execute(
                            sql: "UPDATE publications SET delivered_at = ? WHERE id = ? AND contractor = ? AND delivered_at IS NULL",
                            arguments: [m.receivedAt, id, m.contractor])
                    }
                }
                return (.new, try Self.owed(db, contractor: m.contractor))
            }
        } catch {
            throw CityError.storage("\(error)")
        }
    }

    /// The answer a contractor gets: its instructions and decisions not yet recorded on its side,
    /// oldest first, as many as fit in three quarters of what the daemon reads of an answer
    /// (`EscalationMessage.maxAnswerBytes`): a cut answer would not parse and nothing would be
    /// recorded. The rest follow in the next answers, as what was sent is recorded.
    static func owed(_ db: Database, contractor: String) throws -> JSONValue {
        var budget = EscalationMessage.maxAnswerBytes * 3 / 4
        let fits = { (item: JSONValue) -> Bool in
            let size = item.canonicalBytes.count + 1
            guard size <= budget else { budget = 0; return false }
            budget -= size
            return true
        }
        let instructions = try Row.fetchAll(
            db,
            sql:
                "SELECT id, case_id, text, from_name, issued_at FROM instructions WHERE contractor = ? AND delivered_at IS NULL ORDER BY number LIMIT 100",
            arguments: [contractor]
        ).map { r -> JSONValue in
            [
                "id": .string(r["id"]), "case_id": .string(r["case_id"]), "text": .string(r["text"]),
                "from": .optional(r["from_name"] as String?),
                "issued_at": .string(r["issued_at"]),
            ]
        }
        // Only the latest decision of each case: a newer one replaces what was not yet delivered.
        let publications = try Row.fetchAll(
            db,
            sql: """
                SELECT id, case_id, decision, date, url, note FROM publications p
                WHERE contractor = ? AND delivered_at IS NULL
                  AND number = (SELECT MAX(number) FROM publications q WHERE q.contractor = p.contractor AND q.case_id = p.case_id)
                ORDER BY number LIMIT 100
                """,
            arguments: [contractor]
        ).map { r -> JSONValue in
            [
                "id": .string(r["id"]), "case_id": .string(r["case_id"]), "decision": .string(r["decision"]),
                "date": .optional(r["date"] as String?), "url": .optional(r["url"] as String?), "note": .optional(r["note"] as String?),
            ]
        }
        var o: [String: JSONValue] = ["ok": true]
        let sentInstructions = Array(instructions.prefix(while: fits))
        let sentPublications = Array(publications.prefix(while: fits))
        if !sentInstructions.isEmpty { o["instructions"] = .array(sentInstructions) }
        if !sentPublications.isEmpty { o["publications"] = .array(sentPublications) }
        return .object(o)
    }
}

/// Errors of the city's daemon and store.
public enum CityError: Error, Sendable, CustomStringConvertible {
    case storage(String)
    case notFound(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .storage(let s): "storage failure: \(s)"
        case .notFound(let s): s
        case .invalid(let s): s
        }
    }
}
