/// The words for the values Sokuho stores as identifiers (`leak`, `done`, `met_late`,
/// `incident.opened`…), in the document's language. A value this table does not know (from a
/// newer daemon) is shown as given, so nothing is hidden; the renderer escapes it.
extension DocumentStyle {
    public func kind(_ raw: String?) -> String {
        guard let raw else { return Self.dash }
        guard let k = IncidentKind(rawValue: raw) else { return raw }
        if japanese { return k.japanese }
        return k == .tampering ? "alteration" : k.rawValue
    }

    public func caseState(_ raw: String?) -> String {
        guard let raw else { return Self.dash }
        guard let s = CaseState(rawValue: raw) else { return raw }
        return japanese ? s.japanese : s.rawValue
    }

    public func resolution(_ raw: String?) -> String {
        guard let raw else { return Self.dash }
        guard let r = Resolution(rawValue: raw) else { return raw }
        return t(r == .incident ? "handled as an incident" : "not an incident (false positive)", r.japanese)
    }

    /// Whether it happened or may have: 発生 / 発生のおそれ.
    public func occurrence(suspected: Bool) -> String {
        suspected ? t("suspected (may have occurred)", "発生のおそれ") : t("occurred", "発生")
    }

    public func precision(_ raw: String?) -> String {
        guard let raw else { return t("exact", "確定") }
        guard let p = CountPrecision(rawValue: raw) else { return raw }
        return japanese ? p.japanese : (p == .at_least ? "at least" : p.rawValue)
    }

    /// Where a playbook step stands, with 期限超過 / overdue when it is late.
    public func stepState(_ raw: String?, overdue: Bool = false) -> String {
        let word: String =
            switch raw.flatMap(PlaybookEngine.StepStatus.State.init(rawValue:)) {
            case .waiting?: t("waiting for earlier steps", "前の手順待ち")
            case .ready?: t("to do now", "実施待ち")
            case .done?: t("done", "完了")
            case .skipped?: t("skipped", "省略")
            case .notApplicable?: t("does not apply", "対象外")
            case nil: raw ?? Self.dash
            }
        return overdue ? word + t(", OVERDUE", "（期限超過）") : word
    }

    public func clockState(_ raw: String?) -> String {
        switch raw.flatMap(CaseClock.State.init(rawValue:)) {
        case .met?: t("met", "期限内に達成")
        case .metLate?: t("met late", "期限後に達成")
        case .missed?: t("MISSED", "期限超過")
        case .notRequired?: t("not required", "不要")
        case .pending?: t("pending", "未了")
        case nil: raw ?? Self.dash
        }
    }

    /// The state of a message to the city in the outbox.
    public func deliveryState(_ raw: String?) -> String {
        switch raw {
        case "pending": t("waiting to be sent", "送信待ち")
        case "delivered": t("delivered", "到達")
        case "dead": t("FAILED (waits for a retry)", "送信失敗（再送待ち）")
        default: raw ?? Self.dash
        }
    }

    public func decision(_ raw: String?) -> String {
        guard let raw else { return t("not decided", "未定") }
        guard let d = Publication.Decision(rawValue: raw) else { return raw }
        return japanese ? d.japanese : (d == .notPlanned ? "not to be published" : raw)
    }

    /// A role as people call it: 報告者, 監査担当, 作業責任者, 管理者.
    public func role(_ raw: String?) -> String {
        switch raw.flatMap(Role.init(rawValue:)) {
        case .reporter?: t("reporter", "報告者")
        case .auditor?: t("auditor", "監査担当")
        case .lead?: t("security lead", "作業責任者")
        case .admin?: t("administrator", "管理者")
        case nil: raw ?? Self.dash
        }
    }

    /// Secondary harm (APPI item 5): yes, no or unknown.
    public func secondaryHarm(_ raw: String?) -> String {
        switch raw {
        case "yes": t("yes", "あり")
        case "no": t("none", "なし")
        case "unknown": t("unknown", "不明")
        case nil: unknown
        default: raw!
        }
    }

    /// What a message to the city was: 第一報, 続報, 速報, 確報, 最終報告…
    public func messageType(_ raw: String?) -> String {
        switch raw.flatMap(EscalationMessage.Kind.init(rawValue:)) {
        case .opened?: t("first report", "第一報")
        case .updated?: t("update", "続報")
        case .closed?: t("final report", "最終報告")
        case .reopened?: t("case reopened", "再開の通知")
        case .stateChanged?: t("state changed", "状態変更の通知")
        case .instructionDone?: t("instruction carried out", "指示への対応の通知")
        case .publication?: t("publication decision", "公表の通知")
        case .preliminaryReport?: t("preliminary report", "速報")
        case .confirmedReport?: t("confirmed report", "確報")
        case .clockMissed?: t("deadline missed", "期限超過の通知")
        case .stepNotice?: t("step notice", "手順の通知")
        case .stepReminder?: t("step reminder", "手順の督促")
        case .stepOverdue?: t("step overdue", "手順の期限超過")
        case .statusReport?: t("handling status report", "取扱状況報告")
        case nil:
            switch raw {
            case "incident.contained": t("containment notice", "封じ込めの通知")
            case "incident.recovered": t("recovery notice", "復旧の通知")
            case let other?: t("message \(other)", "市への通知（\(other)）")
            case nil: Self.dash
            }
        }
    }

    /// Who acted: the user and the role they acted in; the daemon as automatic.
    public func actor(user: String?, role: String?) -> String {
        if user == "sokuhod" { return t("sokuhod (automatic)", "sokuhod（自動）") }
        let parts = [user, role.map { self.role($0) }].compactMap { $0 }
        if parts.isEmpty { return Self.dash }
        return japanese
            ? parts.joined(separator: "（") + (parts.count > 1 ? "）" : "") : parts.joined(separator: " (") + (parts.count > 1 ? ")" : "")
    }
}
