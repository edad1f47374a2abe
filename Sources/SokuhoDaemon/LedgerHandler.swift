import Foundation
import Logging
import SokuhoCore
import SokuhoStore

/// The ledger through the socket (docs/ledger.md): `ledger.add`, `ledger.list`, `ledger.get`,
/// `ledger.update`, `ledger.submit`, take-out (`ledger.takeout`, `ledger.approve`,
/// `ledger.return`) and disposal (`disposal.apply`, `disposal.done`). Leads write, auditors read;
/// every change is an event in the audit chain, and what the city must know goes to it.
struct LedgerHandler: DeskArea {
    let context: DeskContext

    func add(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        guard let body = o["entry"] else {
            throw ValidationError(
                .missingField, field: "entry", "entry is required: {\"op\":\"ledger.add\",\"entry\":{…}}", ja: "entry は必須です")
        }
        let fields = try LedgerFields.validate(body)
        let result = try await store.addLedgerEntry(fields, actor: actor, at: clock.now(), endpoints: escalation)
        logger.notice("ledger entry added", metadata: ["entry": "\(result.entry.id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    func list(_ o: [String: JSONValue]) async throws -> JSONValue {
        let r = FieldReader(object: o)
        let state = try r.optionalEnum("state", LedgerState.self)
        let category = try r.optionalEnum("category", LedgerCategory.self)
        let limit = try r.optionalInt("limit", in: 1...10_000) ?? 10_000
        let entries = try await store.ledgerEntries(state: state, category: category, limit: Int(limit))
        return ControlResponse.success([
            "entries": .array(entries), "count": .int(Int64(entries.count)), "time_zone_offset_seconds": zoneOffsetMember,
        ])
    }

    func get(_ o: [String: JSONValue]) async throws -> JSONValue {
        let id = try entryID(o)
        guard let (entry, events, cases) = try await store.ledgerEntry(id: id) else { throw StoreError.notFound(id: id) }
        let history: [JSONValue] = events.map { e in
            [
                "seq": .int(e.seq), "at": .string(e.at), "type": .string(e.type), "hash": .string(e.hash),
                "actor": ["uid": e.actor["uid"] ?? .null, "user": e.actor["user"] ?? .null, "role": e.actor["role"] ?? .null],
                "data": e.data,
            ]
        }
        return ControlResponse.success([
            "entry": entry.json, "events": .array(history), "cases": .array(cases.map { .string($0) }),
            "time_zone_offset_seconds": zoneOffsetMember,
        ])
    }

    func update(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let id = try entryID(o)
        guard let fields = o["fields"] else {
            throw ValidationError(.missingField, field: "fields", "fields is required: the members to change", ja: "fields（変更する項目）は必須です")
        }
        let result = try await store.mutateLedgerEntry(id: id, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            try entry.update(fields).map { [LedgerChange($0)] } ?? []
        }
        if !result.receipts.isEmpty { logger.notice("ledger entry updated", metadata: ["entry": "\(id)", "uid": "\(actor.peer.uid)"]) }
        return answer(result)
    }

    func submit(actor: EventActor) async throws -> JSONValue {
        let (count, receipt) = try await store.submitLedger(actor: actor, at: clock.now(), endpoints: escalation)
        logger.notice("ledger submitted", metadata: ["entries": "\(count)", "uid": "\(actor.peer.uid)"])
        wake()
        return ControlResponse.success([
            "entries": .int(Int64(count)), "receipt": receipt.json, "endpoints": .array(escalation.map { .string($0) }),
        ])
    }

    func takeOut(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let id = try entryID(o)
        let r = FieldReader(object: o)
        let purpose = try r.requiredLine("purpose", maxLength: 500)
        guard let until = try r.optionalTimestamp("until") else {
            throw ValidationError(
                .missingField, field: "until", "until is required: when it comes back at the latest", ja: "until（返却予定日時）は必須です")
        }
        let encrypted = try r.optionalBool("encrypted") ?? false
        let now = clock.now().timeIntervalSince1970
        let result = try await store.mutateLedgerEntry(id: id, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            [
                LedgerChange(
                    try entry.requestTakeOut(purpose: purpose, until: until, encrypted: encrypted, by: actor.by, now: now),
                    message: .takeOutRequested
                )
            ]
        }
        logger.notice("take-out applied for", metadata: ["entry": "\(id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    func approve(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let r = FieldReader(object: o)
        let request = try requestID(o)
        let by = try r.requiredLine("by", maxLength: 200)
        let at = try r.optionalTimestamp("approved_at") ?? Timestamp.format(clock.now())
        let approvalID = try r.optionalLine("approval_id", maxLength: 200)
        let approval = LedgerApproval(request: request.id, approvedAt: at, by: by, source: "manual", approvalID: approvalID)
        let result = try await record(approval, actor: actor)
        return answer(result)
    }

    /// Records an approval, by hand or from the city's answer; an approval already recorded
    /// under the same city id changes nothing.
    @discardableResult
    func record(_ approval: LedgerApproval, actor: EventActor) async throws -> LedgerResult {
        guard let parsed = LedgerID.parseRequest(approval.request) else { throw StoreError.notFound(id: approval.request) }
        let now = clock.now()
        let result = try await store.mutateLedgerEntry(id: parsed.entry, actor: actor, at: now, endpoints: escalation) { entry in
            try entry.approve(approval, now: now.timeIntervalSince1970).map { [LedgerChange($0)] } ?? []
        }
        if !result.receipts.isEmpty {
            logger.notice("approval recorded", metadata: ["request": "\(approval.request)", "source": "\(approval.source)"])
        }
        return result
    }

    func returnTakeOut(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let request = try requestID(o, kind: .takeOut)
        let note = try FieldReader(object: o).optionalText("note", maxLength: 2_000)
        let result = try await store.mutateLedgerEntry(id: request.entry, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            [LedgerChange(try entry.returnTakeOut(request.id, note: note), message: .takeOutReturned)]
        }
        wake()
        return answer(result)
    }

    func disposalApply(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let id = try entryID(o)
        let r = FieldReader(object: o)
        let method = try r.requiredLine("method", maxLength: 500)
        let medium = try r.requiredLine("medium", maxLength: 200)
        let quantity = try r.requiredLine("quantity", maxLength: 200)
        guard let planned = try r.optionalTimestamp("planned") else {
            throw ValidationError(.missingField, field: "planned", "planned is required: the planned date", ja: "planned（廃棄予定日）は必須です")
        }
        let result = try await store.mutateLedgerEntry(id: id, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            [
                LedgerChange(
                    try entry.requestDisposal(method: method, medium: medium, quantity: quantity, planned: planned, by: actor.by),
                    message: .disposalRequested)
            ]
        }
        logger.notice("disposal applied for", metadata: ["entry": "\(id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    func disposalDone(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let request = try requestID(o, kind: .disposal)
        let r = FieldReader(object: o)
        let by = try r.requiredLine("by", maxLength: 200)
        let at = try r.optionalTimestamp("at") ?? Timestamp.format(clock.now())
        let witness = try r.optionalLine("witness", maxLength: 200)
        let now = clock.now()
        let result = try await store.mutateLedgerEntry(id: request.entry, actor: actor, at: now, endpoints: escalation) { entry in
            [
                LedgerChange(
                    try entry.completeDisposal(request.id, at: at, by: by, witness: witness, now: now.timeIntervalSince1970),
                    message: .disposalCompleted)
            ]
        }
        logger.notice("disposal recorded", metadata: ["request": "\(request.id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    func withdraw(_ o: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let request = try requestID(o)
        let reason = try FieldReader(object: o).requiredLine("reason", maxLength: 500)
        let result = try await store.mutateLedgerEntry(id: request.entry, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            [LedgerChange(try entry.withdraw(request.id, reason: reason), message: .withdrawn)]
        }
        logger.notice("application withdrawn", metadata: ["request": "\(request.id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    // MARK: - Helpers

    private func answer(_ result: LedgerResult) -> JSONValue {
        ControlResponse.success([
            "entry": result.entry.json, "receipts": .array(result.receipts.map(\.json)),
            "receipt": result.receipts.last?.json ?? .null,
        ])
    }

    /// A message may have been queued: wake the delivery worker.
    private func wake() { context.listeners.wakeup?.signal() }

    /// The entry id in `id`: well-formed (`L-0001`), quoted back bounded when it is not.
    func entryID(_ o: [String: JSONValue]) throws -> String {
        guard let v = o["id"] else {
            throw ValidationError(.missingField, field: "id", "id is required (a ledger entry id such as L-0001)", ja: "id（台帳番号）は必須です")
        }
        guard case .string(let id) = v, LedgerID.parse(id) != nil else {
            throw ValidationError(
                .invalidValue, field: "id", "id must look like L-0001, not \(TerminalSafe.bounded(v.stringValue ?? v.typeName))",
                ja: "id は L-0001 の形式で指定してください")
        }
        return id
    }

    /// The request id in `request` (`L-0001-T1`, `L-0001-D1`), of `kind` when given.
    func requestID(_ o: [String: JSONValue], kind: LedgerID.RequestKind? = nil) throws -> (id: String, entry: String) {
        let example = kind == .disposal ? "L-0001-D1" : kind == .takeOut ? "L-0001-T1" : "L-0001-T1 or L-0001-D1"
        guard let v = o["request"] else {
            throw ValidationError(.missingField, field: "request", "request is required (such as \(example))", ja: "request（申請番号）は必須です")
        }
        guard case .string(let s) = v, let parsed = LedgerID.parseRequest(s), kind == nil || parsed.kind == kind else {
            throw ValidationError(
                .invalidValue, field: "request",
                "request must look like \(example), not \(TerminalSafe.bounded(v.stringValue ?? v.typeName))",
                ja: "request は \(example) の形式で指定してください")
        }
        return (s, parsed.entry)
    }
}
