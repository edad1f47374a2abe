import Foundation
import GRDB
import SokuhoCore

/// The periodic handling-status report to the city (Art. 16), sent on a schedule.
extension CaseStore {
    /// The end of the last period reported, if any.
    public func lastStatusReportEnd() async throws(StoreError) -> String? {
        do {
            return try await pool.read { db in try String.fetchOne(db, sql: "SELECT MAX(period_end) FROM status_reports") }
        } catch {
            throw Self.map(error)
        }
    }

    /// Queues the status report of `[from, to)` for `endpoints`, records a `status_report.sent`
    /// event and the period, in one transaction. A period already reported is not sent again.
    /// `date` is the time of the event, and the time the messages fall due.
    @discardableResult
    public func sendStatusReport(from: String, to: String, endpoints: [String], at date: Date) async throws(StoreError) -> Int? {
        let at = Timestamp.format(date)
        return try await intake.write { db -> Int? in
            if try String.fetchOne(db, sql: "SELECT period_end FROM status_reports WHERE period_end = ?", arguments: [to]) != nil {
                return nil
            }
            let cases = try Self.statusReportCases(db, from: from, to: to)
            let rows = StatusReport.rows(["cases": .array(cases)])
            let e = try Self.append(
                db, at: at, caseID: nil, type: EventType.statusReportSent.rawValue, actor: Self.daemonActor.json,
                data: ["from": .string(from), "to": .string(to), "cases": .int(Int64(rows.count))])
            try db.execute(
                sql: "INSERT INTO status_reports (period_end, period_start, sent_at, event_seq) VALUES (?, ?, ?, ?)",
                arguments: [to, from, at, e.seq])
            let list: [JSONValue] = rows.map { r in
                .object(Dictionary(uniqueKeysWithValues: zip(StatusReport.csvHeader, r.map { JSONValue.string($0) })))
            }
            let now = date.timeIntervalSince1970
            let ledger = try Self.ledgerActivity(db, from: from, to: to)
            try Self.queue(
                db, type: EscalationMessage.Kind.statusReport.rawValue, subject: StatusReport.outboxKey, event: e, endpoints: endpoints,
                now: now
            ) { sequence, installation in
                [
                    "type": .string(EscalationMessage.Kind.statusReport.rawValue), "timestamp": .string(at),
                    "data": [
                        "from": .string(from), "to": .string(to), "sequence": .int(Int64(sequence)), "cases": .array(list),
                        "count": .int(Int64(list.count)), "audit": ["seq": .int(e.seq), "hash": .string(e.hash)], "ledger": ledger,
                        "installation": .string(installation),
                    ],
                ]
            }
            return rows.count
        }
    }
}
