/// The periodic report on the handling status (Art. 16): every case reported in the period and
/// every case still open, as Markdown or CSV.
public enum StatusReport {
    /// The outbox key of the scheduled status reports (in place of a case id), so they reach
    /// each endpoint in order like a case's messages.
    public static let outboxKey = "STATUS-REPORT"

    public static let csvHeader = [
        "case_id", "kind", "suspected", "state", "resolution", "count", "persons", "reported_at", "discovered_at",
        "instructions_open", "preliminary_sent", "confirmed_sent", "publication", "closed_at",
    ]

    public static func rows(_ r: JSONValue) -> [[String]] {
        (r["cases"]?.arrayValue ?? []).map { c in
            func s(_ v: JSONValue?) -> String { v.flatMap { $0.isNull ? nil : ($0.stringValue ?? $0.canonicalString) } ?? "" }
            let open = (c["instructions"]?.arrayValue ?? []).filter { $0["open"]?.boolValue == true }.count
            return [
                s(c["id"]), s(c["kind"]), s(c["suspected"]), s(c["state"]), s(c["resolution"]), s(c["count"]), s(c["appi"]?["persons"]),
                s(c["reported_at"]), s(c["discovered_at"]), String(open), s(c["submitted"]?["preliminary"]),
                s(c["submitted"]?["confirmed"]),
                s(c["publication"]?["decision"]), s(c["closed_at"]),
            ]
        }
    }

    public static func csv(_ r: JSONValue) -> String {
        ([csvHeader] + rows(r)).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// One CSV cell. A cell a spreadsheet would take for a formula (= + - @, or a tab or CR
    /// before one) starts with an apostrophe, so it shows as text; controls are visible escapes.
    static func csvField(_ value: String) -> String {
        var s = TerminalSafe.escape(value, allowNewlines: true)
        if let first = s.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { s = "'" + s }
        return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// The report for people: the summary and one row per case, every value in the words of
    /// `style` (the period and the days of each case in its zone, states and kinds in its
    /// language, counts with separators). The CSV (`csv`) keeps the stored values, for programs.
    public static func document(_ r: JSONValue, style s: DocumentStyle) -> ReportDocument {
        let cases = r["cases"]?.arrayValue ?? []
        let states: [CaseState] = [.open, .contained, .resolved, .closed]
        let stateWords = states.map { s.caseState($0.rawValue) }.joined(separator: s.t(" / ", "／"))
        let byState = Dictionary(grouping: cases, by: { $0["state"]?.stringValue ?? "" }).mapValues(\.count)
        let openInstructions = cases.reduce(0) { n, c in
            n + (c["instructions"]?.arrayValue ?? []).filter { $0["open"]?.boolValue == true }.count
        }
        let period = (s.day(r["from"]?.stringValue) ?? "") + s.t(" – ", "〜") + (s.day(r["to"]?.stringValue) ?? "")
        var doc = ReportDocument(
            title: s.t("Handling status of confidential information incidents", "秘密情報に係る事故の取扱状況報告"),
            subtitle: s.t("Article 16 report for ", "第16条に基づく報告　対象期間 ") + period + s.t(" (end exclusive). Generated ", "（終了日を含まない）。作成日時 ")
                + s.time(r["generated_at"]) + s.t(". ", "。") + s.zoneNote(at: r["generated_at"]?.stringValue),
            footer: s.t("Cases reported in the period, and cases still open at its end.", "期間中に報告された事案と、期間末に未完了の事案を掲載しています。"),
            pageFooter: s.t("Handling status report ", "取扱状況報告 ") + period)
        doc.sections.append(
            .init(
                heading: s.t("Summary", "概要"),
                blocks: [
                    .fields([
                        (s.t("Cases", "事案数"), s.count(Int64(cases.count), .items)),
                        (
                            stateWords.prefix(1).uppercased() + stateWords.dropFirst(),
                            states.map { s.number(Int64(byState[$0.rawValue] ?? 0)) }.joined(separator: " / ")
                        ),
                        (s.t("Open instructions from the city", "未完了の市の指示"), s.count(Int64(openInstructions), .items)),
                    ])
                ]))
        let rows: [[String]] = cases.map { c in
            var state = s.caseState(c["state"]?.stringValue)
            if c["resolution"]?.stringValue == Resolution.falsePositive.rawValue { state += s.t(" (false positive)", "（誤検知）") }
            let kind = s.kind(c["kind"]?.stringValue) + (c["suspected"]?.boolValue == true ? s.t(" (suspected)", "のおそれ") : "")
            let open = (c["instructions"]?.arrayValue ?? []).filter { $0["open"]?.boolValue == true }.count
            let a = c["appi"] ?? .null
            var publication = c["publication"]?["decision"]?.stringValue.map { s.decision($0) } ?? s.t("not decided", "未定")
            if let date = s.day(c["publication"]?["date"]?.stringValue) { publication += s.t(" (\(date))", "（\(date)）") }
            return [
                s.text(c["id"]), kind, state, s.caseCount(c),
                a["persons"]?.isNull ?? true ? s.unknown : s.count(of: a["persons"], .persons, precision: a["persons_precision"]),
                s.day(c["reported_at"]?.stringValue) ?? DocumentStyle.dash, s.number(Int64(open)),
                s.day(c["submitted"]?["confirmed"]?.stringValue) ?? DocumentStyle.dash, publication,
            ]
        }
        doc.sections.append(
            .init(
                heading: s.t("Cases", "事案一覧"),
                blocks: [
                    .table(
                        columns: [
                            .init(s.t("Case", "事案"), width: 15, nowrap: true), .init(s.t("Kind", "種類"), width: 10),
                            .init(s.t("State", "状態"), width: 8),
                            .init(s.t("Items", "件数"), width: 12), .init(s.t("Persons", "人数"), width: 9),
                            .init(s.t("Reported", "報告日"), width: 14, nowrap: true),
                            .init(s.t("Open instr.", "未完了指示"), width: 7), .init(s.t("Confirmed report", "確報"), width: 14, nowrap: true),
                            .init(s.t("Publication", "公表"), width: 11),
                        ],
                        rows: rows)
                ]))
        if let ledger = r["ledger"], !ledger.isNull { doc.sections.append(ledgerSection(ledger, s)) }
        return doc
    }

    /// The ledger in the period (Arts. 10, 12, 15): entries by state now, take-outs and
    /// disposals in the period.
    static func ledgerSection(_ l: JSONValue, _ s: DocumentStyle) -> ReportDocument.Section {
        func n(_ v: JSONValue?) -> String { s.count(v?.intValue ?? 0, .items) }
        let states = LedgerState.allCases.map { st in
            (s.t(st.english.prefix(1).uppercased() + st.english.dropFirst(), st.japanese), n(l["by_state"]?[st.rawValue]))
        }
        return .init(
            heading: s.t("Ledger of confidential information", "秘密情報の管理台帳"),
            blocks: [
                .fields(
                    [(s.t("Entries", "登録項目"), n(l["entries"]))] + states + [
                        (s.t("Added in the period", "期間中の登録"), n(l["added"])),
                        (s.t("Take-outs approved in the period", "期間中に承認された持出し"), n(l["takeouts_approved"])),
                        (s.t("Take-outs returned in the period", "期間中の持出しの返却"), n(l["takeouts_returned"])),
                        (s.t("Disposals done in the period", "期間中の廃棄"), n(l["disposals_done"])),
                    ])
            ])
    }
}
