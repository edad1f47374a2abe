/// A take-out (持出し, Art. 12): applied for, approved by the city, then returned.
public struct TakeOut: Sendable, Hashable {
    public var request: String
    public var purpose: String
    /// When it comes back at the latest (RFC 3339).
    public var until: String
    public var encrypted: Bool
    public var requestedAt: String
    public var requestedBy: JSONValue
    public var approval: LedgerApproval?
    public var returnedAt: String?
    public var returnNote: String?
    /// Withdrawn (or refused by the city) before it was approved.
    public var withdrawnAt: String?
    public var withdrawReason: String?

    /// Applied for, not yet approved, not withdrawn.
    public var isPending: Bool { approval == nil && returnedAt == nil && withdrawnAt == nil }
    /// Approved and not yet back: the entry is out.
    public var isOut: Bool { approval != nil && returnedAt == nil }

    public var json: JSONValue {
        [
            "request": .string(request), "purpose": .string(purpose), "until": .string(until), "encrypted": .bool(encrypted),
            "requested_at": .string(requestedAt), "requested_by": requestedBy, "approval": approval?.data ?? .null,
            "returned_at": .optional(returnedAt), "return_note": .optional(returnNote), "withdrawn_at": .optional(withdrawnAt),
            "withdraw_reason": .optional(withdrawReason),
        ]
    }
}
