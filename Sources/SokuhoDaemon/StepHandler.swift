import Foundation
import SokuhoCore
import SokuhoStore

/// Playbook steps through the socket: the checklist of a case (`case.steps`), `step.done`,
/// `step.skip`, and the set in force (`playbook.list`).
struct StepHandler: DeskArea {
    let context: DeskContext

    /// `case.steps`: every step of the case's playbook with its state, due time and record.
    func steps(_ request: CaseRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        let id = request.id
        let (c, _) = try await visibleCase(id, actor: actor, ownOnly: ownOnly)
        guard let ref = c.playbook, let playbook = try await store.playbook(hash: ref.hash) else {
            return ControlResponse.success(["case_id": .string(id), "playbook": .null, "steps": [], "summary": .null])
        }
        let now = clock.now().timeIntervalSince1970
        let statuses = PlaybookEngine.evaluate(playbook, case: c, now: now)
        let count = { (f: (PlaybookEngine.StepStatus) -> Bool) in Int64(statuses.filter(f).count) }
        return ControlResponse.success([
            "case_id": .string(id),
            "playbook": ref.json,
            "steps": .array(statuses.map(Self.statusJSON)),
            "summary": [
                "total": .int(Int64(statuses.count)), "done": .int(count { $0.state == .done }),
                "skipped": .int(count { $0.state == .skipped }),
                "open": .int(count { $0.isOpen }), "overdue": .int(count { $0.overdue }),
                "mandatory_open": .int(Int64(PlaybookEngine.unmetMandatory(statuses).count)),
            ],
        ])
    }

    static func statusJSON(_ st: PlaybookEngine.StepStatus) -> JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(st.step.id), "title": st.step.title.json, "guide": st.step.guide.json, "type": .string(st.step.type.rawValue),
            "role": .string(st.step.role.rawValue), "mandatory": .bool(st.step.mandatory), "state": .string(st.state.rawValue),
            "waiting_on": .array(st.waitingOn.map { .string($0) }), "after": .array(st.step.after.map { .string($0) }),
            "due_at": st.dueAt.map { .string(Timestamp.format(Date(timeIntervalSince1970: $0))) } ?? .null,
            "overdue": .bool(st.overdue),
        ]
        if let a = st.step.action { o["action"] = .string(PlaybookRunner.describe(a)) }
        if let w = st.step.when { o["when"] = .string(w.source) }
        if let r = st.record { o["record"] = r.json }
        return .object(o)
    }

    /// `step.done` / `step.skip`: only a step that is ready (done) or open (skip); the checks and
    /// the event are one transaction.
    func stepAction(_ request: StepRequest, actor: EventActor) async throws -> JSONValue {
        let (id, stepID, text, skip) = (request.id, request.step, request.text, request.skip)
        guard let (current, _) = try await store.getCase(id: id) else { throw StoreError.notFound(id: id) }
        guard let ref = current.playbook, let playbook = try await store.playbook(hash: ref.hash) else {
            throw ValidationError(.conflict, field: "id", "case \(id) follows no playbook", ja: "事案 \(id) には対応手順（プレイブック）がありません")
        }
        guard playbook.step(stepID) != nil else {
            var m = "playbook \(ref.id) has no step \"\(TerminalSafe.quoted(stepID))\""
            if let s = Suggestion.closest(to: stepID, among: playbook.steps.map(\.id)) { m += "; did you mean \"\(s)\"?" }
            throw ValidationError(.invalidValue, field: "step", m, ja: "プレイブック \(ref.id) に手順「\(TerminalSafe.quoted(stepID))」はありません")
        }
        let now = clock.now()
        let by = actor.by
        let result = try await store.mutateCase(id: id, actor: actor, at: now) { c in
            let statuses = PlaybookEngine.evaluate(playbook, case: c, now: now.timeIntervalSince1970)
            guard let st = statuses.first(where: { $0.step.id == stepID }) else { return [] }
            try Self.check(st, skip: skip)
            let event: CaseEvent =
                skip
                ? .stepSkipped(StepSkipped(step: stepID, reason: text ?? "", by: by))
                : .stepDone(StepDone(step: stepID, by: by, auto: false, note: text))
            return [CaseChange(event)]
        }
        logger.notice(
            skip ? "step skipped" : "step done",
            metadata: [
                "case": "\(id)", "step": "\(stepID)", "uid": "\(actor.peer.uid)", "seq": "\(result.receipts.first?.seq ?? 0)",
            ])
        changed(id)
        let statuses = PlaybookEngine.evaluate(playbook, case: result.case, now: now.timeIntervalSince1970)
        let unlocked = statuses.filter { $0.state == .ready && $0.step.after.contains(stepID) }.map { JSONValue.string($0.step.id) }
        return ControlResponse.success([
            "case_id": .string(id), "step": Self.statusJSON(statuses.first { $0.step.id == stepID }!),
            "receipt": result.receipts.first?.json ?? .null, "ready_now": .array(unlocked),
        ])
    }

    /// Why a step cannot be done or skipped now, in plain words.
    static func check(_ st: PlaybookEngine.StepStatus, skip: Bool) throws(ValidationError) {
        let id = st.step.id
        switch st.state {
        case .done:
            let at = st.record?.at ?? "?"
            throw ValidationError(.conflict, field: "step", "step \(id) is already done (\(at))", ja: "手順 \(id) は完了済みです（\(at)）")
        case .skipped:
            throw ValidationError(.conflict, field: "step", "step \(id) was skipped (\(st.record?.note ?? ""))", ja: "手順 \(id) は省略済みです")
        case .notApplicable:
            throw ValidationError(
                .conflict, field: "step", "step \(id) does not apply to this case (when: \(st.step.when?.source ?? ""))",
                ja: "手順 \(id) はこの事案には適用されません（条件: \(st.step.when?.source ?? "")）")
        case .waiting where !skip:
            let names = st.waitingOn.joined(separator: ", ")
            throw ValidationError(
                .conflict, field: "step", "step \(id) is waiting on \(names); do those first (or skip them with a reason)",
                ja: "手順 \(id) は \(names) の完了待ちです。先にそれらを完了してください（理由を付けて省略も可）")
        case .ready where !skip && st.step.type == .auto:
            throw ValidationError(
                .conflict, field: "step", "step \(id) is automatic; sokuhod performs it (skip it with a reason to stop it)",
                ja: "手順 \(id) は自動で実行されます（止めるには理由を付けて省略してください）")
        default:
            return
        }
    }

    /// `playbook.list`: the set in force for new cases.
    func playbookList() -> JSONValue {
        let set = currentPlaybooks
        let list: [JSONValue] = set.entries.map { e in
            let p = e.playbook
            return [
                "playbook": .string(p.id), "file": .string(e.file), "title": p.title.json, "hash": .string(p.hash),
                "kinds": .array(p.kinds.map { .string($0.rawValue) }), "when": p.when.map { .string($0.source) } ?? .null,
                "priority": .int(Int64(p.priority)), "steps": .int(Int64(p.steps.count)),
                "mandatory_steps": .int(Int64(p.steps.filter(\.mandatory).count)),
            ]
        }
        return ControlResponse.success([
            "playbooks": .array(list), "uncovered_kinds": .array(set.uncoveredKinds.map { .string($0.rawValue) }),
        ])
    }
}
