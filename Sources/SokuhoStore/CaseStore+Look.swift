import GRDB
import SokuhoCore

extension CaseStore {
    /// The case `id` (nil when unknown) and when its first report was acknowledged by one of
    /// `endpoints` (`firstReportDeliveredAt`), read in one transaction: what the playbook runner
    /// needs to look at a case. A case just opened or changed by this store is taken as
    /// committed (`RecentCases`) when its row has not moved since; otherwise it is replayed from
    /// its events, as `getCase` does.
    public func caseForLook(id: String, endpoints: [String]) async throws(StoreError) -> (Case, Double?)? {
        do {
            return try await pool.read { db in
                guard
                    let lastSeq = try Int64.fetchOne(
                        db.cachedStatement(sql: "SELECT last_seq FROM cases WHERE id = ?"), arguments: [id])
                else { return nil }
                let delivered = endpoints.isEmpty ? nil : try Self.firstReportDeliveredAt(db, caseID: id, endpoints: endpoints)
                if let known = recent.find(id, lastSeq: lastSeq) { return (known, delivered) }
                let events = try Self.events(db, caseID: id)
                if events.isEmpty { return nil }
                let c = try Case.replay(events)
                recent.remember(c, lastSeq: lastSeq)
                return (c, delivered)
            }
        } catch {
            throw Self.map(error)
        }
    }
}
