/// The receipt (受領証, Art. 10(6)) for information the city handed over, from a ledger entry as
/// `ledger.get` answers it: what was received, how much, from whom and when, and where it is
/// kept, with lines for the signature and seal. Japanese or English, printable on A4.
public enum LedgerReceipt {
    public static func document(_ e: JSONValue, style s: DocumentStyle, generatedAt: String?) -> ReportDocument {
        let id = s.text(e["id"])
        let when: String = s.time(generatedAt) ?? DocumentStyle.dash
        let lead: String = s.t("Article 10(6) of the special provisions. Ledger entry ", "特記事項第10条第6項　台帳番号 ")
        let subtitle: String = lead + id + s.t(". Generated ", "。作成日時 ") + when + s.t(". ", "。") + s.zoneNote(at: generatedAt)
        var doc = ReportDocument(
            title: s.t("Receipt for confidential information", "受領証"),
            subtitle: subtitle,
            footer: s.t(
                "We have received the information above and keep it as the special provisions require.",
                "上記の秘密情報を受領しました。特記事項に従い適正に管理します。"),
            pageFooter: s.t("Receipt ", "受領証 ") + id)
        doc.sections = [
            .init(
                heading: s.t("What was received", "受領した情報"),
                blocks: [.fields(LedgerExport.fields(e, s))]),
            .init(
                heading: s.t("Signature", "受領者"),
                blocks: [
                    .fields([
                        (s.t("Received on", "受領日"), s.day(e["received_at"]?.stringValue) ?? "　　　　年　　月　　日"),
                        (s.t("Received by (name, seal)", "受領者（氏名・印）"), "　"),
                        (s.t("Organisation", "所属"), "　"),
                    ])
                ]),
        ]
        return doc
    }
}

/// The record of a disposal (廃棄の記録, Art. 15) of a ledger entry: what was disposed of, how,
/// approved by whom and when, done when, by whom, witnessed by whom.
public enum DisposalCertificate {
    public static func document(_ e: JSONValue, request: String, style s: DocumentStyle, generatedAt: String?) -> ReportDocument? {
        guard let d = (e["disposals"]?.arrayValue ?? []).first(where: { $0["request"]?.stringValue == request }) else { return nil }
        let approval = d["approval"] ?? .null
        let when: String = s.time(generatedAt) ?? DocumentStyle.dash
        let lead: String = s.t("Article 15 of the special provisions. Disposal ", "特記事項第15条　廃棄番号 ") + s.text(d["request"])
        let subtitle: String = lead + s.t(". Generated ", "。作成日時 ") + when + s.t(". ", "。") + s.zoneNote(at: generatedAt)
        let approvedText: String =
            approval.isNull ? s.t("not approved", "未承認") : s.time(approval["approved_at"]) + "　" + s.text(approval["by"])
        var doc = ReportDocument(
            title: s.t("Record of disposal", "廃棄の記録（廃棄証明）"),
            subtitle: subtitle,
            footer: d["withdrawn_at"]?.isNull == false
                ? s.t(
                    "WITHDRAWN: this application was withdrawn or refused; nothing was disposed of under it.",
                    "取下げ：この申請は取り下げられました（または市が承認しませんでした）。この申請による廃棄はありません。")
                : d["completed_at"]?.stringValue == nil
                    ? s.t("NOT DONE YET: this disposal is not recorded as done.", "未実施：この廃棄は実施の記録がありません。")
                    : s.t(
                        "The information above was disposed of as recorded here, after the city's approval.",
                        "上記の秘密情報を、市の承認を得たうえで、記載のとおり廃棄しました。"),
            pageFooter: s.t("Disposal ", "廃棄の記録 ") + s.text(d["request"]))
        doc.sections = [
            .init(heading: s.t("The information", "対象の情報"), blocks: [.fields(LedgerExport.fields(e, s))]),
            .init(
                heading: s.t("The disposal", "廃棄の内容"),
                blocks: [
                    .fields([
                        (s.t("Method", "廃棄方法"), s.text(d["method"])),
                        (s.t("Medium", "媒体"), s.text(d["medium"])),
                        (s.t("Quantity", "数量"), s.text(d["quantity"])),
                        (s.t("Planned for", "廃棄予定日"), s.day(d["planned"]?.stringValue) ?? DocumentStyle.dash),
                        (s.t("Applied for", "申請日時"), s.time(d["requested_at"])),
                        (s.t("Approved by the city", "市の承認"), approvedText),
                        (s.t("Done at", "実施日時"), s.time(d["completed_at"])),
                        (s.t("Done by", "実施者"), s.text(d["completed_by"])),
                        (s.t("Witness", "立会者"), s.text(d["witness"])),
                    ])
                ]),
        ]
        return doc
    }
}
