/// The incident report (事故報告書) of one case, built from the `case.report` dossier: Article 18
/// facts, the nine APPI items, clocks, timeline, steps, instructions, deliveries to the city,
/// publication and the audit head. Japanese or English.
public enum IncidentReport {
    public static func document(_ d: JSONValue, japanese ja: Bool) -> ReportDocument {
        let c = d["case"] ?? .null
        func t(_ en: String, _ jp: String) -> String { ja ? jp : en }
        func s(_ v: JSONValue?) -> String {
            guard let v, !v.isNull else { return "—" }
            switch v {
            case .string(let x): return x
            case .bool(let b): return b ? t("yes", "あり") : t("no", "なし")
            default: return v.canonicalString
            }
        }
        let id = s(c["id"])
        let kind = c["kind"]?.stringValue.flatMap(IncidentKind.init(rawValue:))
        let state = c["state"]?.stringValue.flatMap(CaseState.init(rawValue:))
        var doc = ReportDocument(
            title: t("Information security incident report", "情報セキュリティインシデント事故報告書") + " \(id)",
            subtitle: t("Article 18 of the special provisions on confidential and personal information. Generated ", "秘密情報及び個人情報の取扱いに関する特記事項 第18条。作成日時 ") + s(d["generated_at"]),
            footer: "")

        var count = s(c["count"])
        if let p = c["count_precision"]?.stringValue.flatMap(CountPrecision.init(rawValue:)), c["count"]?.isNull == false {
            count += " (" + (ja ? p.japanese : p.rawValue) + ")"
        } else if c["count"]?.isNull ?? true { count = t("unknown", "不明") }
        let reporter = c["reporter"] ?? .null
        let reporterText = reporter.isNull ? "—" : [reporter["name"], reporter["organization"], reporter["contact"]].compactMap { $0?.stringValue }.joined(separator: " / ")
        var resolution = state.map { ja ? $0.japanese : $0.rawValue } ?? "—"
        if let r = c["resolution"]?.stringValue.flatMap(Resolution.init(rawValue:)) { resolution += " — " + (ja ? r.japanese : r.rawValue) }
        doc.sections.append(.init(heading: t("1. The incident (Article 18)", "1. 事故の概要（第18条）"), blocks: [.fields([
            (t("Case", "事案番号"), id),
            (t("State", "状態"), resolution),
            (t("Kind", "種類"), kind.map { ja ? $0.japanese : $0.rawValue } ?? "—"),
            (t("Occurred or suspected", "発生／おそれ"), c["suspected"]?.boolValue == true ? t("suspected (may have occurred)", "発生のおそれ") : t("occurred", "発生")),
            (t("Information involved", "秘密情報の内容"), s(c["information"])),
            (t("Number of items", "件数"), count),
            (t("Where", "発生場所"), s(c["location"])),
            (t("How", "発生状況"), s(c["circumstances"])),
            (t("Occurred at", "発生日時"), s(c["occurred_at"])),
            (t("Discovered at", "発見日時"), s(c["discovered_at"])),
            (t("Reported at", "報告日時"), s(c["reported_at"])),
            (t("Subcontractor", "再委託事業者"), s(c["subcontractor"])),
            (t("Reporter (as declared)", "報告者（申告）"), reporterText),
        ])]))

        let a = c["appi"] ?? .null
        var persons = s(a["persons"])
        if let p = a["persons_precision"]?.stringValue.flatMap(CountPrecision.init(rawValue:)), a["persons"]?.isNull == false { persons += " (" + (ja ? p.japanese : p.rawValue) + ")" }
        var harm = s(a["secondary_harm"])
        if let detail = a["secondary_harm_detail"]?.stringValue { harm += " — " + detail }
        let pub = c["publication"] ?? .null
        let pubText: String = pub.isNull ? t("not decided", "未定") : {
            let dec = pub["decision"]?.stringValue.flatMap(Publication.Decision.init(rawValue:))
            return [dec.map { ja ? $0.japanese : $0.rawValue }, pub["date"]?.stringValue, pub["url"]?.stringValue].compactMap { $0 }.joined(separator: " ")
        }()
        let values: [String: String] = [
            "summary": s(a["summary"]), "data_items": s(a["data_items"]), "persons": persons, "cause": s(a["cause"]),
            "secondary_harm": harm, "notice_to_persons": s(a["notice_to_persons"]), "publication": pubText,
            "recurrence_prevention": s(a["recurrence_prevention"]), "other": s(a["other"]),
        ]
        var appiRows = AppiItems.labels.map { (ja ? $0.ja : $0.en, values[$0.key] ?? "—") }
        let triggers = [("sensitive", "sensitive information", "要配慮個人情報"), ("financial_harm", "risk of financial harm", "財産的被害のおそれ"),
                        ("malicious", "malicious intent", "不正の目的"), ("encrypted", "strongly encrypted", "高度な暗号化")]
        appiRows.append((t("Triggers", "報告要否の要素"), triggers.map { "\(ja ? $0.2 : $0.1): \(a[$0.0]?.isNull ?? true ? "?" : s(a[$0.0]))" }.joined(separator: ", ")))
        let nr = d["national_report"] ?? .null
        let likely: String = switch nr["likely"] {
        case .bool(true)?: t("likely required", "必要と見込まれる")
        case .bool(false)?: t("not required", "不要と見込まれる")
        default: t("cannot be told yet", "まだ判断できない")
        }
        let reasons = (nr["reasons"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; ")
        appiRows.append((t("Report to the national commission", "個人情報保護委員会への報告"), likely + (reasons.isEmpty ? "" : " (\(reasons))")))
        doc.sections.append(.init(heading: t("2. Items of the personal information law report", "2. 個人情報保護法の報告事項"), blocks: [.fields(appiRows)]))

        let clockRows: [[String]] = (d["clocks"]?.arrayValue ?? []).map { k in
            [ja ? s(k["title"]?["ja"]) : s(k["title"]?["en"]), s(k["due_at"]), clockState(k["state"]?.stringValue ?? "", ja: ja), s(k["met_at"])]
        }
        doc.sections.append(.init(heading: t("3. Deadlines", "3. 期限"), blocks: [.table(header: [t("Clock", "期限"), t("Due", "期日"), t("State", "状態"), t("Met at", "達成日時")], rows: clockRows)]))

        let timeline: [[String]] = (d["events"]?.arrayValue ?? []).map { e in
            let type = s(e["type"])
            let by = [e["actor"]?["user"]?.stringValue, e["actor"]?["role"]?.stringValue].compactMap { $0 }.joined(separator: " / ")
            return [s(e["at"]), eventLabel(type, ja: ja), by.isEmpty ? "—" : by, summarize(e["data"] ?? .null)]
        }
        doc.sections.append(.init(heading: t("4. Timeline", "4. 経過"), blocks: [.table(header: [t("When", "日時"), t("What", "内容"), t("By", "実施者"), t("Details", "詳細")], rows: timeline)]))

        let steps: [[String]] = (d["steps"]?.arrayValue ?? []).map { st in
            let r = st["record"] ?? .null
            let title = ja ? s(st["title"]?["ja"]) : s(st["title"]?["en"])
            let mark = st["mandatory"]?.boolValue == true ? " ★" : ""
            return [s(st["id"]) + mark, title, s(st["state"]), r.isNull ? s(st["due_at"]) : s(r["at"]), (r["note"] ?? r["reason"])?.stringValue ?? ""]
        }
        let pb = c["playbook"] ?? .null
        let pbLine = pb.isNull ? t("No playbook.", "対応手順なし。") : t("Playbook ", "対応手順 ") + "\(s(pb["id"])) (\(ja ? s(pb["title"]?["ja"]) : s(pb["title"]?["en"])), " + t("version ", "版 ") + "\(s(pb["hash"]).prefix(16)))"
        doc.sections.append(.init(heading: t("5. Response steps", "5. 対応手順"), blocks: [
            .text(pbLine), .table(header: [t("Step", "手順"), t("Title", "名称"), t("State", "状態"), t("Done / due", "実施／期限"), t("Note", "メモ")], rows: steps),
        ]))

        let instructions: [[String]] = (c["instructions"]?.arrayValue ?? []).map { i in
            [s(i["id"]), s(i["issued_at"]), s(i["from"]), s(i["text"]), s(i["response"]), i["open"]?.boolValue == true ? t("open", "未完了") : s(i["done_at"])]
        }
        doc.sections.append(.init(heading: t("6. The city's instructions", "6. 発注者の指示"), blocks: [
            .table(header: [t("No.", "番号"), t("Issued", "指示日時"), t("From", "指示者"), t("Instruction", "指示内容"), t("Response", "対応"), t("Done", "完了")], rows: instructions),
        ]))

        let deliveries: [[String]] = (d["deliveries"]?.arrayValue ?? []).map { m in
            ["#\(s(m["sequence"]))", s(m["type"]), s(m["endpoint"]), s(m["state"]), s(m["delivered_at"]), s(m["attempts"])]
        }
        doc.sections.append(.init(heading: t("7. Reports sent to the city", "7. 市への報告（送信記録）"), blocks: [
            .table(header: ["#", t("Type", "種別"), t("Endpoint", "送信先"), t("State", "状態"), t("Delivered", "到達日時"), t("Attempts", "試行")], rows: deliveries),
        ]))

        let audit = d["audit"] ?? .null
        doc.footer = t("Audit chain: ", "監査チェーン: ") + "\(s(audit["events"])) " + t("events, head ", "イベント、先頭ハッシュ ") + s(audit["head_hash"])
            + t("; last event of this case ", "、この事案の最終イベント ") + s(audit["case_last_hash"])
            + t(". Verify with: sokuho audit verify --db sokuho.db", "。検証: sokuho audit verify --db sokuho.db")
        return doc
    }

    public static func clockState(_ s: String, ja: Bool) -> String {
        switch s {
        case "met": ja ? "期限内に達成" : "met"
        case "met_late": ja ? "期限後に達成" : "met late"
        case "missed": ja ? "期限超過" : "MISSED"
        case "not_required": ja ? "不要" : "not required"
        default: ja ? "未了" : "pending"
        }
    }

    static func eventLabel(_ type: String, ja: Bool) -> String {
        let labels: [String: (String, String)] = [
            "case.opened": ("reported; case opened", "報告受付・事案登録"), "case.updated": ("facts completed or corrected", "事実の追加・訂正"),
            "playbook.assigned": ("playbook assigned", "対応手順の割当"), "step.done": ("step done", "手順完了"), "step.skipped": ("step skipped", "手順省略"),
            "step.reminded": ("overdue reminder", "期限超過の督促"), "case.transitioned": ("state changed", "状態変更"),
            "instruction.added": ("instruction from the city", "市からの指示"), "instruction.done": ("instruction carried out", "指示への対応完了"),
            "appi.updated": ("report items completed", "報告事項の追加"), "publication.decided": ("publication decision", "公表の判断"),
            "report.submitted": ("report sent to the city", "市へ報告"), "clock.missed": ("DEADLINE MISSED", "期限超過"),
            "access.denied": ("access refused", "権限なしの操作を拒否"),
        ]
        return labels[type].map { ja ? $0.1 : $0.0 } ?? type
    }

    /// One line for an event's data: `field: value` pairs, changes as `from → to`.
    static func summarize(_ data: JSONValue) -> String {
        guard case .object(let o) = data else { return data.isNull ? "" : data.canonicalString }
        return o.keys.sorted().compactMap { k in
            let v = o[k]!
            if let from = v["from"], let to = v["to"], v.objectValue?.count == 2 {
                return "\(k): \(from.stringValue ?? from.canonicalString) → \(to.stringValue ?? to.canonicalString)"
            }
            if v.isNull { return nil }
            return "\(k): \(v.stringValue ?? v.canonicalString)"
        }.joined(separator: "; ")
    }
}
