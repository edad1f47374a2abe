/// The one table from event type to the sentence a document's timeline shows for it, in both
/// languages, with the event's values filled in: 「件数を 1,200件（概数）に更新」,
/// 「手順「初動の連絡」: 作業責任者へ自動通知（通知先未設定）」, "State changed from open to
/// contained". Every `EventType` has its row (the switch is exhaustive, so a new type cannot be
/// added without its sentence); a type from a newer daemon is named as such, never dumped.
///
/// Values are the event's `data` as the `case.report` dossier gives it (`ReportHandler.timelineData`).
/// User text inside is quoted and cut; the renderer escapes it.
public enum EventSentence {
    /// What a document knows besides the event: step and playbook titles by id.
    public struct Context: Sendable {
        public var stepTitles: [String: String] = [:]
        public var playbookTitles: [String: String] = [:]
        public init(stepTitles: [String: String] = [:], playbookTitles: [String: String] = [:]) {
            self.stepTitles = stepTitles
            self.playbookTitles = playbookTitles
        }
    }

    public static func sentence(type: String, data d: JSONValue, style s: DocumentStyle, context: Context = .init()) -> String {
        guard let type = EventType(rawValue: type) else { return s.t("Event of another kind (\(type))", "その他の記録（種別 \(type)）") }
        func step() -> String {
            let id = d["step"]?.stringValue ?? ""
            return s.quoted(context.stepTitles[id] ?? id)
        }
        func note(_ key: String, en: String, ja: String) -> String {
            guard let text = d[key]?.stringValue, !text.isEmpty else { return "" }
            return s.t(" — \(en) \(s.quoted(text))", "（\(ja)\(s.quoted(text))）")
        }
        switch type {
        case .caseOpened:
            let via = d["channel"]?.stringValue == "spool" ? s.t(" (through the spool)", "（スプール経由）") : ""
            return s.t("Report received; case opened", "報告を受け付け、事案を登録") + via
        case .caseUpdated, .appiUpdated:
            return FieldChangeSentence.sentence(d.objectValue ?? [:], s)
        case .playbookAssigned:
            let id = d["playbook"]?.stringValue ?? ""
            return s.t(
                "Playbook \(s.quoted(context.playbookTitles[id] ?? id)) assigned", "対応手順\(s.quoted(context.playbookTitles[id] ?? id))を割当")
        case .stepDone:
            if d["auto"]?.boolValue == true { return s.t("Step \(step()): ", "手順\(step())：") + automatic(d["action"] ?? .null, s) }
            return s.t("Step \(step()) done", "手順\(step())を完了") + note("note", en: "note", ja: "メモ")
        case .stepSkipped:
            return s.t("Step \(step()) skipped", "手順\(step())を省略") + note("reason", en: "because", ja: "理由")
        case .stepReminded:
            let late = d["overdue_seconds"]?.intValue.map { duration($0, s) } ?? s.unknown
            let nowhere = (d["endpoint"]?.isNull ?? true) ? s.t(" (no endpoint configured; logged only)", "（通知先未設定のため記録のみ）") : ""
            return s.t("Reminder: step \(step()) is overdue by \(late)", "督促：手順\(step())が期限を\(late)超過") + nowhere
        case .caseTransitioned:
            var text = s.t(
                "State changed from \(s.caseState(d["from"]?.stringValue)) to \(s.caseState(d["to"]?.stringValue))",
                "状態を「\(s.caseState(d["from"]?.stringValue))」から「\(s.caseState(d["to"]?.stringValue))」に変更")
            if let r = d["resolution"]?.stringValue { text += s.t(" (\(s.resolution(r)))", "（\(s.resolution(r))）") }
            return text + note("reason", en: "because", ja: "理由")
        case .instructionAdded:
            let id = d["instruction"]?.stringValue ?? ""
            let from = d["from"]?.stringValue.map { s.t(" from \(s.quoted($0, limit: 40))", "（指示者 \(s.quoted($0, limit: 40))）") } ?? ""
            return s.t(
                "Instruction \(id) from the city recorded\(from): \(s.quoted(d["text"]?.stringValue ?? ""))",
                "市の指示 \(id) を記録\(from)：\(s.quoted(d["text"]?.stringValue ?? ""))")
        case .instructionDone:
            let id = d["instruction"]?.stringValue ?? ""
            return s.t("Instruction \(id) carried out", "指示 \(id) への対応を完了") + note("response", en: "response", ja: "対応")
        case .publicationDecided:
            var text = s.t(
                "Publication decision: \(s.decision(d["decision"]?.stringValue))", "公表の判断：\(s.decision(d["decision"]?.stringValue))")
            if let date = s.day(d["date"]?.stringValue) { text += s.t(" (\(date))", "（\(date)）") }
            return text
        case .reportSubmitted:
            return d["report"]?.stringValue == "confirmed"
                ? s.t("Confirmed report sent to the city", "確報を市へ送信")
                : s.t("Preliminary report sent to the city", "速報を市へ送信")
        case .clockMissed:
            let name = d["clock"]?.stringValue.flatMap(CaseClock.Name.init(rawValue:))
            let what = name.map { s.t($0.en, $0.ja) } ?? (d["clock"]?.stringValue ?? "")
            return s.t("DEADLINE MISSED: \(what), due \(s.time(d["due_at"]))", "期限超過：\(what)（期限 \(s.time(d["due_at"]))）")
        case .accessDenied:
            let op = d["op"]?.stringValue.map { s.t(" (\($0))", "（\($0)）") } ?? ""
            return s.t("A request without the needed role was refused", "権限のない操作を拒否") + op
        case .spoolRejected:
            let why = (s.japanese ? d["message_ja"] : d["message"])?.stringValue.map { s.t(": \(s.quoted($0))", "：\(s.quoted($0))") } ?? ""
            return s.t(
                "Spool file \(s.quoted(d["file"]?.stringValue ?? "", limit: 60)) set aside",
                "スプールのファイル\(s.quoted(d["file"]?.stringValue ?? "", limit: 60))を受け付けず保管") + why
        case .statusReportSent:
            let n = d["cases"]?.intValue ?? Int64(d["cases"]?.arrayValue?.count ?? 0)
            return s.t(
                "Handling status report sent to the city (\(s.day(d["from"]?.stringValue) ?? "") – \(s.day(d["to"]?.stringValue) ?? ""), \(s.count(n, .items)))",
                "取扱状況報告を市へ送信（\(s.day(d["from"]?.stringValue) ?? "")〜\(s.day(d["to"]?.stringValue) ?? "")、\(s.count(n, .items))）")
        case .ledgerAdded:
            return s.t(
                "Entered in the ledger: \(s.quoted(d["entry"]?["name"]?.stringValue ?? ""))",
                "台帳に登録：\(s.quoted(d["entry"]?["name"]?.stringValue ?? ""))")
        case .ledgerUpdated:
            if d["changes"]?["state"]?["to"]?.stringValue == LedgerState.returned.rawValue {
                return s.t("Handed back to the city", "市へ返却")
            }
            let keys = (d["changes"]?.objectValue ?? [:]).keys.sorted().compactMap(LedgerFields.label)
            return s.t(
                "Ledger entry changed (\(keys.map(\.en).joined(separator: ", ")))", "台帳の記載を変更（\(keys.map(\.ja).joined(separator: "、"))）")
        case .takeOutRequested:
            return s.t(
                "Take-out \(request(d)) applied for: \(s.quoted(d["purpose"]?.stringValue ?? "")), until \(s.time(d["until"]))",
                "持出し \(request(d)) を申請：\(s.quoted(d["purpose"]?.stringValue ?? ""))（\(s.time(d["until"]))まで）")
        case .takeOutApproved, .disposalApproved:
            let by = s.quoted(d["by"]?.stringValue ?? "", limit: 40)
            return s.t("\(request(d)) approved by the city (\(by))", "\(request(d)) を市が承認（\(by)）")
        case .takeOutReturned:
            return s.t("Take-out \(request(d)) returned", "持出し \(request(d)) の返却") + note("note", en: "note", ja: "メモ")
        case .disposalRequested:
            return s.t(
                "Disposal \(request(d)) applied for: \(s.quoted(d["method"]?.stringValue ?? "")), planned \(s.day(d["planned"]?.stringValue) ?? "")",
                "廃棄 \(request(d)) を申請：\(s.quoted(d["method"]?.stringValue ?? ""))（予定 \(s.day(d["planned"]?.stringValue) ?? "")）")
        case .disposalCompleted:
            return s.t(
                "Disposal \(request(d)) done by \(s.quoted(d["by"]?.stringValue ?? "", limit: 40))",
                "廃棄 \(request(d)) を実施（実施者 \(s.quoted(d["by"]?.stringValue ?? "", limit: 40))）")
        case .requestWithdrawn:
            return s.t("Application \(request(d)) withdrawn", "申請 \(request(d)) を取下げ") + note("reason", en: "because", ja: "理由")
        case .ledgerSubmitted:
            return s.t(
                "Ledger sent to the city (\(s.count(d["entries"]?.intValue ?? 0, .items)))",
                "台帳を市へ提出（\(s.count(d["entries"]?.intValue ?? 0, .items))）")
        }
    }

    /// The request id of a ledger event, as is (ids are generated, never user text).
    static func request(_ d: JSONValue) -> String {
        guard let r = d["request"]?.stringValue, LedgerID.parseRequest(r) != nil else { return "" }
        return r
    }

    /// What an automatic step did, from its recorded `action`.
    static func automatic(_ a: JSONValue, _ s: DocumentStyle) -> String {
        switch a["type"]?.stringValue {
        case "notify_city":
            let what = s.messageType(a["event"]?.stringValue)
            let none = (a["endpoints"]?.arrayValue ?? []).isEmpty
            return s.t("\(what) sent to the city automatically", "市へ\(what)を自動送信")
                + (none ? s.t(" (no city endpoint configured; recorded only)", "（送信先未設定のため記録のみ）") : "")
        case "notify":
            let none = a["endpoint"]?.isNull ?? true
            return s.t("security lead notified automatically", "作業責任者へ自動通知") + (none ? s.t(" (no endpoint configured)", "（通知先未設定）") : "")
        case "remind":
            let none = a["endpoint"]?.isNull ?? true
            return s.t("reminder sent automatically", "自動で督促")
                + (none ? s.t(" (no endpoint configured; logged only)", "（通知先未設定のため記録のみ）") : "")
        default:
            return s.t("done automatically", "自動で実施")
        }
    }

    /// A duration in words: `2時間15分`, `3日` / `2 h 15 min`, `3 days`.
    static func duration(_ seconds: Int64, _ s: DocumentStyle) -> String {
        let minutes = max(0, seconds) / 60
        if minutes >= 2 * 1440 { return s.t("\(s.number(minutes / 1440)) days", "\(s.number(minutes / 1440))日") }
        let h = minutes / 60, m = minutes % 60
        if h == 0 { return s.t("\(m) min", "\(m)分") }
        return m == 0 ? s.t("\(h) h", "\(h)時間") : s.t("\(h) h \(m) min", "\(h)時間\(m)分")
    }
}
