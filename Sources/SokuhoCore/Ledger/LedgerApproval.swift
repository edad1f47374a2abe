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
