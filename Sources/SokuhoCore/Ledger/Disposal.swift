/// A disposal (廃棄, Art. 15): applied for in advance, approved by the city, then done and recorded.
public struct Disposal: Sendable, Hashable {
    public var request: String
    public var method: String
    public var medium: String
    public var quantity: String
    /// The planned date (RFC 3339 time or date).
    public var planned: String
    public var requestedAt: String
    public var requestedBy: JSONValue
    public var approval: LedgerApproval?
    /// When it was done, by whom, and who witnessed it.
    public var completedAt: String?
    public var completedBy: String?
    public var witness: String?
    /// Withdrawn (or refused by the city) before it was done.
    public var withdrawnAt: String?
    public var withdrawReason: String?

    public var isDone: Bool { completedAt != nil }
    /// Neither done nor withdrawn: it still stands.
    public var isOpen: Bool { completedAt == nil && withdrawnAt == nil }

    public var json: JSONValue {
        [
            "request": .string(request), "method": .string(method), "medium": .string(medium), "quantity": .string(quantity),
            "planned": .string(planned), "requested_at": .string(requestedAt), "requested_by": requestedBy,
            "approval": approval?.data ?? .null, "completed_at": .optional(completedAt), "completed_by": .optional(completedBy),
            "witness": .optional(witness), "withdrawn_at": .optional(withdrawnAt), "withdraw_reason": .optional(withdrawReason),
        ]
    }
}
