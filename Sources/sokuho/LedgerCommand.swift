import ArgumentParser
import Foundation
import SokuhoCore

/// `sokuho ledger`: the ledger of confidential information (台帳, Art. 10(3)) — docs/ledger.md.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "The ledger of confidential information held (台帳, Art. 10(3)), receipts, take-out (Art. 12).",
        discussion: """
            Leads add and change entries, auditors read them; a reporter may name an entry in a \
            report (sokuho report --asset L-0003) but cannot read the ledger. Every change is an \
            event in the audit chain, and what the city must know is sent to it: ledger.received \
            when an entry is added, ledger.takeout_requested, ledger.takeout_returned and \
            ledger.request_withdrawn, ledger.submitted. Disposal (Art. 15) is `sokuho disposal`. \
            Example:
              sokuho ledger add --name "住民票写し交付申請書" --category personal --records 1200 \\
                --unit 枚 --media paper --storage "本社3階 書庫A" --received-from "市民課" \\
                --received-at 2026-04-01
            """,
        subcommands: [
            LedgerAdd.self, LedgerList.self, LedgerShow.self, LedgerUpdate.self, LedgerExportCommand.self, LedgerSubmit.self,
            LedgerReceiptCommand.self, TakeOutCommand.self,
        ])
}

/// The members of an entry as flags, for `ledger add` and `ledger update`.
struct LedgerFieldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("What the information is (名称).", valueName: "TEXT")) var name: String?
    @Option(help: ArgumentHelp("More about it (内容).", valueName: "TEXT")) var description: String?
    @Option(
        help: ArgumentHelp(
            "personal 個人情報, specific_personal 特定個人情報 (My Number) or confidential 秘密情報.", valueName: "CATEGORY"))
    var category: String?
    @Option(help: ArgumentHelp("How many records (件数), or \"unknown\".", valueName: "N")) var records: String?
    @Option(help: ArgumentHelp("The unit of the records: 件 (default), 人, 通, 枚, 世帯, 冊, 台 or your own word.", valueName: "UNIT"))
    var unit: String?
    @Option(help: ArgumentHelp("paper, electronic or both.", valueName: "MEDIA")) var media: String?
    @Option(help: ArgumentHelp("Where it is kept (保管場所).", valueName: "TEXT")) var storage: String?
    @Option(name: .customLong("user"), help: ArgumentHelp("Who uses it (a person or a role); repeat for several.", valueName: "NAME"))
    var users: [String] = []
    @Option(help: ArgumentHelp("Who handed it over (受領元), such as the city's department.", valueName: "TEXT")) var receivedFrom: String?
    @Option(help: ArgumentHelp("When it was handed over (date or RFC 3339 time).", valueName: "DATE")) var receivedAt: String?
    @Option(help: ArgumentHelp("Until when it is kept, or when it goes back (保管期限).", valueName: "DATE")) var retainUntil: String?

    func fields() throws -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        let texts: [(String, String?)] = [
            ("name", name), ("description", description), ("category", category), ("unit", unit), ("media", media), ("storage", storage),
            ("received_from", receivedFrom), ("received_at", receivedAt), ("retain_until", retainUntil),
        ]
        for (k, v) in texts { if let v { o[k] = .string(v) } }
        if let records { o["records"] = try countFlag(records) }
        if !users.isEmpty { o["users"] = .array(users.map { .string($0) }) }
        return o
    }
}

struct LedgerAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an entry to the ledger (leads only); the city gets ledger.received.",
        discussion: "--name, --category, --media and --storage are required.")
    @OptionGroup var entry: LedgerFieldOptions
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(LedgerRequest.add(entry: try entry.fields())) else { return }
        let id = shown(r["entry"]?["id"]?.stringValue ?? "?")
        print(
            Lang.t("Added \(id) to the ledger. Receipt: sokuho ledger receipt \(id)", "台帳に \(id) を登録しました。受領証: sokuho ledger receipt \(id)"))
        print(Lang.t("  receipt (chain): ", "  受付番号（監査チェーン）: ") + shown(r["receipt"]?["hash"]?.stringValue ?? ""))
    }
}

struct LedgerList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the ledger's entries (auditors, leads).")
    @Option(help: "Only this state: held, taken_out, returned, disposed.") var state: String?
    @Option(help: "Only this category: personal, specific_personal, confidential.") var category: String?
    @Option(help: "At most this many entries (1–10000).") var limit: Int?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(LedgerRequest.list(state: state, category: category, limit: limit)) else { return }
        let entries = r["entries"]?.arrayValue ?? []
        if entries.isEmpty { print(Lang.t("The ledger has no entries.", "台帳に登録はありません。")); return }
        let style = DocumentStyle(japanese: Lang.japanese)
        for e in entries {
            let unit = e["unit"]?.stringValue.flatMap(CountUnit.init) ?? .items
            let state = e["state"]?.stringValue.flatMap(LedgerState.init(rawValue:)).map { Lang.t($0.english, $0.japanese) } ?? "?"
            let category =
                e["category"]?.stringValue.flatMap(LedgerCategory.init(rawValue:)).map { Lang.t($0.rawValue, $0.japanese) } ?? "?"
            print(
                "\(shown(e["id"]?.stringValue ?? "?"))  \(state)  \(category)  \(style.count(e["records"]?.intValue, unit: unit))  \(shown(e["name"]?.stringValue ?? ""))"
            )
        }
    }
}

struct LedgerShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one entry: its members, take-outs, disposals, history and the cases that named it.")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(LedgerRequest.get(id: id)) else { return }
        let e = r["entry"] ?? .null
        let style = DocumentStyle(japanese: Lang.japanese)
        for (label, value) in LedgerExport.fields(e, style) { print("\(label): \(shown(value))") }
        print(
            Lang.t("State: ", "状態: ")
                + (e["state"]?.stringValue.flatMap(LedgerState.init(rawValue:)).map { Lang.t($0.english, $0.japanese) } ?? "?"))
        let users = (e["users"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !users.isEmpty { print(Lang.t("Users: ", "利用者: ") + users.map(shown).joined(separator: ", ")) }
        for t in e["takeouts"]?.arrayValue ?? [] {
            var approved = t["approval"]?.isNull == false ? Lang.t("approved", "承認済み") : Lang.t("waiting for approval", "承認待ち")
            if let w = t["withdrawn_at"]?.stringValue { approved = Lang.t("withdrawn \(shown(w))", "取下げ \(shown(w))") }
            let back = t["returned_at"]?.stringValue.map { Lang.t(", returned \(shown($0))", "、返却 \(shown($0))") } ?? ""
            print(
                Lang.t("Take-out ", "持出し ")
                    + "\(shown(t["request"]?.stringValue ?? "?")): \(shown(t["purpose"]?.stringValue ?? "")) — \(approved)\(back)")
        }
        for d in e["disposals"]?.arrayValue ?? [] {
            let status =
                d["completed_at"]?.stringValue.map { Lang.t("done \(shown($0))", "実施 \(shown($0))") }
                ?? d["withdrawn_at"]?.stringValue.map { Lang.t("withdrawn \(shown($0))", "取下げ \(shown($0))") }
                ?? (d["approval"]?.isNull == false ? Lang.t("approved", "承認済み") : Lang.t("waiting for approval", "承認待ち"))
            print(
                Lang.t("Disposal ", "廃棄 ")
                    + "\(shown(d["request"]?.stringValue ?? "?")): \(shown(d["method"]?.stringValue ?? "")) — \(status)")
        }
        let cases = (r["cases"]?.arrayValue ?? []).compactMap(\.stringValue)
        print(
            Lang.t("Cases that named it: ", "関係する事案: ") + (cases.isEmpty ? Lang.t("none", "なし") : cases.map(shown).joined(separator: ", ")))
        print(Lang.t("History (audit chain):", "履歴（監査チェーン）:"))
        for ev in r["events"]?.arrayValue ?? [] {
            let sentence = EventSentence.sentence(type: ev["type"]?.stringValue ?? "", data: ev["data"] ?? .null, style: style)
            print(
                "  #\(ev["seq"]?.intValue ?? 0)  \(shown(ev["at"]?.stringValue))  \(shown(ev["actor"]?["user"]?.stringValue ?? "?"))  \(shown(sentence))"
            )
        }
    }
}

struct LedgerUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change an entry's members, or record it as handed back to the city (leads only).")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @OptionGroup var entry: LedgerFieldOptions
    @Flag(help: "Record that it was handed back to the city (state returned).") var returned = false
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        var fields = try entry.fields()
        if returned { fields["state"] = .string(LedgerState.returned.rawValue) }
        if fields.isEmpty {
            printError(Lang.t("nothing to update: give at least one member (see --help)", "更新する項目がありません（--help を参照）"))
            throw ExitCode(Exit.usage)
        }
        guard let r = try daemon.call(LedgerRequest.update(id: id, fields: fields)) else { return }
        print(
            r["receipt"]?.isNull == false
                ? Lang.t("Updated \(shown(id)).", "\(shown(id)) を更新しました。")
                : Lang.t("No change: \(shown(id)) already has these values.", "変更なし。"))
    }
}

struct LedgerExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "The whole ledger as CSV, HTML (prints on A4), Markdown or JSON (Art. 10(3): submitted on request).")
    @Option(help: "csv, html, markdown or json.") var format = "csv"
    @OptionGroup var document: DocumentOptions
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["csv", "html", "markdown", "json"])
        let r = try callDaemon(LedgerRequest.list(state: nil, category: nil, limit: nil), options: connection)
        let entries = r["entries"]?.arrayValue ?? []
        let style = document.style(answer: r)
        let doc = LedgerExport.document(entries, style: style, generatedAt: Timestamp.format(Date()))
        let text =
            switch format {
            case "csv": LedgerExport.csv(entries)
            case "html": doc.html(lang: style.lang)
            case "json": r.prettyString + "\n"
            default: doc.markdown()
            }
        try document.write(text, json: format == "json")
    }
}

struct LedgerSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Send the whole ledger as of now to the city, signed (ledger.submitted; leads only).")
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(LedgerRequest.submit) else { return }
        let n = r["entries"]?.intValue ?? 0
        let to = (r["endpoints"]?.arrayValue ?? []).compactMap(\.stringValue)
        print(
            to.isEmpty
                ? Lang.t("Recorded; no endpoint is configured, so nothing was sent.", "記録しました（送信先が未設定のため送信はしていません）。")
                : Lang.t(
                    "The ledger (\(n) entries) is on its way to \(to.joined(separator: ", ")).",
                    "台帳（\(n)件）を \(to.joined(separator: "、")) へ送信します。"))
    }
}

struct LedgerReceiptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt", abstract: "Render the receipt (受領証, Art. 10(6)) for an entry: markdown or html (prints on A4).")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @Option(help: "markdown or html.") var format = "markdown"
    @OptionGroup var document: DocumentOptions
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["markdown", "html"])
        let r = try callDaemon(LedgerRequest.get(id: id), options: connection)
        let style = document.style(answer: r)
        let doc = LedgerReceipt.document(r["entry"] ?? .null, style: style, generatedAt: Timestamp.format(Date()))
        try document.write(format == "html" ? doc.html(lang: style.lang) : doc.markdown())
    }
}

/// `sokuho ledger takeout`: take-out with the city's approval (持出し, Art. 12).
struct TakeOutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "takeout", abstract: "Take information out only with the city's approval (Art. 12).",
        discussion: """
            apply sends ledger.takeout_requested to the city; the approval is recorded by hand \
            (approve) or from the city's answer {"approvals": [{"id", "request", "approved_at", \
            "by"}]}; return closes it; withdraw withdraws it (or records the city's refusal). One \
            application at a time per entry; electronic information goes out only encrypted.
            """,
        subcommands: [
            TakeOutApply.self, LedgerRequestApprove<TakeOutRequest>.self, TakeOutReturn.self, LedgerRequestWithdraw<TakeOutRequest>.self,
        ])
}

struct TakeOutApply: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply for a take-out (leads only).")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @Option(help: "Why it goes out (目的).") var purpose: String
    @Option(help: "When it comes back at the latest (date or RFC 3339 time).") var until: String
    @Flag(help: "It goes out encrypted (required for electronic information).") var encrypted = false
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(LedgerRequest.takeOut(id: id, purpose: purpose, until: until, encrypted: encrypted)) else { return }
        let request = LedgerID.RequestKind.takeOut.applied(r)
        print(
            Lang.t(
                "Applied for take-out \(request); the city is asked (ledger.takeout_requested). Do not take it out before approval.",
                "持出し \(request) を申請しました（市へ ledger.takeout_requested を送信）。承認まで持ち出さないでください。"))
    }
}

struct TakeOutReturn: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "return", abstract: "Record that what was taken out came back (leads only).")
    @Argument(help: "The take-out, e.g. L-0001-T1.") var request: String
    @Option(help: "A note.") var note: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        try requireRequest(request, .takeOut)
        guard try daemon.call(LedgerRequest.returnTakeOut(request: request, note: note)) != nil else { return }
        print(Lang.t("\(shown(request)) is back; the city is told (ledger.takeout_returned).", "\(shown(request)) の返却を記録しました（市へ通知）。"))
    }
}
