import ArgumentParser
import Foundation
import SokuhoCore

struct CaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "List, show, update and close cases (事案), and render their reports.",
        discussion: """
            The lifecycle:  open → contained → resolved → closed, and reopen with a reason.
              sokuho case contain ID              the spread is stopped
              sokuho case resolve ID [--false-positive]
              sokuho case close ID [--check]      lists every unmet closure gate
              sokuho case reopen ID --reason TEXT

            Each transition is an event and a message to the city; closing sends the final \
            report (incident.closed).
            """,
        subcommands: [
            CaseList.self, CaseShow.self, CaseUpdate.self, CaseContain.self, CaseResolve.self, CaseClose.self, CaseReopen.self,
            CaseSubmit.self, CasePublication.self, CaseNotice.self, CaseReport.self,
        ])
}

struct CaseList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List cases, newest first. Reporters see only the cases they reported.")

    @Option(help: "Only this kind (loss, leak, tampering, damage, other).") var kind: String?
    @Option(help: "Only this state (open).") var state: String?
    @Option(help: "At most this many cases (1–10000, default 100).") var limit: Int?
    @Flag(help: "Only the cases you reported.") var mine = false
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(CaseListRequest(kind: kind, state: state, limit: limit, mine: mine)) else { return }
        let cases = response["cases"]?.arrayValue ?? []
        if cases.isEmpty { print(Lang.t("No cases.", "事案はありません。")); return }
        print(
            Lang.t(
                "ID              STATE  KIND       COUNT     REPORTED (UTC)            INFORMATION",
                "事案番号        状態   種別       件数      報告日時 (UTC)            秘密情報の内容"))
        for c in cases {
            let kindText =
                c["kind"]?.stringValue.flatMap(IncidentKind.init(rawValue:)).map { Lang.japanese ? $0.japanese : $0.rawValue } ?? "?"
            let suspected = c["suspected"]?.boolValue == true ? "?" : ""
            let count = c["count"]?.intValue.map(String.init) ?? Lang.t("unknown", "不明")
            let info = shown(String((c["information"]?.stringValue ?? "").replacingOccurrences(of: "\n", with: " ").prefix(40)))
            print(
                "\(pad(shown(c["id"]?.stringValue), 15)) \(pad(shown(c["state"]?.stringValue), 6)) \(pad(kindText + suspected, 10)) \(pad(count, 9)) \(pad(shown(c["reported_at"]?.stringValue), 25)) \(info)"
            )
        }
    }
}

func pad(_ s: String, _ width: Int) -> String {
    let w = s.unicodeScalars.reduce(0) { $0 + ($1.properties.isEmojiPresentation || $1.value >= 0x1100 && $1.value <= 0xFFDC ? 2 : 1) }
    return s + String(repeating: " ", count: max(0, width - w))
}

struct CaseShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one case with its history.")

    @Argument(help: "The case id, e.g. INC-2026-0001.") var id: String
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(CaseRequest(.caseGet, id: id)) else { return }
        let c = response["case"] ?? .null
        CaseFormatter.print(c)
        CaseFormatter.printLedger(c)
        CaseFormatter.printCountHistory(response["count_history"]?.arrayValue ?? [])
        CaseFormatter.printLifecycle(response)
        print("")
        let escalation = response["escalation"]?.arrayValue ?? []
        print(Lang.t("Escalation (to the city and other endpoints):", "報告の送信状況（発注者等への送信）:"))
        if escalation.isEmpty { print(Lang.t("  none configured", "  送信先の設定なし")) }
        for m in escalation {
            print(OutboxFormatter.line(m))
            for a in m["attempt_log"]?.arrayValue ?? [] {
                let status = a["status"]?.intValue.map { "HTTP \($0)" } ?? Lang.t("no answer", "応答なし")
                let error = a["error"]?.stringValue.map { " — \(shown($0))" } ?? ""
                print("      \(shown(a["at"]?.stringValue))  \(status)  \(a["latency_ms"]?.intValue ?? 0) ms\(error)")
            }
        }
        print("")
        print(Lang.t("History (audit chain):", "履歴（監査チェーン）:"))
        for e in response["events"]?.arrayValue ?? [] {
            let who = shown(e["actor"]?["user"]?.stringValue ?? "uid \(e["actor"]?["uid"]?.intValue ?? -1)")
            let role = e["actor"]?["role"]?.stringValue.map { " (\(shown($0)))" } ?? ""
            print(
                "  #\(e["seq"]?.intValue ?? 0)  \(shown(e["at"]?.stringValue))  \(shown(e["type"]?.stringValue))  \(who)\(role)  \(shown(String((e["hash"]?.stringValue ?? "").prefix(16))))…"
            )
            if let changes = e["data"]?.objectValue {
                for (k, v) in changes.sorted(by: { $0.key < $1.key }) {
                    print(
                        "        \(shown(k)): \(shown(v["from"]?.canonicalString ?? "null")) → \(shown(v["to"]?.canonicalString ?? "null"))"
                    )
                }
            }
        }
    }
}

/// Human-readable case display, in the user's language.
enum CaseFormatter {
    /// The ledger entries a report named (by id only for a reporter).
    static func printLedger(_ c: JSONValue) {
        let entries = c["ledger_entries"]?.arrayValue ?? []
        guard !entries.isEmpty else { return }
        let style = DocumentStyle(japanese: Lang.japanese)
        Swift.print(Lang.t("Ledger entries:", "台帳の該当項目:"))
        for e in entries {
            var line = "  \(shown(e["id"]?.stringValue ?? "?"))"
            if let name = e["name"]?.stringValue {
                let unit = e["unit"]?.stringValue.flatMap(CountUnit.init) ?? .items
                line += "  \(shown(name))  \(shown(e["category"]?.stringValue ?? ""))  \(style.count(e["records"]?.intValue, unit: unit))"
            }
            Swift.print(line)
        }
        let filled = (c["from_ledger"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !filled.isEmpty { Swift.print(Lang.t("  taken from the ledger: ", "  台帳から補完: ") + filled.joined(separator: ", ")) }
    }

    /// Every value the count has had, when it changed after the report.
    static func printCountHistory(_ history: [JSONValue]) {
        guard history.count > 1 else { return }
        let style = DocumentStyle(japanese: Lang.japanese)
        Swift.print(Lang.t("Count history:", "件数の推移:"))
        for h in history {
            Swift.print(
                "  \(shown(h["at"]?.stringValue))  \(shown(style.caseCount(h)))  \(shown(h["by"]?["user"]?.stringValue ?? "?"))  [\(shown(h["source"]?.stringValue))]"
            )
        }
    }

    static func print(_ c: JSONValue) {
        /// A single-line value, escaped.
        func s(_ k: String) -> String { c[k]?.stringValue.map { shown($0) } ?? Lang.t("(not given)", "（未記入）") }
        /// A multi-line text, escaped, continuation lines indented under the value.
        func text(_ k: String) -> String { c[k]?.stringValue.map { shownBlock($0, indent: 21) } ?? Lang.t("(not given)", "（未記入）") }
        let kind = c["kind"]?.stringValue.flatMap(IncidentKind.init(rawValue:))
        let kindText = kind.map { "\($0.japanese) (\($0.rawValue))" } ?? "?"
        let suspected = c["suspected"]?.boolValue == true ? Lang.t("  [suspected — may have happened]", "  【発生のおそれ】") : ""
        printLine("\(s("id"))  \(s("state"))  \(kindText)\(suspected)")
        let count = shown(DocumentStyle(japanese: Lang.japanese).caseCount(c))
        let rows: [(String, String, String)] = [
            ("information", "秘密情報の内容", text("information")),
            ("count", "件数", count),
            ("location", "発生場所", text("location")),
            ("circumstances", "発生状況", text("circumstances")),
            ("occurred at", "発生日時", s("occurred_at")),
            ("discovered at", "発見日時", s("discovered_at")),
            ("subcontractor", "再委託事業者", text("subcontractor")),
            ("reporter", "報告者", reporter(c["reporter"])),
            ("reported at", "報告日時", s("reported_at")),
            (
                "reported by", "報告元 (Unix)",
                "\(shown(c["reported_by"]?["user"]?.stringValue ?? "?")) (uid \(c["reported_by"]?["uid"]?.intValue ?? -1), pid \(c["reported_by"]?["pid"]?.intValue ?? -1))"
            ),
            ("received via", "受付経路", source(c["source"])),
            ("playbook", "対応手順", playbook(c)),
            ("report id", "報告ID", s("report_id")),
            (
                "missing", "未確定の項目",
                (c["missing"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }.joined(separator: ", ").ifEmpty(
                    Lang.t("none", "なし"))
            ),
            ("receipt", "受領証 (ハッシュ)", s("opening_hash")),
        ]
        for (en, ja, v) in rows {
            let label = Lang.japanese ? ja : en
            printLine("  \(pad(label + ":", 18)) \(v)")
        }
    }

    /// `leak — Information leak response (sokuho steps ID)`, or none.
    static func playbook(_ c: JSONValue) -> String {
        guard let p = c["playbook"], !p.isNull, let pid = p["id"]?.stringValue else { return Lang.t("none", "なし") }
        let title = shown(Lang.japanese ? (p["title"]?["ja"]?.stringValue ?? "") : (p["title"]?["en"]?.stringValue ?? ""))
        let done = (c["steps"]?.objectValue ?? [:]).values.filter { $0["outcome"] != nil }.count
        let id = shown(c["id"]?.stringValue)
        return "\(shown(pid)) — \(title); "
            + Lang.t(
                "\(done) step(s) done or skipped (sokuho steps \(id))",
                "完了・省略 \(done) 手順（sokuho steps \(id)）")
    }

    /// `socket`, or `spool: NAME (yaml, shift_jis, 412 B, sha256 5d40cd5c…)`.
    static func source(_ src: JSONValue?) -> String {
        guard let src, let channel = src["channel"]?.stringValue else { return "socket" }
        guard channel == "spool", let file = src["file"]?.stringValue else { return shown(channel) }
        let details = [
            src["format"]?.stringValue, src["encoding"]?.stringValue, src["size"]?.intValue.map { "\($0) B" },
            src["sha256"]?.stringValue.map { "sha256 " + $0.prefix(16) + "…" },
        ].compactMap { $0 }
        return Lang.t("spool file", "スプールのファイル") + " \(shown(file)) (\(shown(details.joined(separator: ", "))))"
    }

    static func reporter(_ r: JSONValue?) -> String {
        guard let r, case .object = r else { return Lang.t("(not given)", "（未記入）") }
        return [r["name"]?.stringValue, r["organization"]?.stringValue, r["contact"]?.stringValue].compactMap { $0 }.map { shown($0) }
            .joined(separator: " / ")
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}

struct CaseUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Complete or correct the Article 18 facts of a case (leads only).",
        discussion: """
            Each update is an event in the audit chain with who and when. Give fields as flags \
            or as a JSON/YAML file of fields (--file). Example:
              sokuho case update INC-2026-0001 --count 1200 --count-precision approximate
            """)

    @Argument(help: "The case id.") var id: String
    @Option(help: "loss, leak, tampering, damage, other.") var kind: String?
    @Option(help: ArgumentHelp("true or false.", valueName: "BOOL")) var suspected: Bool?
    @Option(help: "What confidential information is involved.") var information: String?
    @Option(help: ArgumentHelp("How many items: a number, or \"unknown\".", valueName: "N")) var count: String?
    @Option(help: "exact, approximate or at_least.") var countPrecision: String?
    @Option(help: ArgumentHelp("The unit of the count: 件, 人, 通, 枚, 世帯, 冊, 台 or your own word.", valueName: "UNIT"))
    var countUnit: String?
    @Option(help: "Where it happened.") var location: String?
    @Option(help: "How it happened.") var circumstances: String?
    @Option(help: "When it happened.") var occurredAt: String?
    @Option(help: "When it was noticed.") var discoveredAt: String?
    @Option(help: "The subcontractor involved.") var subcontractor: String?
    @Option(help: ArgumentHelp("APPI 1 概要: a summary of the incident.", valueName: "TEXT")) var summary: String?
    @Option(help: ArgumentHelp("APPI 2: the personal data items involved (name, address, …).", valueName: "TEXT")) var dataItems: String?
    @Option(help: ArgumentHelp("APPI 3 本人の数: the number of persons affected (not the item count), or \"unknown\".", valueName: "N"))
    var persons: String?
    @Option(help: "exact, approximate or at_least (for --persons).") var personsPrecision: String?
    @Option(help: ArgumentHelp("APPI 4 原因: the cause.", valueName: "TEXT")) var cause: String?
    @Option(help: ArgumentHelp("APPI 5: secondary harm: yes, no or unknown.", valueName: "yes|no|unknown")) var secondaryHarm: String?
    @Option(help: ArgumentHelp("APPI 5: what the secondary harm is.", valueName: "TEXT")) var secondaryHarmDetail: String?
    @Option(help: ArgumentHelp("APPI 6: the status of notice to the persons.", valueName: "TEXT")) var noticeToPersons: String?
    @Option(help: ArgumentHelp("APPI 8: recurrence prevention measures.", valueName: "TEXT")) var recurrencePrevention: String?
    @Option(help: ArgumentHelp("APPI 9: other relevant matters.", valueName: "TEXT")) var other: String?
    @Option(help: ArgumentHelp("Sensitive information (要配慮個人情報) involved: true or false.", valueName: "BOOL")) var sensitive: Bool?
    @Option(help: ArgumentHelp("Risk of financial harm (財産的被害のおそれ): true or false.", valueName: "BOOL")) var financialHarm: Bool?
    @Option(
        help: ArgumentHelp(
            "Malicious intent suspected (不正の目的): true or false; the confirmed report is then due in 60 days.", valueName: "BOOL"))
    var malicious: Bool?
    @Option(help: ArgumentHelp("The data was strongly encrypted (exempts the national report): true or false.", valueName: "BOOL"))
    var encrypted: Bool?
    @Option(name: .long, help: ArgumentHelp("A JSON or YAML file of fields to change.", valueName: "FILE")) var file: String?
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        var fields = try file.map(ReportInput.read(file:)) ?? [:]
        let texts: [(String, String?)] = [
            ("kind", kind), ("information", information), ("count_precision", countPrecision), ("location", location),
            ("circumstances", circumstances), ("occurred_at", occurredAt), ("discovered_at", discoveredAt),
            ("subcontractor", subcontractor),
            ("summary", summary), ("data_items", dataItems), ("persons_precision", personsPrecision), ("cause", cause),
            ("secondary_harm", secondaryHarm), ("secondary_harm_detail", secondaryHarmDetail), ("notice_to_persons", noticeToPersons),
            ("recurrence_prevention", recurrencePrevention), ("other", other), ("count_unit", countUnit),
        ]
        for (k, v) in texts { if let v { fields[k] = .string(v) } }
        if let suspected { fields["suspected"] = .bool(suspected) }
        if let count { fields["count"] = try countFlag(count) }
        if let persons { fields["persons"] = try countFlag(persons) }
        let flags: [(String, Bool?)] = [
            ("sensitive", sensitive), ("financial_harm", financialHarm), ("malicious", malicious), ("encrypted", encrypted),
        ]
        for (k, v) in flags { if let v { fields[k] = .bool(v) } }
        if fields.isEmpty {
            printError(Lang.t("nothing to update: give at least one field (see --help)", "更新する項目がありません（--help を参照）"))
            throw ExitCode(Exit.usage)
        }
        guard let response = try daemon.call(CaseUpdateRequest(id: id, fields: fields)) else { return }
        let changes = response["changes"]?.objectValue ?? [:]
        if changes.isEmpty {
            print(Lang.t("No change: \(shown(id)) already has these values.", "変更なし: \(shown(id)) は既にこの内容です。"))
            return
        }
        print(Lang.t("Updated \(shown(id)):", "\(shown(id)) を更新しました:"))
        for (k, v) in changes.sorted(by: { $0.key < $1.key }) {
            print("  \(shown(k)): \(shown(v["from"]?.canonicalString ?? "null")) → \(shown(v["to"]?.canonicalString ?? "null"))")
        }
        if let r = response["receipt"], !r.isNull {
            print(
                Lang.t(
                    "  receipt: event #\(r["seq"]?.intValue ?? 0), \(r["hash"]?.stringValue ?? "")",
                    "  受領証: イベント #\(r["seq"]?.intValue ?? 0)、\(r["hash"]?.stringValue ?? "")"))
        }
    }
}
