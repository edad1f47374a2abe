/// A draft of the public notice the city may publish (Art. 18 §2), from the case facts only:
/// no reporter identity, no contacts, no names of people or firms, no instructions' senders.
/// Plain text; controls, DEL, C1 and bidi controls in the facts are visible escapes.
public enum PublicNotice {
    public static func draft(_ c: JSONValue, japanese ja: Bool) -> String {
        TerminalSafe.escape(text(c, japanese: ja), allowNewlines: true)
    }

    static func text(_ c: JSONValue, japanese ja: Bool) -> String {
        func s(_ k: String) -> String? { c[k]?.stringValue.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 } }
        let kind = c["kind"]?.stringValue.flatMap(IncidentKind.init(rawValue:)) ?? .other
        let suspected = c["suspected"]?.boolValue == true
        let count = c["count"]?.intValue
        let precision = c["count_precision"]?.stringValue.flatMap(CountPrecision.init(rawValue:)) ?? .exact
        let a = c["appi"] ?? .null
        let persons = a["persons"]?.intValue
        let date = (s("discovered_at") ?? s("reported_at")).map { String($0.prefix(10)) } ?? ""
        let cause = a["cause"]?.stringValue
        let prevention = a["recurrence_prevention"]?.stringValue
        let harm = a["secondary_harm"]?.stringValue
        if ja {
            var countText = count.map { "\($0)件" } ?? "件数は調査中"
            if count != nil, precision == .approximate { countText = "約" + countText }
            if count != nil, precision == .at_least { countText += "以上" }
            var out = "【お知らせ】業務委託先における個人情報等の\(kind.japanese)\(suspected ? "のおそれ" : "")について\n\n"
            out += "本市が業務を委託している事業者において、\(date.isEmpty ? "" : date + "、")\(s("information") ?? "秘密情報")の\(kind.japanese)\(suspected ? "のおそれ" : "")が判明しました。\n\n"
            out += "1. 対象となる情報: \(s("information") ?? "調査中")（\(countText)\(persons.map { "、\($0)人分" } ?? "")）\n"
            out += "2. 発生の状況: \(s("circumstances") ?? "調査中")\n"
            out += "3. 原因: \(cause ?? "調査中")\n"
            out += "4. 二次被害: \(harm == "no" ? "現時点で確認されていません" : harm == "yes" ? (a["secondary_harm_detail"]?.stringValue ?? "確認されています") : "調査中です")\n"
            out += "5. 再発防止策: \(prevention ?? "検討中")\n\n"
            out += "関係する皆様に多大なご迷惑とご心配をおかけしましたことを深くお詫び申し上げます。本市は委託先に対し、再発防止の徹底を指示しました。\n"
            return out
        }
        var countText = count.map { "\($0) item\($0 == 1 ? "" : "s")" } ?? "number of items under investigation"
        if count != nil, precision == .approximate { countText = "about " + countText }
        if count != nil, precision == .at_least { countText = "at least " + countText }
        let what = ["loss": "loss", "leak": "leak", "tampering": "alteration", "damage": "damage", "other": "incident"][kind.rawValue]!
        var out = "Notice: \(suspected ? "possible " : "")\(what) of information at a contractor of the city\n\n"
        out += "A contractor entrusted with work by the city found\(date.isEmpty ? "" : " on \(date)") a \(suspected ? "possible " : "")\(what) of \(s("information") ?? "confidential information").\n\n"
        out += "1. Information concerned: \(s("information") ?? "under investigation") (\(countText)\(persons.map { ", \($0) persons" } ?? ""))\n"
        out += "2. What happened: \(s("circumstances") ?? "under investigation")\n"
        out += "3. Cause: \(cause ?? "under investigation")\n"
        out += "4. Secondary harm: \(harm == "no" ? "none confirmed so far" : harm == "yes" ? (a["secondary_harm_detail"]?.stringValue ?? "confirmed") : "under investigation")\n"
        out += "5. Measures against recurrence: \(prevention ?? "being prepared")\n\n"
        out += "We sincerely apologise for the concern caused. The city has instructed the contractor to prevent any recurrence.\n"
        return out
    }
}
