/// The city's approval of a take-out (Art. 12) or a disposal (Art. 15): entered by a lead
/// (`source: "manual"`) or taken from the city's answer to a delivery (`source: "webhook:<endpoint>"`,
/// with the city's own id, recorded once).
public struct LedgerApproval: Sendable, Hashable {
    public var request: String
    /// When the city approved (RFC 3339).
    public var approvedAt: String
    /// Who approved, as the city names them.
    public var by: String
    public var source: String
    /// The city's id for the approval, when it came in an answer.
    public var approvalID: String?

    public init(request: String, approvedAt: String, by: String, source: String, approvalID: String? = nil) {
        (self.request, self.approvedAt, self.by, self.source, self.approvalID) = (request, approvedAt, by, source, approvalID)
    }

    init(data: JSONValue) throws(EventDataError) {
        guard let request = data["request"]?.stringValue, let at = data["approved_at"]?.stringValue, let by = data["by"]?.stringValue,
            let source = data["source"]?.stringValue
        else { throw EventDataError("missing request, approved_at, by or source") }
        self.init(request: request, approvedAt: at, by: by, source: source, approvalID: data["approval_id"]?.stringValue)
    }

    public var data: JSONValue {
        var o: [String: JSONValue] = [
            "request": .string(request), "approved_at": .string(approvedAt), "by": .string(by), "source": .string(source),
        ]
        if let approvalID { o["approval_id"] = .string(approvalID) }
        return .object(o)
    }

    /// Approvals in the city's answer to a delivery: `{"approvals": [{"id", "request",
    /// "approved_at", "by"}]}`. Anything else in the answer is ignored; an item missing a member,
    /// or with a malformed request id or time, is skipped. At most 100 items.
    public static func fromWebhookAnswer(_ body: [UInt8], endpoint: String) -> [LedgerApproval] {
        guard body.count <= 1 << 20, let json = try? JSONParser.parse(body), case .array(let items)? = json["approvals"] else { return [] }
        return items.prefix(100).compactMap { item in
            guard let id = item["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 200,
                id.unicodeScalars.allSatisfy({ FieldReader.allowedInText($0, multiLine: false, stored: false) }),
                let request = item["request"]?.stringValue, LedgerID.parseRequest(request) != nil,
                let at = item["approved_at"]?.stringValue, let t = Timestamp(rfc3339: at),
                let by = item["by"]?.stringValue, !by.isEmpty, by.utf8.count <= 200,
                by.unicodeScalars.allSatisfy({ FieldReader.allowedInText($0, multiLine: false, stored: false) })
            else { return nil }
            return LedgerApproval(request: request, approvedAt: t.text, by: by, source: "webhook:\(endpoint)", approvalID: id)
        }
    }
}

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
