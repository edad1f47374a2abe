/// The payloads of ledger events: each written as `data` and read back with `init(data:)`.

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
