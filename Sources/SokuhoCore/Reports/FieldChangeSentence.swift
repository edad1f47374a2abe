/// The sentence for what a `case.updated` or `appi.updated` event changed: one clause per
/// field, with the new value in the document's words: 「件数を 1,200件（概数）に更新」 /
/// "number of items set to about 1,200 items". A count and its precision make one clause.
enum FieldChangeSentence {
    /// The label of a report or APPI field, in the document's language; unknown keys as given.
    static func label(_ key: String, _ s: DocumentStyle) -> String {
        let labels: [String: (en: String, ja: String)] = [
            "kind": ("kind", "種類"), "suspected": ("occurred or suspected", "発生／おそれ"),
            "information": ("information involved", "秘密情報の内容"), "count": ("number of items", "件数"),
            "count_precision": ("precision of the number of items", "件数の精度"), "location": ("place", "発生場所"),
            "circumstances": ("circumstances", "発生状況"), "occurred_at": ("time of occurrence", "発生日時"),
            "discovered_at": ("time of discovery", "発見日時"), "reporter": ("reporter", "報告者"),
            "subcontractor": ("subcontractor", "再委託事業者"), "summary": ("summary", "概要"),
            "data_items": ("personal data items", "個人データの項目"), "persons": ("number of persons", "本人の数"),
            "persons_precision": ("precision of the number of persons", "本人の数の精度"), "cause": ("cause", "原因"),
            "secondary_harm": ("secondary harm", "二次被害"), "secondary_harm_detail": ("secondary harm in detail", "二次被害の内容"),
            "notice_to_persons": ("notice to the persons", "本人への対応"), "recurrence_prevention": ("recurrence prevention", "再発防止策"),
            "other": ("other matters", "その他"), "sensitive": ("sensitive information", "要配慮個人情報"),
            "financial_harm": ("risk of financial harm", "財産的被害のおそれ"), "malicious": ("malicious intent", "不正の目的"),
            "encrypted": ("strong encryption", "高度な暗号化"),
        ]
        return labels[key].map { s.t($0.en, $0.ja) } ?? key
    }

    /// One clause per changed field, in a fixed order (the report's, then the APPI items').
    static func sentence(_ changes: [String: JSONValue], _ s: DocumentStyle) -> String {
        let order = Report.fieldNames + AppiItems.fieldNames
        let keys = changes.keys.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
        var clauses: [String] = []
        for key in keys {
            // A precision changed with its count is said with the count.
            if key == "count_precision", changes["count"] != nil { continue }
            if key == "persons_precision", changes["persons"] != nil { continue }
            let change = changes[key] ?? .null
            let (from, to) = (change["from"] ?? .null, change["to"] ?? .null)
            let newValue = value(key, to, changes: changes, side: "to", s)
            let was = from.isNull ? nil : value(key, from, changes: changes, side: "from", s)
            clauses.append(clause(label(key, s), newValue, was: was, cleared: to.isNull, s))
        }
        if clauses.isEmpty { return s.t("Facts recorded again, unchanged", "内容の変更なし") }
        let text = clauses.joined(separator: s.t("; ", "、"))
        return s.japanese ? text : text.prefix(1).uppercased() + text.dropFirst()
    }

    private static func clause(_ label: String, _ value: String, was: String?, cleared: Bool, _ s: DocumentStyle) -> String {
        if cleared {
            return s.t("\(label) set back to not yet known", "\(label)を未確認に戻す") + (was.map { s.t(" (was \($0))", "（以前は\($0)）") } ?? "")
        }
        return s.t("\(label) set to \(value)", "\(label)を \(value)に更新") + (was.map { s.t(" (was \($0))", "（以前は\($0)）") } ?? "")
    }

    /// A field's value in words: counts with units and precision, times in the zone, kinds and
    /// flags in words, text quoted (and cut: the full text is in the report's facts).
    static func value(_ key: String, _ v: JSONValue, changes: [String: JSONValue], side: String, _ s: DocumentStyle) -> String {
        if v.isNull { return s.unknown }
        switch key {
        case "count", "persons":
            let p = changes[key == "count" ? "count_precision" : "persons_precision"]?[side]
            return s.count(of: v, key == "count" ? .items : .persons, precision: p)
        case "count_precision", "persons_precision": return s.precision(v.stringValue)
        case "kind": return s.kind(v.stringValue)
        case "suspected": return s.occurrence(suspected: v.boolValue == true)
        case "occurred_at", "discovered_at": return s.time(v)
        case "secondary_harm": return s.secondaryHarm(v.stringValue)
        case "sensitive", "financial_harm", "malicious", "encrypted":
            return v.boolValue.map { s.yesNo($0) } ?? s.unknown
        case "reporter":
            let parts = ["name", "organization", "contact"].compactMap { v[$0]?.stringValue }
            return parts.isEmpty ? s.unknown : s.quoted(parts.joined(separator: " / "))
        default:
            if let text = v.stringValue { return s.quoted(text) }
            if let n = v.intValue { return s.number(n) }
            if let b = v.boolValue { return s.yesNo(b) }
            return s.unknown
        }
    }
}
