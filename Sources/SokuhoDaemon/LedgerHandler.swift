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

    /// Runs one ledger request.
    func handle(_ request: LedgerRequest, actor: EventActor) async throws -> JSONValue {
        switch request {
        case .add(let entry): return try await add(entry, actor: actor)
        case .list(let state, let category, let limit): return try await list(state: state, category: category, limit: limit)
        case .get(let id): return try await get(id)
        case .update(let id, let fields): return try await update(id, fields: fields, actor: actor)
        case .submit: return try await submit(actor: actor)
        case .takeOut(let id, let purpose, let until, let encrypted):
            return try await takeOut(id, purpose: purpose, until: until, encrypted: encrypted, actor: actor)
        case .approve(let request, let by, let at, let approvalID):
            let approval = LedgerApproval(
                request: request, approvedAt: at ?? Timestamp.format(clock.now()), by: by, source: "manual", approvalID: approvalID)
            return answer(try await record(approval, actor: actor))
        case .returnTakeOut(let request, let note): return try await returnTakeOut(request, note: note, actor: actor)
        case .withdraw(let request, let reason): return try await withdraw(request, reason: reason, actor: actor)
        case .disposalApply(let id, let method, let medium, let quantity, let planned):
            return try await disposalApply(id, method: method, medium: medium, quantity: quantity, planned: planned, actor: actor)
        case .disposalDone(let request, let at, let by, let witness):
            return try await disposalDone(request, at: at ?? Timestamp.format(clock.now()), by: by, witness: witness, actor: actor)
        }
    }

    func add(_ entry: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let fields = try LedgerFields.validate(.object(entry))
        let result = try await store.addLedgerEntry(fields, actor: actor, at: clock.now(), endpoints: escalation)
        logger.notice("ledger entry added", metadata: ["entry": "\(result.entry.id)", "uid": "\(actor.peer.uid)"])
        wake()
        return answer(result)
    }

    func list(state: String?, category: String?, limit: Int?) async throws -> JSONValue {
        let entries = try await store.ledgerEntries(
            state: try FieldReader.enumValue("state", state, LedgerState.self),
            category: try FieldReader.enumValue("category", category, LedgerCategory.self), limit: limit ?? 10_000)
        return ControlResponse.success([
            "entries": .array(entries), "count": .int(Int64(entries.count)), "time_zone_offset_seconds": zoneOffsetMember,
        ])
    }

    func get(_ id: String) async throws -> JSONValue {
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

    func update(_ id: String, fields: [String: JSONValue], actor: EventActor) async throws -> JSONValue {
        let result = try await store.mutateLedgerEntry(id: id, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            try entry.update(.object(fields)).map { [LedgerChange($0)] } ?? []
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

    func takeOut(_ id: String, purpose: String, until: String, encrypted: Bool, actor: EventActor) async throws -> JSONValue {
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

    func returnTakeOut(_ id: String, note: String?, actor: EventActor) async throws -> JSONValue {
        let request = try applicationOf(id)
        let result = try await store.mutateLedgerEntry(id: request.entry, actor: actor, at: clock.now(), endpoints: escalation) { entry in
            [LedgerChange(try entry.returnTakeOut(request.id, note: note), message: .takeOutReturned)]
        }
        wake()
        return answer(result)
    }

    func disposalApply(
        _ id: String, method: String, medium: String, quantity: String, planned: String, actor: EventActor
    ) async throws -> JSONValue {
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

    func disposalDone(_ id: String, at: String, by: String, witness: String?, actor: EventActor) async throws -> JSONValue {
        let request = try applicationOf(id)
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

    func withdraw(_ id: String, reason: String, actor: EventActor) async throws -> JSONValue {
        let request = try applicationOf(id)
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

    /// An application id (checked in form when the request was decoded) with its entry.
    func applicationOf(_ id: String) throws -> (id: String, entry: String) {
        guard let parsed = LedgerID.parseRequest(id) else { throw StoreError.notFound(id: id) }
        return (id, parsed.entry)
    }
}
