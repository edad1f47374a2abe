/// The incident report (事故報告書) of one case, built from the `case.report` dossier: Article 18
/// facts, the nine APPI items, clocks, timeline, steps, instructions, deliveries to the city,
/// publication and the audit head. Japanese or English, every value in the words of the
/// document's `DocumentStyle` (times in its zone, counts with units, states as words, each event
/// as a sentence from `EventSentence`); the sections are in `IncidentReport+Sections.swift`.
public enum IncidentReport {
    public static func document(_ d: JSONValue, style s: DocumentStyle) -> ReportDocument {
        let c = d["case"] ?? .null
        let id = s.text(c["id"])
        let generated = d["generated_at"]?.stringValue
        var doc = ReportDocument(
            title: s.t("Information security incident report", "情報セキュリティインシデント事故報告書") + " \(id)",
            subtitle: s.t(
                "Article 18 of the special provisions on confidential and personal information. Generated ",
                "秘密情報及び個人情報の取扱いに関する特記事項 第18条。作成日時 ") + s.time(d["generated_at"]) + s.t(". ", "。") + s.zoneNote(at: generated),
            footer: "",
            pageFooter: s.t("Incident report ", "事故報告書 ") + id)
        doc.sections = [
            facts(c, s, history: d["count_history"]?.arrayValue ?? []), appi(c, d["national_report"] ?? .null, s), clocks(d, s),
            timeline(d, s), steps(d, s), instructions(c, s),
            deliveries(d, s),
        ]
        let audit = d["audit"] ?? .null
        let events = s.count(of: audit["events"], .events)
        doc.footer =
            s.t("Audit chain: \(events), head ", "監査チェーン: \(events)のイベント、先頭ハッシュ ") + s.text(audit["head_hash"])
            + s.t("; last event of this case ", "、この事案の最終イベント ") + s.text(audit["case_last_hash"])
            + s.t(". Verify with: sokuho audit verify --db sokuho.db", "。検証: sokuho audit verify --db sokuho.db")
        return doc
    }

    /// Section 1: the Article 18 facts.
    static func facts(_ c: JSONValue, _ s: DocumentStyle, history: [JSONValue] = []) -> ReportDocument.Section {
        let reporter = c["reporter"] ?? .null
        let reporterText =
            reporter.isNull
            ? s.unknown : ["name", "organization", "contact"].compactMap { reporter[$0]?.stringValue }.joined(separator: " / ")
        var state = s.caseState(c["state"]?.stringValue)
        if let r = c["resolution"]?.stringValue { state += " — " + s.resolution(r) }
        func given(_ key: String) -> String { s.text(c[key]).replacingOccurrences(of: DocumentStyle.dash, with: s.unknown) }
        return .init(
            heading: s.t("1. The incident (Article 18)", "1. 事故の概要（第18条）"),
            blocks: [
                .fields(
                    [
                        (s.t("Case", "事案番号"), s.text(c["id"])),
                        (s.t("State", "状態"), state),
                        (s.t("Kind", "種類"), s.kind(c["kind"]?.stringValue)),
                        (s.t("Occurred or suspected", "発生／おそれ"), s.occurrence(suspected: c["suspected"]?.boolValue == true)),
                        (s.t("Information involved", "秘密情報の内容"), given("information")),
                        (s.t("Number of items", "件数"), s.caseCount(c)),
                        (s.t("Where", "発生場所"), given("location")),
                        (s.t("How", "発生状況"), given("circumstances")),
                        (s.t("Occurred at", "発生日時"), s.time(c["occurred_at"]?.stringValue) ?? s.unknown),
                        (s.t("Discovered at", "発見日時"), s.time(c["discovered_at"]?.stringValue) ?? s.unknown),
                        (s.t("Reported at", "報告日時"), s.time(c["reported_at"])),
                        (s.t("Subcontractor", "再委託事業者"), c["subcontractor"]?.stringValue ?? s.t("none", "なし")),
                        (s.t("Reporter (as declared)", "報告者（申告）"), reporterText.isEmpty ? s.unknown : reporterText),
                    ] + ledgerRows(c, s) + countHistoryRows(history, s))
            ])
    }

    /// Section 2: the nine APPI items, the triggers and the national-report assessment.
    static func appi(_ c: JSONValue, _ nr: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        let a = c["appi"] ?? .null
        func item(_ key: String) -> String { a[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? s.unknown }
        var harm = s.secondaryHarm(a["secondary_harm"]?.stringValue)
        if let detail = a["secondary_harm_detail"]?.stringValue { harm += " — " + detail }
        let pub = c["publication"] ?? .null
        var pubText = s.decision(pub["decision"]?.stringValue)
        if let date = s.day(pub["date"]?.stringValue) { pubText += s.t(" (\(date))", "（\(date)）") }
        if let url = pub["url"]?.stringValue { pubText += " " + url }
        let values: [String: String] = [
            "summary": item("summary"), "data_items": item("data_items"),
            "persons": s.count(of: a["persons"], .persons, precision: a["persons_precision"]),
            "cause": item("cause"), "secondary_harm": harm, "notice_to_persons": item("notice_to_persons"), "publication": pubText,
            "recurrence_prevention": item("recurrence_prevention"), "other": a["other"]?.stringValue ?? DocumentStyle.dash,
        ]
        var rows = AppiItems.labels.map { (s.t($0.en, $0.ja), values[$0.key] ?? DocumentStyle.dash) }
        let triggers = ["sensitive", "financial_harm", "malicious", "encrypted"].map { key in
            FieldChangeSentence.label(key, s) + s.t(": ", "：") + (a[key]?.boolValue.map { s.yesNo($0) } ?? s.unknown)
        }
        rows.append((s.t("Triggers", "報告要否の要素"), triggers.joined(separator: s.t("; ", "、"))))
        rows.append((s.t("Report to the national commission", "個人情報保護委員会への報告"), nationalReport(a, nr, s)))
        return .init(heading: s.t("2. Items of the personal information law report", "2. 個人情報保護法の報告事項"), blocks: [.fields(rows)])
    }

    /// Whether a report to the national commission is likely required, and why, in words
    /// (the reasons are worked out again from the items, in the document's language).
    static func nationalReport(_ a: JSONValue, _ nr: JSONValue, _ s: DocumentStyle) -> String {
        let likely: String =
            switch nr["likely"] {
            case .bool(true)?: s.t("likely required", "必要と見込まれる")
            case .bool(false)?: s.t("not required", "不要と見込まれる")
            default: s.t("cannot be told yet", "まだ判断できない")
            }
        var reasons: [String] = []
        if a["encrypted"]?.boolValue == true {
            reasons.append(s.t("the data was strongly encrypted", "高度な暗号化により対象外"))
        } else {
            for key in ["sensitive", "financial_harm", "malicious"] where a[key]?.boolValue == true {
                reasons.append(FieldChangeSentence.label(key, s))
            }
            let threshold = nr["persons_threshold"]?.intValue
            if let p = a["persons"]?.intValue, let threshold, p > threshold {
                reasons.append(
                    s.t(
                        "\(s.count(p, .persons)), more than \(s.count(threshold, .persons))",
                        "本人の数 \(s.count(p, .persons))が\(s.count(threshold, .persons))を超える"))
            }
            if reasons.isEmpty, a["persons"]?.isNull ?? true { reasons.append(s.t("the number of persons is not yet known", "本人の数が未確認")) }
            if reasons.isEmpty, ["sensitive", "financial_harm", "malicious"].contains(where: { a[$0]?.isNull ?? true }) {
                reasons.append(s.t("some triggers are not yet known", "報告要否の要素に未確認のものがある"))
            }
        }
        return reasons.isEmpty ? likely : likely + s.t(" (\(reasons.joined(separator: "; ")))", "（\(reasons.joined(separator: "、"))）")
    }

    /// The ledger entries the report named, when it named any.
    static func ledgerRows(_ c: JSONValue, _ s: DocumentStyle) -> [(String, String)] {
        let entries = c["ledger_entries"]?.arrayValue ?? []
        guard !entries.isEmpty else { return [] }
        let lines = entries.map { e -> String in
            let id = s.text(e["id"])
            guard let name = e["name"]?.stringValue else { return id }
            let category = e["category"]?.stringValue.flatMap(LedgerCategory.init(rawValue:)).map { s.t($0.english, $0.japanese) } ?? ""
            let unit = e["unit"]?.stringValue.flatMap(CountUnit.init) ?? .items
            return "\(id) \(s.quoted(name, limit: 60))（\(category)、\(s.count(e["records"]?.intValue, unit: unit))）"
        }
        var rows = [(s.t("Ledger entries", "台帳の該当項目"), lines.joined(separator: "\n"))]
        let filled = (c["from_ledger"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !filled.isEmpty {
            let words = filled.map { $0 == "count" ? s.t("number of items", "件数") : s.t("information", "秘密情報の内容") }
            rows.append((s.t("Taken from the ledger", "台帳から補完"), words.joined(separator: s.t(", ", "、"))))
        }
        return rows
    }

    /// The count's history, when it changed after the report.
    static func countHistoryRows(_ history: [JSONValue], _ s: DocumentStyle) -> [(String, String)] {
        guard history.count > 1 else { return [] }
        let lines = history.map { h -> String in
            let who = s.actor(user: h["by"]?["user"]?.stringValue, role: h["by"]?["role"]?.stringValue)
            return "\(s.time(h["at"]))　\(s.caseCount(h))　\(who)"
        }
        return [(s.t("Count history", "件数の推移"), lines.joined(separator: "\n"))]
    }
}
