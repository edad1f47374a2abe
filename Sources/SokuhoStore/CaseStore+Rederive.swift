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
        try pool.write { db in
            let format = try Int32.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard migrated || format != derivedFormat else { return 0 }
            var changed = 0
            for row in try Row.fetchAll(db, sql: "SELECT id, body FROM cases") {
                let id: String = row["id"]
                guard let c = try? Case.replay(try events(db, caseID: id)) else { continue }
                let body = c.json.canonicalString
                if body != row["body"] as String? {
                    try db.execute(
                        sql: "UPDATE cases SET kind = ?, state = ?, body = ? WHERE id = ?",
                        arguments: [c.report.kind.rawValue, c.state.rawValue, body, id])
                    changed += 1
                }
            }
            if try db.tableExists("ledger_entries") {
                for row in try Row.fetchAll(db, sql: "SELECT id, body FROM ledger_entries") {
                    let id: String = row["id"]
                    guard let e = try? LedgerEntry.replay(try events(db, caseID: id)) else { continue }
                    let body = e.json.canonicalString
                    if body != row["body"] as String? {
                        try db.execute(
                            sql: "UPDATE ledger_entries SET state = ?, category = ?, body = ? WHERE id = ?",
                            arguments: [e.state.rawValue, e.fields.category.rawValue, body, id])
                        changed += 1
                    }
                }
            }
            try db.execute(sql: "PRAGMA user_version = \(derivedFormat)")
            return changed
        }
    }
}
