import Foundation
import SokuhoCore
import SokuhoStore

/// What reports are rendered from: the dossier of a case (`case.report`, the incident report
/// 事故報告書) and the handling status of every case in a period (`status.report`, Art. 16).
struct ReportHandler: DeskArea {
    let context: DeskContext

    /// `case.report`: everything the incident report (事故報告書) shows, from one moment.
    /// A reporter (`ownOnly`) gets `not_found` for a case they did not report, as for `case.get`.
    func dossier(_ request: CaseRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        let id = request.id
        let (c, events) = try await visibleCase(id, actor: actor, ownOnly: ownOnly)
        let steps = try await stepStatuses(c, now: clock.now().timeIntervalSince1970)
        var members = try await clocksAndAssessment(c, reporterView: ownOnly)
        let messages = try await store.outbox(caseID: id)
        let stats = try await store.stats()
        members["case"] = caseJSON(c, reporterView: ownOnly)
        members["count_history"] = .array(CountHistory.entries(events))
        members["events"] = .array(
            events.map { e in
                [
                    "seq": .int(e.seq), "at": .string(e.at), "type": .string(e.type), "hash": .string(e.hash),
                    "actor": ["user": e.actor["user"] ?? .null, "role": e.actor["role"] ?? .null], "data": Self.timelineData(e),
                ]
            })
        members["steps"] = .array((steps ?? []).map(StepHandler.statusJSON))
        members["deliveries"] = .array(messages.reversed().map(\.json))
        members["gates"] = .array(ClosureGates.unmet(c, steps: steps, finalReportEndpoints: escalation).map(\.json))
        members["audit"] = [
            "events": .int(stats.events), "head_hash": .string(stats.headHash), "case_last_hash": .string(events.last?.hash ?? ""),
        ]
        members["generated_at"] = .string(Timestamp.format(clock.now()))
        members["time_zone_offset_seconds"] = zoneOffsetMember
        return ControlResponse.success(members)
    }

    /// The part of an event a timeline shows (never the reporter's identity).
    static func timelineData(_ e: StoredEvent) -> JSONValue {
        switch EventType(rawValue: e.type) {
        case .caseUpdated, .appiUpdated: return e.data["changes"] ?? .null
        case .caseOpened: return ["channel": e.data["channel"] ?? .null]
        case .playbookAssigned:
            return ["playbook": e.data["playbook"] ?? .null, "version": .string(String((e.data["hash"]?.stringValue ?? "").prefix(12)))]
        default:
            guard case .object(var o) = e.data else { return .null }
            o.removeValue(forKey: "by")
            return .object(o)
        }
    }

    /// `status.report`: the handling status of every case in a period (Art. 16).
    func statusReport(_ request: StatusReportRequest) async throws -> JSONValue {
        let (fromText, toText) = (request.from, request.to)
        let cases = try await store.casesForStatusReport(from: fromText, to: toText)
        let ledger = try await store.ledgerActivity(from: fromText, to: toText)
        return ControlResponse.success([
            "from": .string(fromText), "to": .string(toText), "cases": .array(cases), "ledger": ledger,
            "generated_at": .string(Timestamp.format(clock.now())), "time_zone_offset_seconds": zoneOffsetMember,
        ])
    }
}
