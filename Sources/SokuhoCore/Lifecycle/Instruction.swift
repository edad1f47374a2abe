/// An instruction from the city (発注者の指示, Art. 18): when, from whom, what; then the
/// response and its completion. Open instructions block closure.
public struct Instruction: Sendable, Hashable {
    /// `I-1`, `I-2`, … within the case.
    public var id: String
    /// When the city gave it (as told), else when it was recorded.
    public var issuedAt: String
    public var from: String
    public var text: String
    /// `manual` (sokuho instruction add) or the endpoint whose answer carried it.
    public var source: String
    /// The city's own id, when it came in a webhook answer (deduplicates repeats).
    public var externalID: String?
    public var recordedAt: String
    public var response: String?
    public var doneAt: String?
    public var doneBy: JSONValue = .null

    public var isOpen: Bool { doneAt == nil }

    public var json: JSONValue {
        [
            "id": .string(id), "issued_at": .string(issuedAt), "from": .string(from), "text": .string(text),
            "source": .string(source), "external_id": .optional(externalID), "recorded_at": .string(recordedAt),
            "response": .optional(response), "done_at": .optional(doneAt), "done_by": doneBy, "open": .bool(isOpen),
        ]
    }

    /// Reads instructions from an endpoint's 2xx answer: `{"instructions": [{"id"?, "from"?,
    /// "text", "issued_at"?}, …]}` (`docs/escalation.md`). Anything else yields none; items
    /// without text are ignored.
    public static func fromWebhookAnswer(_ body: [UInt8]) -> [(externalID: String?, from: String?, text: String, issuedAt: String?)] {
        guard !body.isEmpty, let v = try? JSONParser.parse(body), case .array(let items)? = v["instructions"] else { return [] }
        return items.prefix(100).compactMap { item in
            guard let text = item["text"]?.stringValue?.trimmingWhitespace(), !text.isEmpty, text.count <= 10_000 else { return nil }
            let issued = item["issued_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) != nil ? $0 : nil }
            return (
                item["id"]?.stringValue.map { String($0.prefix(200)) }, item["from"]?.stringValue.map { String($0.prefix(200)) }, text,
                issued
            )
        }
    }
}
