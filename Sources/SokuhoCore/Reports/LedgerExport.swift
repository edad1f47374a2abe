/// The ledger (台帳, Art. 10(3)) as the city asks for it: CSV for programs (stored values, one
/// row per entry) and a document for people (every value in the words of a `DocumentStyle`).
public enum LedgerExport {
    public static let csvHeader = [
        "id", "name", "category", "records", "unit", "media", "storage", "users", "received_from", "received_at", "retain_until",
        "state", "takeouts", "disposals", "created_at", "updated_at",
    ]

    public static func csv(_ entries: [JSONValue]) -> String {
        let rows = entries.map { e -> [String] in
            func s(_ v: JSONValue?) -> String { v.flatMap { $0.isNull ? nil : ($0.stringValue ?? $0.canonicalString) } ?? "" }
            return [
                s(e["id"]), s(e["name"]), s(e["category"]), s(e["records"]), s(e["unit"]), s(e["media"]), s(e["storage"]),
                (e["users"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "; "), s(e["received_from"]),
                s(e["received_at"]), s(e["retain_until"]), s(e["state"]), String(e["takeouts"]?.arrayValue?.count ?? 0),
                String(e["disposals"]?.arrayValue?.count ?? 0), s(e["created_at"]), s(e["updated_at"]),
            ]
        }
        return ([csvHeader] + rows).map { $0.map(StatusReport.csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// The ledger for people: one row per entry.
    public static func document(_ entries: [JSONValue], style s: DocumentStyle, generatedAt: String?) -> ReportDocument {
        let rows = entries.map { e -> [String] in
            [
                s.text(e["id"]), s.text(e["name"]), category(e, s), count(e, s), media(e, s), s.text(e["storage"]), state(e, s),
                s.day(e["retain_until"]?.stringValue) ?? DocumentStyle.dash,
            ]
        }
        let when: String = s.time(generatedAt) ?? DocumentStyle.dash
        let subtitle: String = s.t("Article 10(3) of the special provisions. As of ", "特記事項第10条第3項。") + when + s.t(". ", "時点。")
        return ReportDocument(
            title: s.t("Ledger of confidential information", "秘密情報の管理台帳"),
            subtitle: subtitle + s.zoneNote(at: generatedAt),
            sections: [
                .init(
                    heading: s.t("Entries", "登録項目"),
                    blocks: [
                        .table(
                            columns: [
                                .init(s.t("No.", "番号"), width: 9, nowrap: true), .init(s.t("Name", "名称"), width: 22),
                                .init(s.t("Category", "区分"), width: 12), .init(s.t("Records", "件数"), width: 11, nowrap: true),
                                .init(s.t("Media", "媒体"), width: 9), .init(s.t("Kept at", "保管場所"), width: 16),
                                .init(s.t("State", "状態"), width: 9), .init(s.t("Kept until", "保管期限"), width: 12, nowrap: true),
                            ], rows: rows)
                    ])
            ],
            footer: s.t("\(s.count(Int64(entries.count), .items)) in the ledger.", "登録 \(s.count(Int64(entries.count), .items))。"),
            pageFooter: s.t("Ledger", "管理台帳"))
    }

    /// The fields of one entry, for the receipt and the disposal record.
    public static func fields(_ e: JSONValue, _ s: DocumentStyle) -> [(String, String)] {
        [
            (s.t("Ledger entry", "台帳番号"), s.text(e["id"])),
            (s.t("Name", "名称"), s.text(e["name"])),
            (s.t("Description", "内容"), s.text(e["description"])),
            (s.t("Category", "区分"), category(e, s)),
            (s.t("Records", "件数"), count(e, s)),
            (s.t("Media", "媒体"), media(e, s)),
            (s.t("Received from", "受領元"), s.text(e["received_from"])),
            (s.t("Received on", "受領日"), s.day(e["received_at"]?.stringValue) ?? DocumentStyle.dash),
            (s.t("Kept at", "保管場所"), s.text(e["storage"])),
            (s.t("Kept until", "保管期限（返却日）"), s.day(e["retain_until"]?.stringValue) ?? DocumentStyle.dash),
        ]
    }

    static func category(_ e: JSONValue, _ s: DocumentStyle) -> String {
        e["category"]?.stringValue.flatMap(LedgerCategory.init(rawValue:)).map { s.t($0.english, $0.japanese) } ?? DocumentStyle.dash
    }

    static func media(_ e: JSONValue, _ s: DocumentStyle) -> String {
        e["media"]?.stringValue.flatMap(LedgerMedia.init(rawValue:)).map { s.t($0.english, $0.japanese) } ?? DocumentStyle.dash
    }

    static func state(_ e: JSONValue, _ s: DocumentStyle) -> String {
        e["state"]?.stringValue.flatMap(LedgerState.init(rawValue:)).map { s.t($0.english, $0.japanese) } ?? DocumentStyle.dash
    }

    static func count(_ e: JSONValue, _ s: DocumentStyle) -> String {
        s.count(e["records"]?.intValue, unit: e["unit"]?.stringValue.flatMap(CountUnit.init) ?? .items)
    }
}
