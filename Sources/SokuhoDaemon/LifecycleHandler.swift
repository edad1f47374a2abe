import Foundation
import SokuhoCore
import SokuhoStore

/// The case's way to closure: transitions and their gates (`case.transition`, `case.gates`), the
/// city's instructions, the APPI reports (`case.submit`) and the publication decision.
struct LifecycleHandler: DeskArea {
    let context: DeskContext

    /// `case.transition`: `{"id", "to": contained|resolved|closed|open, "reason"?, "resolution"?}`.
    /// Closing checks every gate in the same transaction and lists each unmet one.
    func transition(_ request: TransitionRequest, actor: EventActor) async throws -> JSONValue {
        let (id, reason) = (request.id, request.reason)
        let to = try FieldReader.enumValue("to", request.to, CaseState.self)
        let resolution = try FieldReader.enumValue("resolution", request.resolution, Resolution.self)
        guard let (current, _) = try await store.getCase(id: id) else { throw StoreError.notFound(id: id) }
        let playbook = try await playbook(of: current)
        let endpoints = escalation
        let now = clock.now()
        let result = try await store.mutateCase(id: id, actor: actor, at: now) { c in
            if to == .closed && c.state != .closed {
                // Every unmet gate at once, "resolve it first" among them.
                let steps = playbook.map { PlaybookEngine.evaluate($0, case: c, now: now.timeIntervalSince1970) }
                let gates = ClosureGates.unmet(c, steps: steps, finalReportEndpoints: endpoints)
                if !gates.isEmpty { throw GatesUnmet(gates: gates) }
            }
            let transition = try CaseLifecycle.transition(c, to: to, reason: reason, resolution: resolution)
            let type = CaseLifecycle.messageType(to: to)
            return [
                CaseChange(
                    .transitioned(transition), messages: [.init(type: type, endpoints: endpoints, extra: ["transition": transition.data])])
            ]
        }
        logger.notice(
            "case \(to == .closed ? "closed" : "state changed")",
            metadata: [
                "case": "\(id)", "from": "\(current.state.rawValue)", "to": "\(to.rawValue)", "uid": "\(actor.peer.uid)",
            ])
        changed(id)
        return ControlResponse.success(["case": result.case.json, "receipt": result.receipts.first?.json ?? .null])
    }

    /// `case.gates`: what still stands between the case and closure.
    func gates(_ request: CaseRequest, actor: EventActor, ownOnly: Bool) async throws -> JSONValue {
        let id = request.id
        let (c, _) = try await visibleCase(id, actor: actor, ownOnly: ownOnly)
        let steps = try await stepStatuses(c, now: clock.now().timeIntervalSince1970)
        let gates = ClosureGates.unmet(c, steps: steps, finalReportEndpoints: escalation)
        return ControlResponse.success(["case_id": .string(id), "gates": .array(gates.map(\.json)), "can_close": .bool(gates.isEmpty)])
    }

    /// `instruction.add`: `{"id", "text", "from", "issued_at"?}`.
    func instructionAdd(_ request: InstructionAddRequest, actor: EventActor) async throws -> JSONValue {
        let (id, text, from, issued) = (request.id, request.text, request.from, request.issuedAt)
        let result = try await addInstructions(caseID: id, [(nil, from, text, issued)], source: "manual", actor: actor)
        return ControlResponse.success([
            "case_id": .string(id), "instruction": result.case.instructions.last?.json ?? .null,
            "receipt": result.receipts.first?.json ?? .null,
        ])
    }

    /// Records instructions (from a lead, or from the city's webhook answer); those with an
    /// external id already recorded are skipped.
    @discardableResult
    func addInstructions(
        caseID: String, _ items: [(externalID: String?, from: String?, text: String, issuedAt: String?)], source: String,
        actor: EventActor
    ) async throws -> MutationResult {
        let result = try await store.mutateCase(id: caseID, actor: actor, at: clock.now()) { c in
            var known = Set(c.instructions.compactMap(\.externalID))
            var n = c.instructions.count
            var changes: [CaseChange] = []
            for item in items {
                if let ext = item.externalID, known.contains(ext) { continue }
                if let ext = item.externalID { known.insert(ext) }
                n += 1
                let added = InstructionAdded(
                    instruction: "I-\(n)", from: item.from ?? (source == "manual" ? "" : "city"), text: item.text,
                    source: source, externalID: item.externalID, issuedAt: item.issuedAt)
                changes.append(CaseChange(.instructionAdded(added)))
            }
            return changes
        }
        if !result.receipts.isEmpty {
            logger.notice(
                "instruction recorded", metadata: ["case": "\(caseID)", "count": "\(result.receipts.count)", "source": "\(source)"])
            changed(caseID)
        }
        return result
    }

    /// `instruction.done`: `{"id", "instruction": "I-1", "response"}`.
    func instructionDone(_ request: InstructionDoneRequest, actor: EventActor) async throws -> JSONValue {
        let (id, iid, response) = (request.id, request.instruction, request.response)
        let by = actor.by
        let endpoints = escalation
        let result = try await store.mutateCase(id: id, actor: actor, at: clock.now()) { c in
            guard let i = c.instructions.first(where: { $0.id == iid }) else {
                let known = c.instructions.map(\.id).joined(separator: ", ")
                throw ValidationError(
                    .notFound, field: "instruction",
                    "case \(id) has no instruction \(TerminalSafe.quoted(iid))\(known.isEmpty ? "" : " (it has \(known))")",
                    ja: "事案 \(id) に指示 \(TerminalSafe.quoted(iid)) はありません")
            }
            if !i.isOpen {
                throw ValidationError(
                    .conflict, field: "instruction", "instruction \(iid) is already done (\(i.doneAt ?? ""))", ja: "指示 \(iid) は対応済みです")
            }
            return [
                CaseChange(
                    .instructionDone(InstructionDone(instruction: iid, response: response, by: by)),
                    messages: [
                        .init(
                            type: EscalationMessage.Kind.instructionDone.rawValue, endpoints: endpoints,
                            extra: [
                                "instruction": [
                                    "id": .string(iid), "text": .string(i.text), "external_id": .optional(i.externalID),
                                    "response": .string(response),
                                ]
                            ])
                    ])
            ]
        }
        changed(id)
        return ControlResponse.success([
            "case_id": .string(id), "instruction": result.case.instructions.first { $0.id == iid }?.json ?? .null,
            "receipt": result.receipts.first?.json ?? .null,
        ])
    }

    /// `case.publication`: the city's decision, recorded and sent back to the city.
    func publication(_ request: PublicationRequest, actor: EventActor) async throws -> JSONValue {
        let id = request.id
        guard let decision = request.decided else {
            throw ValidationError(.invalidValue, field: "decision", "unknown decision", ja: "不明な判断です")
        }
        let endpoints = escalation
        let result = try await store.mutateCase(id: id, actor: actor, at: clock.now()) { _ in
            [
                CaseChange(
                    .publicationDecided(decision),
                    messages: [.init(type: EscalationMessage.Kind.publication.rawValue, endpoints: endpoints)])
            ]
        }
        logger.notice("publication decision recorded", metadata: ["case": "\(id)", "decision": "\(decision.decision.rawValue)"])
        changed(id)
        return ControlResponse.success(["case": result.case.json, "receipt": result.receipts.first?.json ?? .null])
    }

    /// A publication decision the city sent itself: recorded as the city's (`decided_by: city`),
    /// once per city id; the city is told it was recorded like any decision.
    func recordCityPublication(caseID: String, _ decision: PublicationDecision) async throws {
        let endpoints = escalation
        let result = try await store.mutateCase(id: caseID, actor: CaseStore.daemonActor, at: clock.now()) { c in
            if let ext = decision.externalID, c.publication?.externalID == ext { return [] }
            return [
                CaseChange(
                    .publicationDecided(decision),
                    messages: [.init(type: EscalationMessage.Kind.publication.rawValue, endpoints: endpoints)])
            ]
        }
        if !result.receipts.isEmpty {
            logger.notice(
                "publication decision of the city recorded", metadata: ["case": "\(caseID)", "decision": "\(decision.decision.rawValue)"])
            changed(caseID)
        }
    }

    /// `case.submit`: sends the preliminary (速報) or confirmed (確報) report with the APPI items.
    /// The confirmed report needs all nine items.
    func submit(_ request: SubmitRequest, actor: EventActor) async throws -> JSONValue {
        let (id, kind) = (request.id, request.report)
        let endpoints = escalation
        let threshold = clockSettings.personsThreshold
        let result = try await store.mutateCase(id: id, actor: actor, at: clock.now()) { c in
            if kind == "confirmed" {
                let missing = c.appi.missingForConfirmedReport
                if !missing.isEmpty {
                    throw ValidationError(
                        .conflict, field: "report",
                        "the confirmed report needs all nine items; still missing: \(missing.joined(separator: ", ")) (sokuho case update \(id) --…)",
                        ja: "確報には9項目すべてが必要です。未記入: \(missing.joined(separator: ", "))")
                }
            }
            let assessment = c.nationalReport(threshold: threshold)
            return [
                CaseChange(
                    .reportSubmitted(ReportSubmission(report: kind)),
                    messages: [
                        .init(
                            type: (kind == "confirmed" ? EscalationMessage.Kind.confirmedReport : .preliminaryReport).rawValue,
                            endpoints: endpoints,
                            extra: [
                                "national_report": [
                                    "likely": .optional(assessment.likely), "reasons": .array(assessment.reasons.map { .string($0) }),
                                ]
                            ])
                    ])
            ]
        }
        logger.notice("\(kind) report sent to the city", metadata: ["case": "\(id)", "uid": "\(actor.peer.uid)"])
        changed(id)
        return ControlResponse.success(["case": result.case.json, "receipt": result.receipts.first?.json ?? .null])
    }
}
