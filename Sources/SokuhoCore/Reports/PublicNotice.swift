/// A draft of the public notice the city may publish (Art. 18 §2), from the case facts only:
/// no reporter identity, no contacts, no names of people or firms, no instructions' senders.
/// As plain text (`draft`) or as a document that prints on A4 (`document`); dates in the
/// document's zone and counts with separators, by its `DocumentStyle`.
public enum PublicNotice {
    /// Plain text; controls, DEL, C1 and bidi controls in the facts are visible escapes.
    public static func draft(_ c: JSONValue, style: DocumentStyle) -> String {
        let p = parts(c, style)
        var out = p.title + "\n\n" + p.lead + "\n\n"
        for (i, item) in p.items.enumerated() { out += "\(i + 1). \(item.0): \(item.1)\n" }
        return TerminalSafe.escape(out + "\n" + p.closing + "\n", allowNewlines: true)
    }

    /// The notice as a one-page document: the title, the opening paragraph, the five items and
    /// the apology. The page footer names the case, which the notice text itself does not.
    public static func document(_ c: JSONValue, style s: DocumentStyle) -> ReportDocument {
        let p = parts(c, s)
        let items = p.items.enumerated().map { ("\($0.offset + 1). \($0.element.0)", $0.element.1) }
        return ReportDocument(
            title: p.title, subtitle: s.t("Draft for the city's publication (Article 18 §2)", "市の公表用の文案（第18条第2項）"),
            sections: [.init(heading: s.t("Notice", "お知らせ"), blocks: [.text(p.lead), .fields(items), .text(p.closing)])],
            footer: "", pageFooter: s.t("Draft notice ", "公表文案 ") + s.text(c["id"]))
    }

    struct Parts {
        var title: String
        var lead: String
        var items: [(String, String)]
        var closing: String
    }

    static func parts(_ c: JSONValue, _ st: DocumentStyle) -> Parts {
        func s(_ k: String) -> String? { c[k]?.stringValue.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 } }
        let kind = c["kind"]?.stringValue.flatMap(IncidentKind.init(rawValue:)) ?? .other
        let suspected = c["suspected"]?.boolValue == true
        let count = c["count"]?.intValue
        let a = c["appi"] ?? .null
        let persons = a["persons"]?.intValue.map {
            st.count($0, .persons, precision: a["persons_precision"]?.stringValue.flatMap(CountPrecision.init(rawValue:)))
        }
        let date = st.day(s("discovered_at") ?? s("reported_at")) ?? ""
        let cause = a["cause"]?.stringValue
        let prevention = a["recurrence_prevention"]?.stringValue
        let harm = a["secondary_harm"]?.stringValue
        var countText =
            count == nil
            ? st.t("number of items under investigation", "件数は調査中") : st.count(of: c["count"], .items, precision: c["count_precision"])
        if st.japanese, let count, c["count_precision"]?.stringValue == CountPrecision.approximate.rawValue {
            countText = "約\(st.number(count))件"
        }
        if st.japanese {
            let what = "\(kind.japanese)\(suspected ? "のおそれ" : "")"
            return Parts(
                title: "【お知らせ】業務委託先における個人情報等の\(what)について",
                lead: "本市が業務を委託している事業者において、\(date.isEmpty ? "" : date + "、")\(s("information") ?? "秘密情報")の\(what)が判明しました。",
                items: [
                    ("対象となる情報", "\(s("information") ?? "調査中")（\(countText)\(persons.map { "、\($0)分" } ?? "")）"),
                    ("発生の状況", s("circumstances") ?? "調査中"), ("原因", cause ?? "調査中"),
                    (
                        "二次被害",
                        harm == "no" ? "現時点で確認されていません" : harm == "yes" ? (a["secondary_harm_detail"]?.stringValue ?? "確認されています") : "調査中です"
                    ),
                    ("再発防止策", prevention ?? "検討中"),
                ],
                closing: "関係する皆様に多大なご迷惑とご心配をおかけしましたことを深くお詫び申し上げます。本市は委託先に対し、再発防止の徹底を指示しました。")
        }
        let what = ["loss": "loss", "leak": "leak", "tampering": "alteration", "damage": "damage", "other": "incident"][kind.rawValue]!
        return Parts(
            title: "Notice: \(suspected ? "possible " : "")\(what) of information at a contractor of the city",
            lead:
                "A contractor entrusted with work by the city found\(date.isEmpty ? "" : " on \(date)") a \(suspected ? "possible " : "")\(what) of \(s("information") ?? "confidential information").",
            items: [
                ("Information concerned", "\(s("information") ?? "under investigation") (\(countText)\(persons.map { ", \($0)" } ?? ""))"),
                ("What happened", s("circumstances") ?? "under investigation"), ("Cause", cause ?? "under investigation"),
                (
                    "Secondary harm",
                    harm == "no"
                        ? "none confirmed so far"
                        : harm == "yes" ? (a["secondary_harm_detail"]?.stringValue ?? "confirmed") : "under investigation"
                ),
                ("Measures against recurrence", prevention ?? "being prepared"),
            ],
            closing: "We sincerely apologise for the concern caused. The city has instructed the contractor to prevent any recurrence.")
    }
}
