/// The ledger's requests (docs/ledger.md), as the CLI builds them.
public enum LedgerRequest: ControlRequest {
    /// `ledger.add`: a new entry (`LedgerFields.fieldNames`).
    case add(entry: [String: JSONValue])
    /// `ledger.list`: entries in number order, filtered.
    case list(state: String?, category: String?, limit: Int?)
    /// `ledger.get`: one entry with its events and the cases that named it.
    case get(id: String)
    /// `ledger.update`: members to change (or `state: "returned"`).
    case update(id: String, fields: [String: JSONValue])
    /// `ledger.submit`: the whole ledger to the city.
    case submit
    /// `ledger.takeout`: apply for a take-out (Art. 12).
    case takeOut(id: String, purpose: String, until: String, encrypted: Bool)
    /// `ledger.approve`: record the city's approval of a take-out or disposal.
    case approve(request: String, by: String, approvedAt: String?, approvalID: String?)
    /// `ledger.return`: what was taken out came back.
    case returnTakeOut(request: String, note: String?)
    /// `ledger.withdraw`: withdraw an application, or record that the city refused it.
    case withdraw(request: String, reason: String)
    /// `disposal.apply`: apply for a disposal (Art. 15).
    case disposalApply(id: String, method: String, medium: String, quantity: String, planned: String)
    /// `disposal.done`: record a disposal as done.
    case disposalDone(request: String, at: String?, by: String, witness: String?)

    public var operation: ControlOperation {
        switch self {
        case .add: .ledgerAdd
        case .list: .ledgerList
        case .get: .ledgerGet
        case .update: .ledgerUpdate
        case .submit: .ledgerSubmit
        case .takeOut: .ledgerTakeOut
        case .approve: .ledgerApprove
        case .returnTakeOut: .ledgerReturn
        case .withdraw: .ledgerWithdraw
        case .disposalApply: .disposalApply
        case .disposalDone: .disposalDone
        }
    }

    public var members: [String: JSONValue?] {
        func s(_ v: String?) -> JSONValue? { v.map(JSONValue.string) }
        switch self {
        case .add(let entry): return ["entry": .object(entry)]
        case .list(let state, let category, let limit):
            return ["state": s(state), "category": s(category), "limit": limit.map { .int(Int64($0)) }]
        case .get(let id): return ["id": .string(id)]
        case .update(let id, let fields): return ["id": .string(id), "fields": .object(fields)]
        case .submit: return [:]
        case .takeOut(let id, let purpose, let until, let encrypted):
            return ["id": .string(id), "purpose": .string(purpose), "until": .string(until), "encrypted": .bool(encrypted)]
        case .approve(let request, let by, let at, let approvalID):
            return ["request": .string(request), "by": .string(by), "approved_at": s(at), "approval_id": s(approvalID)]
        case .returnTakeOut(let request, let note): return ["request": .string(request), "note": s(note)]
        case .withdraw(let request, let reason): return ["request": .string(request), "reason": .string(reason)]
        case .disposalApply(let id, let method, let medium, let quantity, let planned):
            return [
                "id": .string(id), "method": .string(method), "medium": .string(medium), "quantity": .string(quantity),
                "planned": .string(planned),
            ]
        case .disposalDone(let request, let at, let by, let witness):
            return ["request": .string(request), "at": s(at), "by": .string(by), "witness": s(witness)]
        }
    }
}
