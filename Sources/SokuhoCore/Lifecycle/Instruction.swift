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
        fromWebhookAnswer(body, defaultCase: "").map { ($0.externalID, $0.from, $0.text, $0.issuedAt) }
    }

    /// As `fromWebhookAnswer(_:)`, each with the case it is for: its `case_id` (a well-formed
    /// case id), else `defaultCase` (the case the answered message was about).
    public static func fromWebhookAnswer(_ body: [UInt8], defaultCase: String) -> [(
        caseID: String, externalID: String?, from: String?, text: String, issuedAt: String?
    )] {
        guard !body.isEmpty, let v = try? JSONParser.parse(body), case .array(let items)? = v["instructions"] else { return [] }
        return items.prefix(100).compactMap { item in
            let caseID = item["case_id"]?.stringValue ?? defaultCase
            guard item["case_id"] == nil || CaseID.parse(caseID) != nil else { return nil }
            // The text rules of a lead's `instruction.add`: no control or bidi characters.
            guard case .object(let o) = item, let text = try? FieldReader(object: o).optionalText("text"), text.count <= 10_000 else {
                return nil
            }
            let issued = item["issued_at"]?.stringValue.flatMap { Timestamp(rfc3339: $0) != nil ? $0 : nil }
            // Ids and names: the first 200 scalars, controls escaped — stable, so a repeated answer
            // is still recognised by its id.
            let line = { (key: String) in item[key]?.stringValue.map { TerminalSafe.escape(Self.first200($0)) } }
            return (caseID, line("id"), line("from"), text, issued)
        }
    }
}

extension Instruction {
    /// The first 200 Unicode scalars of a city's id or name.
    static func first200(_ s: String) -> String { String(String.UnicodeScalarView(s.unicodeScalars.prefix(200))) }
}
