import Foundation
import Logging
import SokuhoCore
import SokuhoStore

/// Cases through the socket: `report`, `case.get`, `case.list`, `case.update`.
struct CaseHandler: DeskArea {
    let context: DeskContext

    func report(_ request: ReportRequest, actor: EventActor) async throws -> JSONValue {
        let report = try Report.validate(.object(request.report))
        let now = clock.now()
        let result = try await store.openCase(
            report, actor: actor, at: now, year: Timestamp.year(of: now, utcOffset: utcOffset(now)),
            escalateTo: escalation, playbooks: currentPlaybooks)
        if result.duplicate {
            logger.info("report repeated; same case returned", metadata: ["case": "\(result.case.id)", "uid": "\(actor.peer.uid)"])
        } else {
            logger.notice(
                "case opened",
                metadata: [
                    "case": "\(result.case.id)", "kind": "\(report.kind.rawValue)", "suspected": "\(report.suspected)",
                    "uid": "\(actor.peer.uid)", "seq": "\(result.receipt.seq)", "playbook": "\(result.case.playbook?.id ?? "-")",
                ])
            changed(result.case.id, handing: result.queued)
        }
        return ControlResponse.success([
            "case": caseJSON(result.case, reporterView: actor.role == .reporter), "receipt": result.receipt.json,
            "duplicate": .bool(result.duplicate),
        ])
    }

    func get(_ request: CaseRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        let id = request.id
        guard let (c, events) = try await store.getCase(id: id), !ownOnly || c.reportedBy.uid == actor.peer.uid else {
            // A reporter learns nothing about cases that are not theirs, not even that they exist.
            throw StoreError.notFound(id: id)
        }
        let history: [JSONValue] = events.map { e in
            [
                "seq": .int(e.seq), "at": .string(e.at), "type": .string(e.type), "hash": .string(e.hash),
                "actor": ["uid": e.actor["uid"] ?? .null, "user": e.actor["user"] ?? .null, "role": e.actor["role"] ?? .null],
                "data": e.type == EventType.caseUpdated.rawValue ? (e.data["changes"] ?? .null) : .null,
            ]
        }
        let messages = try await store.outbox(caseID: id)
        let attempts = try await store.attempts(caseID: id)
        let escalation: [JSONValue] = messages.reversed().map { m in
            guard case .object(var o) = m.json else { return m.json }
            o["attempt_log"] = .array(attempts[m.messageID] ?? [])
            return .object(o)
        }
        var members = try await clocksAndAssessment(c, reporterView: ownOnly)
        members["case"] = caseJSON(c, reporterView: ownOnly)
        members["count_history"] = .array(CountHistory.entries(events))
        members["events"] = .array(history)
        members["escalation"] = .array(escalation)
        members["time_zone_offset_seconds"] = zoneOffsetMember
        return ControlResponse.success(members)
    }

    func list(_ request: CaseListRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        var filter = CaseFilter()
        filter.kind = try FieldReader.enumValue("kind", request.kind, IncidentKind.self)
        filter.state = try FieldReader.enumValue("state", request.state, CaseState.self)
        if let limit = request.limit { filter.limit = limit }
        if ownOnly || request.mine { filter.reporterUID = actor.peer.uid }
        let cases = try await store.listCases(filter).map { ownOnly ? Case.reporterView($0) : $0 }
        return ControlResponse.success(["cases": .array(cases), "count": .int(Int64(cases.count))])
    }

    func update(_ request: CaseUpdateRequest, actor: EventActor) async throws -> JSONValue {
        let id = request.id
        let result = try await store.updateCase(
            id: id, fields: .object(request.fields), actor: actor, at: clock.now(), escalateTo: escalation)
        if result.receipt != nil {
            logger.notice(
                "case updated",
                metadata: [
                    "case": "\(id)", "fields": "\(result.changes.keys.sorted().joined(separator: ","))",
                    "uid": "\(actor.peer.uid)",
                ])
            changed(id)
        }
        return ControlResponse.success([
            "case": result.case.json, "changes": .object(result.changes), "receipt": result.receipt?.json ?? .null,
        ])
    }
}
