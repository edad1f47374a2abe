import GRDB
import SokuhoCore

/// Checking a database against the chain heads the city received (`ChainAnchor`).
extension AuditReader {
    /// The outcome of `check(anchors:)`.
    public struct AnchorOutcome: Sendable {
        /// Anchors of this installation compared with the database.
        public var checked: Int
        /// Anchors of other installations (another contractor's messages in the same file).
        public var otherInstallations: Int
        /// The first anchor (lowest position) the database disagrees with, and what it holds
        /// there (nil: no event at that position).
        public var mismatch: (anchor: ChainAnchor, found: String?)?

        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "ok": .bool(mismatch == nil), "anchors_checked": .int(Int64(checked)),
                "other_installations": .int(Int64(otherInstallations)),
            ]
            if let m = mismatch {
                o["mismatch"] = [
                    "seq": .int(m.anchor.seq), "received_hash": .string(m.anchor.hash), "database_hash": .optional(m.found),
                    "webhook_id": .string(m.anchor.source),
                ]
            }
            return .object(o)
        }
    }

    /// Compares the database with every anchor: each must be the hash of the event at its
    /// position. Anchors of another installation are counted and left out (the city's file
    /// holds every contractor's messages); without an installation id (older messages) they
    /// are compared.
    ///
    /// `allInstallations`: compare every anchor whatever installation it names — for the city,
    /// which knows which anchors are this contractor's (an installation id changed in the copy
    /// must not set them all aside).
    public func check(anchors: [ChainAnchor], allInstallations: Bool = false) throws(StoreError) -> AnchorOutcome {
        do {
            return try queue.read { db in
                let installation =
                    try db.tableExists("installation") ? try String.fetchOne(db, sql: "SELECT installation_id FROM installation") : nil
                var outcome = AnchorOutcome(checked: 0, otherInstallations: 0, mismatch: nil)
                let statement = try db.makeStatement(sql: "SELECT hash FROM events WHERE seq = ?")
                for a in anchors.sorted(by: { $0.seq < $1.seq }) {
                    if !allInstallations, let theirs = a.installation, let ours = installation, theirs != ours {
                        outcome.otherInstallations += 1
                        continue
                    }
                    outcome.checked += 1
                    let found = try String.fetchOne(statement, arguments: [a.seq])
                    if found != a.hash {
                        outcome.mismatch = (a, found)
                        break
                    }
                }
                return outcome
            }
        } catch {
            throw CaseStore.map(error)
        }
    }
}
