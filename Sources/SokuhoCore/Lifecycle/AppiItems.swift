/// The nine items of a leak report under the personal information law (個人情報保護法施行規則
/// 第8条第1項) and the triggers for a report to the national commission, kept as case fields
/// that fill in as facts become known (`sokuho case update`).
public struct AppiItems: Sendable, Hashable {
    /// 1 概要
    public var summary: String?
    /// 2 漏えい等が発生し、又は発生したおそれがある個人データの項目 (name, address, …)
    public var dataItems: String?
    /// 3 本人の数 — the number of persons, distinct from the item count.
    public var persons: Int64?
    public var personsPrecision: CountPrecision?
    /// 4 原因
    public var cause: String?
    /// 5 二次被害又はそのおそれの有無: yes, no, unknown; and its content.
    public var secondaryHarm: String?
    public var secondaryHarmDetail: String?
    /// 6 本人への対応の実施状況
    public var noticeToPersons: String?
    /// 7 公表の実施状況 — from the city's publication decision (`Case.publication`).
    /// 8 再発防止のための措置
    public var recurrencePrevention: String?
    /// 9 その他参考となる事項
    public var other: String?
    /// Triggers: 要配慮個人情報, 財産的被害のおそれ, 不正の目的; and the exemption for strongly encrypted data.
    public var sensitive: Bool?
    public var financialHarm: Bool?
    public var malicious: Bool?
    public var encrypted: Bool?

    public init() {}

    public static let textFields = [
        "summary", "data_items", "cause", "secondary_harm_detail", "notice_to_persons", "recurrence_prevention", "other",
    ]
    public static let flagFields = ["sensitive", "financial_harm", "malicious", "encrypted"]
    public static let fieldNames = textFields + ["persons", "persons_precision", "secondary_harm"] + flagFields

    /// Japanese and English labels, in the order of the regulation.
    public static let labels: [(key: String, ja: String, en: String)] = [
        ("summary", "1 概要", "1 Summary"),
        ("data_items", "2 個人データの項目", "2 Personal data items"),
        ("persons", "3 本人の数", "3 Number of persons"),
        ("cause", "4 原因", "4 Cause"),
        ("secondary_harm", "5 二次被害又はそのおそれ", "5 Secondary harm"),
        ("notice_to_persons", "6 本人への対応", "6 Notice to the persons"),
        ("publication", "7 公表の実施状況", "7 Publication"),
        ("recurrence_prevention", "8 再発防止策", "8 Recurrence prevention"),
        ("other", "9 その他", "9 Other"),
    ]

    public var json: JSONValue {
        [
            "summary": .optional(summary), "data_items": .optional(dataItems), "persons": .optional(persons),
            "persons_precision": .optional(personsPrecision?.rawValue), "cause": .optional(cause),
            "secondary_harm": .optional(secondaryHarm), "secondary_harm_detail": .optional(secondaryHarmDetail),
            "notice_to_persons": .optional(noticeToPersons), "recurrence_prevention": .optional(recurrencePrevention),
            "other": .optional(other), "sensitive": .optional(sensitive), "financial_harm": .optional(financialHarm),
            "malicious": .optional(malicious), "encrypted": .optional(encrypted),
        ]
    }

    /// Builds the items from their JSON, validating every field; `stored: true` re-reads items as
    /// they were stored (replaying events), with the text rules of their time.
    public static func validate(_ v: JSONValue, stored: Bool = false) throws(ValidationError) -> AppiItems {
        guard case .object(let o) = v else {
            throw ValidationError(.wrongType, field: nil, "the APPI items must be an object", ja: "個人情報保護法の報告事項はオブジェクトで指定してください")
        }
        try FieldReader.rejectUnknownKeys(o, allowed: fieldNames, context: nil)
        let r = FieldReader(object: o, prefix: "", stored: stored)
        var a = AppiItems()
        a.summary = try r.optionalText("summary")
        a.dataItems = try r.optionalText("data_items")
        a.persons = try r.optionalInt("persons", in: 0...100_000_000_000)
        a.personsPrecision = try r.optionalEnum("persons_precision", CountPrecision.self)
        if a.persons != nil && a.personsPrecision == nil { a.personsPrecision = .exact }
        if a.persons == nil { a.personsPrecision = nil }
        a.cause = try r.optionalText("cause")
        a.secondaryHarm = try r.optionalText("secondary_harm")
        if let s = a.secondaryHarm, !["yes", "no", "unknown"].contains(s) {
            throw ValidationError(
                .invalidValue, field: "secondary_harm",
                "secondary_harm must be yes, no or unknown, not \"\(TerminalSafe.escape(TerminalSafe.bounded(s)))\"",
                ja: "secondary_harm は yes・no・unknown のいずれかです")
        }
        a.secondaryHarmDetail = try r.optionalText("secondary_harm_detail")
        a.noticeToPersons = try r.optionalText("notice_to_persons")
        a.recurrencePrevention = try r.optionalText("recurrence_prevention")
        a.other = try r.optionalText("other")
        a.sensitive = try r.optionalBool("sensitive")
        a.financialHarm = try r.optionalBool("financial_harm")
        a.malicious = try r.optionalBool("malicious")
        a.encrypted = try r.optionalBool("encrypted")
        return a
    }

    /// The changes `fields` makes, as `{field: {from, to}}`.
    public static func changes(_ fields: [String: JSONValue], to current: AppiItems) throws(ValidationError) -> [String: JSONValue] {
        guard case .object(let old) = current.json else { return [:] }
        var merged = old
        for (k, v) in fields { merged[k] = v }
        if let p = fields["persons"], p.isNull { merged["persons_precision"] = .null }
        let next = try validate(.object(merged))
        guard case .object(let new) = next.json else { return [:] }
        var changes: [String: JSONValue] = [:]
        for key in fieldNames where old[key] != new[key] { changes[key] = ["from": old[key] ?? .null, "to": new[key] ?? .null] }
        return changes
    }

    /// Whether a report to the national commission (個人情報保護委員会) is likely required:
    /// any trigger, or more persons than the threshold (100 for public bodies such as the city),
    /// unless the data was strongly encrypted. `nil` while it cannot be told yet.
    public func nationalReport(threshold: Int64) -> (likely: Bool?, reasons: [String]) {
        if encrypted == true { return (false, ["encrypted: exempt (高度な暗号化)"]) }
        var reasons: [String] = []
        if sensitive == true { reasons.append("sensitive information (要配慮個人情報)") }
        if financialHarm == true { reasons.append("risk of financial harm (財産的被害のおそれ)") }
        if malicious == true { reasons.append("malicious intent (不正の目的)") }
        if let p = persons, p > threshold { reasons.append("\(p) persons > \(threshold)") }
        if !reasons.isEmpty { return (true, reasons) }
        if persons == nil { return (nil, ["number of persons unknown"]) }
        if sensitive == nil || financialHarm == nil || malicious == nil { return (nil, ["triggers not yet assessed"]) }
        return (false, [])
    }
}

extension AppiItems {
    /// The items still to be filled before the confirmed report (確報) can be sent, by their
    /// field names. The seventh, publication, comes from the city's decision, not from here.
    public var missingForConfirmedReport: [String] {
        var m: [String] = []
        if summary == nil { m.append("summary") }
        if dataItems == nil { m.append("data_items") }
        if persons == nil { m.append("persons") }
        if cause == nil { m.append("cause") }
        if secondaryHarm == nil { m.append("secondary_harm") }
        if noticeToPersons == nil { m.append("notice_to_persons") }
        if recurrencePrevention == nil { m.append("recurrence_prevention") }
        return m
    }
}
