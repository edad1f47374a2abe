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

/// The payload of `ledger.takeout_requested`.
public struct TakeOutRequest: Sendable, Equatable {
    public var request: String
    public var purpose: String
    public var until: String
    public var encrypted: Bool
    public var by: JSONValue

    public init(request: String, purpose: String, until: String, encrypted: Bool, by: JSONValue) {
        (self.request, self.purpose, self.until, self.encrypted, self.by) = (request, purpose, until, encrypted, by)
    }

    init(data: JSONValue) throws(EventDataError) {
        guard let r = data["request"]?.stringValue, let p = data["purpose"]?.stringValue, let u = data["until"]?.stringValue else {
            throw EventDataError("missing request, purpose or until")
        }
        self.init(request: r, purpose: p, until: u, encrypted: data["encrypted"]?.boolValue ?? false, by: data["by"] ?? .null)
    }

    public var data: JSONValue {
        ["request": .string(request), "purpose": .string(purpose), "until": .string(until), "encrypted": .bool(encrypted), "by": by]
    }
}

/// The payload of `disposal.requested` (Art. 15: items, medium, quantity, method, planned date).
public struct DisposalRequest: Sendable, Equatable {
    public var request: String
    public var method: String
    public var medium: String
    public var quantity: String
    public var planned: String
    public var by: JSONValue

    public init(request: String, method: String, medium: String, quantity: String, planned: String, by: JSONValue) {
        (self.request, self.method, self.medium, self.quantity, self.planned, self.by) = (request, method, medium, quantity, planned, by)
    }

    init(data: JSONValue) throws(EventDataError) {
        guard let r = data["request"]?.stringValue, let m = data["method"]?.stringValue, let md = data["medium"]?.stringValue,
            let q = data["quantity"]?.stringValue, let p = data["planned"]?.stringValue
        else { throw EventDataError("missing request, method, medium, quantity or planned") }
        self.init(request: r, method: m, medium: md, quantity: q, planned: p, by: data["by"] ?? .null)
    }

    public var data: JSONValue {
        [
            "request": .string(request), "method": .string(method), "medium": .string(medium), "quantity": .string(quantity),
            "planned": .string(planned), "by": by,
        ]
    }
}

/// The payload of `disposal.completed`: when it was done, by whom, witnessed by whom.
public struct DisposalDone: Sendable, Equatable {
    public var request: String
    public var at: String
    public var by: String
    public var witness: String?

    public init(request: String, at: String, by: String, witness: String?) {
        (self.request, self.at, self.by, self.witness) = (request, at, by, witness)
    }

    init(data: JSONValue) throws(EventDataError) {
        guard let r = data["request"]?.stringValue, let at = data["at"]?.stringValue, let by = data["by"]?.stringValue else {
            throw EventDataError("missing request, at or by")
        }
        self.init(request: r, at: at, by: by, witness: data["witness"]?.stringValue)
    }

    public var data: JSONValue {
        var o: [String: JSONValue] = ["request": .string(request), "at": .string(at), "by": .string(by)]
        if let witness { o["witness"] = .string(witness) }
        return .object(o)
    }
}
