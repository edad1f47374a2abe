/// A change to a ledger entry, typed: one case per event type, written as `data` and read back
/// with `init(type:data:)` when the entry is replayed. Ledger events are stored in the audit
/// chain under the entry's id (the `case_id` column names the subject: a case or an entry).
public enum LedgerEvent: Sendable, Equatable {
    /// `ledger.added`: `{"entry": {fields}}`.
    case added(LedgerFields)
    /// `ledger.updated`: `{"changes": {member: {from, to}}}`; `state` only to `returned`.
    case updated(FieldChanges)
    /// `ledger.takeout_requested`: `{"request", "purpose", "until", "encrypted", "by"}`.
    case takeOutRequested(TakeOutRequest)
    /// `ledger.takeout_approved`: a `LedgerApproval`.
    case takeOutApproved(LedgerApproval)
    /// `ledger.takeout_returned`: `{"request", "note"?}`.
    case takeOutReturned(request: String, note: String?)
    /// `disposal.requested`: `{"request", "method", "medium", "quantity", "planned", "by"}`.
    case disposalRequested(DisposalRequest)
    /// `disposal.approved`: a `LedgerApproval`.
    case disposalApproved(LedgerApproval)
    /// `disposal.completed`: `{"request", "at", "by", "witness"?}`.
    case disposalCompleted(DisposalDone)
    /// `ledger.request_withdrawn`: a take-out or disposal application withdrawn, or refused by
    /// the city, before it was approved or done. `{"request", "reason"}`.
    case withdrawn(request: String, reason: String)

    public var type: EventType {
        switch self {
        case .added: .ledgerAdded
        case .updated: .ledgerUpdated
        case .takeOutRequested: .takeOutRequested
        case .takeOutApproved: .takeOutApproved
        case .takeOutReturned: .takeOutReturned
        case .disposalRequested: .disposalRequested
        case .disposalApproved: .disposalApproved
        case .disposalCompleted: .disposalCompleted
        case .withdrawn: .requestWithdrawn
        }
    }

    public var data: JSONValue {
        switch self {
        case .added(let f): ["entry": f.json]
        case .updated(let c): c.data
        case .takeOutRequested(let r): r.data
        case .takeOutApproved(let a), .disposalApproved(let a): a.data
        case .takeOutReturned(let request, let note):
            note.map { ["request": .string(request), "note": .string($0)] } ?? ["request": .string(request)]
        case .disposalRequested(let r): r.data
        case .disposalCompleted(let d): d.data
        case .withdrawn(let request, let reason): ["request": .string(request), "reason": .string(reason)]
        }
    }

    /// Reads a stored event back; nil for types that are not ledger events.
    public init?(type: EventType, data: JSONValue) throws(EventDataError) {
        switch type {
        case .ledgerAdded:
            guard let entry = data["entry"] else { throw EventDataError("missing entry") }
            do { self = .added(try LedgerFields.validate(entry, stored: true)) } catch { throw EventDataError(error.message) }
        case .ledgerUpdated: self = .updated(try FieldChanges(data: data))
        case .takeOutRequested: self = .takeOutRequested(try TakeOutRequest(data: data))
        case .takeOutApproved: self = .takeOutApproved(try LedgerApproval(data: data))
        case .takeOutReturned:
            guard let r = data["request"]?.stringValue else { throw EventDataError("missing request") }
            self = .takeOutReturned(request: r, note: data["note"]?.stringValue)
        case .disposalRequested: self = .disposalRequested(try DisposalRequest(data: data))
        case .disposalApproved: self = .disposalApproved(try LedgerApproval(data: data))
        case .disposalCompleted: self = .disposalCompleted(try DisposalDone(data: data))
        case .requestWithdrawn:
            guard let r = data["request"]?.stringValue, let reason = data["reason"]?.stringValue else {
                throw EventDataError("missing request or reason")
            }
            self = .withdrawn(request: r, reason: reason)
        default: return nil
        }
    }
}
