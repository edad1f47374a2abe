/// The city's decision on publishing the incident (Art. 18 §2): recorded as the city decides.
public struct Publication: Sendable, Hashable {
    public enum Decision: String, Sendable, CaseIterable {
        /// 公表しない
        case notPlanned = "not_planned"
        /// 公表予定
        case planned
        /// 公表済み
        case published

        public var japanese: String {
            switch self {
            case .notPlanned: "公表しない"
            case .planned: "公表予定"
            case .published: "公表済み"
            }
        }
    }

    public var decision: Decision
    /// The (planned) date of publication.
    public var date: String?
    public var url: String?
    public var note: String?
    public var decidedAt: String
    /// `city` when the city's own daemon sent the decision; nil when a lead recorded it.
    public var source: String? = nil
    /// The city's id for the decision (recorded once).
    public var externalID: String? = nil

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "decision": .string(decision.rawValue), "date": .optional(date), "url": .optional(url), "note": .optional(note),
            "decided_at": .string(decidedAt),
        ]
        if let source { o["decided_by"] = .string(source) }
        if let externalID { o["external_id"] = .string(externalID) }
        return .object(o)
    }

    /// Publication decisions in the city's answer: `{"publications": [{"id", "case_id",
    /// "decision", "date"?, "url"?, "note"?}]}`, each checked as a lead's request is; anything
    /// else is skipped. At most 100.
    public static func fromWebhookAnswer(_ body: [UInt8]) -> [(caseID: String, decision: PublicationDecision)] {
        guard !body.isEmpty, body.count <= 1 << 20, let v = try? JSONParser.parse(body), case .array(let items)? = v["publications"] else {
            return []
        }
        return items.prefix(100).compactMap { item in
            guard case .object(var o) = item, let id = o.removeValue(forKey: "id")?.stringValue, !id.isEmpty, id.utf8.count <= 200,
                let caseID = o.removeValue(forKey: "case_id")?.stringValue, CaseID.parse(caseID) != nil,
                var d = try? request(o)
            else { return nil }
            d.source = "city"
            d.externalID = id
            return (caseID, d)
        }
    }

    /// Validates a `case.publication` request into the decision to record.
    public static func request(_ o: [String: JSONValue]) throws(ValidationError) -> PublicationDecision {
        let r = FieldReader(object: o)
        guard let d = try r.optionalEnum("decision", Decision.self) else {
            throw ValidationError(
                .missingField, field: "decision", "decision is required: not_planned, planned or published", ja: "decision（公表の判断）は必須です")
        }
        let date = try r.optionalText("date")
        if let date, Timestamp(rfc3339: date) == nil {
            throw ValidationError(
                .invalidValue, field: "date",
                "date must be a date such as 2026-12-01, not \"\(TerminalSafe.escape(TerminalSafe.bounded(date)))\"",
                ja: "date は 2026-12-01 の形式で指定してください")
        }
        let url = try r.optionalText("url")
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw ValidationError(.invalidValue, field: "url", "url must be an http(s) address", ja: "url は http(s) のアドレスで指定してください")
        }
        if d == .published && (date == nil || url == nil) {
            throw ValidationError(
                .missingField, field: date == nil ? "date" : "url", "a published decision needs the date and the url of the publication",
                ja: "公表済みには公表日（date）と URL（url）が必要です")
        }
        return PublicationDecision(decision: d, date: date, url: url, note: try r.optionalText("note"))
    }
}
