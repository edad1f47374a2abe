/// The periodic report on the handling status (Art. 16): every case reported in the period and
/// every case still open, as Markdown or CSV.
public enum StatusReport {
    /// The outbox key of the scheduled status reports (in place of a case id), so they reach
    /// each endpoint in order like a case's messages.
    public static let outboxKey = "STATUS-REPORT"

    public static let csvHeader = ["case_id", "kind", "suspected", "state", "resolution", "count", "persons", "reported_at", "discovered_at",
                                   "instructions_open", "preliminary_sent", "confirmed_sent", "publication", "closed_at"]

    public static func rows(_ r: JSONValue) -> [[String]] {
        (r["cases"]?.arrayValue ?? []).map { c in
            func s(_ v: JSONValue?) -> String { v.flatMap { $0.isNull ? nil : ($0.stringValue ?? $0.canonicalString) } ?? "" }
            let open = (c["instructions"]?.arrayValue ?? []).filter { $0["open"]?.boolValue == true }.count
            return [s(c["id"]), s(c["kind"]), s(c["suspected"]), s(c["state"]), s(c["resolution"]), s(c["count"]), s(c["appi"]?["persons"]),
                    s(c["reported_at"]), s(c["discovered_at"]), String(open), s(c["submitted"]?["preliminary"]), s(c["submitted"]?["confirmed"]),
                    s(c["publication"]?["decision"]), s(c["closed_at"])]
        }
    }

    public static func csv(_ r: JSONValue) -> String {
        func field(_ value: String) -> String {
            // A cell a spreadsheet would take for a formula (= + - @, or a tab or CR before one)
            // starts with an apostrophe, so it shows as text; controls are visible escapes.
            var s = TerminalSafe.escape(value, allowNewlines: true)
            if let first = s.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { s = "'" + s }
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        return ([csvHeader] + rows(r)).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func document(_ r: JSONValue, japanese ja: Bool) -> ReportDocument {
        func t(_ en: String, _ jp: String) -> String { ja ? jp : en }
        let rows = rows(r)
        let byState = Dictionary(grouping: rows, by: { $0[3] }).mapValues(\.count)
        var doc = ReportDocument(
            title: t("Handling status of confidential information incidents", "秘密情報に係る事故の取扱状況報告"),
            subtitle: t("Article 16 report for ", "第16条に基づく報告　対象期間 ") + "\(r["from"]?.stringValue ?? "") – \(r["to"]?.stringValue ?? "")"
                + t(". Generated ", "。作成日時 ") + (r["generated_at"]?.stringValue ?? ""),
            footer: t("Cases reported in the period, and cases still open at its end.", "期間中に報告された事案と、期間末に未完了の事案を掲載しています。"))
        doc.sections.append(.init(heading: t("Summary", "概要"), blocks: [.fields([
            (t("Cases", "事案数"), String(rows.count)),
            (t("Open / contained / resolved / closed", "対応中／封じ込め済み／解決／完了"),
             ["open", "contained", "resolved", "closed"].map { String(byState[$0] ?? 0) }.joined(separator: " / ")),
            (t("Open instructions from the city", "未完了の市の指示"), String(rows.reduce(0) { $0 + (Int($1[9]) ?? 0) })),
        ])]))
        doc.sections.append(.init(heading: t("Cases", "事案一覧"), blocks: [.table(
            header: [t("Case", "事案"), t("Kind", "種類"), t("State", "状態"), t("Items", "件数"), t("Persons", "人数"), t("Reported", "報告日時"),
                     t("Open instr.", "未完了指示"), t("Confirmed report", "確報"), t("Publication", "公表")],
            rows: rows.map { [$0[0], $0[1], $0[3], $0[5], $0[6], $0[7], $0[9], $0[11], $0[12]] })]))
        return doc
    }
}
