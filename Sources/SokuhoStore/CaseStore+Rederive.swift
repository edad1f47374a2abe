import GRDB
import SokuhoCore

extension CaseStore {
    /// The shape of the derived rows this code writes (`cases.body`, `ledger_entries.body`: the
    /// JSON of `Case` and `LedgerEntry`). Bump it whenever that JSON changes shape. It is kept in
    /// SQLite's `user_version`; rows derived by code of another format are derived again at open.
    static let derivedFormat: Int32 = 1

    /// Derives every case and ledger row again from its events, in one transaction, when the
    /// rows were written by code of another `derivedFormat` or a migration ran at this open.
    ///
    /// The events — the record — are never touched: the derived rows are a cache of their
    /// replay, and an older version's rows (fewer fields, or a refusal counted in a case's
    /// version) would otherwise make `audit verify` report the cases table as edited. A row
    /// whose events do not replay is left as it is, for `audit verify` to report. Returns how
    /// many rows changed.
    static func rederiveIfStale(_ pool: DatabasePool, migrated: Bool) throws -> Int {
        let format = try pool.read { db in try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        guard migrated || format != derivedFormat else { return 0 }
        return try pool.write { db in
            var changed = try rederive(db, table: "cases") { events in
                let c = try Case.replay(events)
                return (c.json.canonicalString, ["kind": c.report.kind.rawValue, "state": c.state.rawValue])
            }
            if try db.tableExists("ledger_entries") {
                changed += try rederive(db, table: "ledger_entries") { events in
                    let e = try LedgerEntry.replay(events)
                    return (e.json.canonicalString, ["state": e.state.rawValue, "category": e.fields.category.rawValue])
                }
            }
            try db.execute(sql: "PRAGMA user_version = \(derivedFormat)")
            return changed
        }
    }

    /// Rewrites each row of `table` whose `body` differs from what `replay` derives from its
    /// events (with the columns it names); a row whose events do not replay is left as it is.
    private static func rederive(
        _ db: Database, table: String, replay: ([StoredEvent]) throws -> (body: String, columns: [String: String])
    ) throws -> Int {
        var changed = 0
        for row in try Row.fetchAll(db, sql: "SELECT id, body FROM \(table)") {
            let id: String = row["id"]
            guard let derived = try? replay(try events(db, caseID: id)), derived.body != row["body"] as String? else { continue }
            let names = derived.columns.keys.sorted()
            try db.execute(
                sql: "UPDATE \(table) SET body = ?, \(names.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?",
                arguments: StatementArguments([derived.body] + names.map { derived.columns[$0]! } + [id]))
            changed += 1
        }
        return changed
    }
}
