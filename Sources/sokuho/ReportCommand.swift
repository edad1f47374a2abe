import ArgumentParser
import Foundation
import SokuhoConfig
import SokuhoCore
import SokuhoSpool

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report a suspected or confirmed incident (報告). Works while details are still unknown.",
        discussion: """
            Give the fields as flags, as a JSON or YAML file (--file, "-" for standard input), or \
            both (flags win). Report as soon as you notice: the count may stay unknown. \
            On a terminal, sokuho asks for the required fields you did not give.

            Required: --kind, --information, --location, --circumstances. \
            Each report carries a report_id (generated when not given), so sending the same \
            report again never opens a second case.

            When sokuhod cannot be reached, the report is queued in the spool (--spool-dir) \
            and becomes a case as soon as sokuhod runs; the command says where it waits and \
            exits 0. Only if the spool cannot take it either does it exit 69, saying that \
            nothing was recorded.

            Example:
              sokuho report --kind leak --suspected \\
                --information "顧客名簿（氏名・住所）" --location "本社3階 共有フォルダ" \\
                --circumstances "アクセス権の設定誤りで全社員が閲覧可能だった"
            """)

    @Option(help: ArgumentHelp("loss 紛失, leak 漏えい, tampering 改ざん, damage 破損, other その他.", valueName: "KIND"))
    var kind: String?
    @Flag(help: "It may have happened, or may happen (発生のおそれ).")
    var suspected = false
    @Option(help: ArgumentHelp("What confidential information is involved (秘密情報の内容).", valueName: "TEXT"))
    var information: String?
    @Option(help: ArgumentHelp("How many items (件数): a number, or \"unknown\".", valueName: "N"))
    var count: String?
    @Option(help: ArgumentHelp("exact, approximate or at_least.", valueName: "P"))
    var countPrecision: String?
    @Option(help: ArgumentHelp("The unit of the count: 件 (default), 人, 通, 枚, 世帯, 冊, 台 or your own word.", valueName: "UNIT"))
    var countUnit: String?
    @Option(
        name: .customLong("asset"),
        help: ArgumentHelp(
            "A ledger entry the information is recorded under (台帳番号), such as L-0003; repeat for several. A lead's report may then leave --information and --count to the ledger.",
            valueName: "L-NNNN"))
    var assets: [String] = []
    @Option(help: ArgumentHelp("Where it happened (発生場所).", valueName: "TEXT"))
    var location: String?
    @Option(help: ArgumentHelp("How it happened (発生状況).", valueName: "TEXT"))
    var circumstances: String?
    @Option(help: ArgumentHelp("When it happened (RFC 3339 time or date).", valueName: "TIME"))
    var occurredAt: String?
    @Option(help: ArgumentHelp("When it was noticed (default: now).", valueName: "TIME"))
    var discoveredAt: String?
    @Option(help: ArgumentHelp("Your name.", valueName: "NAME"))
    var reporterName: String?
    @Option(help: ArgumentHelp("Your organisation.", valueName: "ORG"))
    var reporterOrganization: String?
    @Option(help: ArgumentHelp("How to reach you.", valueName: "CONTACT"))
    var reporterContact: String?
    @Option(help: ArgumentHelp("The subcontractor (再委託事業者) involved.", valueName: "NAME"))
    var subcontractor: String?
    @Option(help: ArgumentHelp("Idempotency key (default: a new UUID).", valueName: "ID"))
    var reportId: String?
    @Option(name: .long, help: ArgumentHelp("Read the report from a JSON or YAML file; \"-\" reads standard input.", valueName: "FILE"))
    var file: String?
    @Flag(help: "Never ask questions, even on a terminal.")
    var noPrompt = false
    @Flag(help: "Print the daemon's answer as JSON.")
    var json = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var spool: SpoolOptions

    func run() throws {
        var fields: [String: JSONValue] = [:]
        if let file {
            fields = try ReportInput.read(file: file)
        } else if isatty(0) == 0, kind == nil, information == nil, location == nil, circumstances == nil, !noPrompt {
            // A report piped in without flags: read it from standard input.
            fields = try ReportInput.read(file: "-")
        }
        let flags: [(String, String?)] = [
            ("kind", kind), ("information", information), ("count_precision", countPrecision), ("location", location),
            ("circumstances", circumstances), ("occurred_at", occurredAt), ("discovered_at", discoveredAt),
            ("subcontractor", subcontractor), ("report_id", reportId), ("count_unit", countUnit),
        ]
        for (k, v) in flags { if let v { fields[k] = .string(v) } }
        if suspected { fields["suspected"] = .bool(true) }
        if let count { fields["count"] = try countFlag(count) }
        if !assets.isEmpty { fields["assets"] = .array(assets.map { .string($0) }) }
        if reporterName != nil || reporterOrganization != nil || reporterContact != nil {
            var r = fields["reporter"]?.objectValue ?? [:]
            if let reporterName { r["name"] = .string(reporterName) }
            if let reporterOrganization { r["organization"] = .string(reporterOrganization) }
            if let reporterContact { r["contact"] = .string(reporterContact) }
            fields["reporter"] = .object(r)
        }
        if isatty(0) == 1, !noPrompt, file != "-" {
            Prompter.askForMissing(&fields)
        }
        if fields["report_id"] == nil || fields["report_id"]!.isNull {
            fields["report_id"] = .string(UUID().uuidString.lowercased())
        }
        do {
            _ = try Report.validate(.object(fields))
        } catch {
            let field = error.field.map { " [field: \($0)]" } ?? ""
            printError((Lang.japanese ? error.messageJa : error.message) + field + " (\(error.code.rawValue))")
            throw ExitCode(Exit.invalid)
        }
        let response: JSONValue
        switch sendToDaemon(ReportRequest(report: fields), options: connection) {
        case .failure(let e):
            guard case .unreachable = e else {
                printError("\(e)")
                throw ExitCode(Exit.unavailable)
            }
            try queueInSpool(.object(fields), because: "\(e)")
            return
        case .success(let r):
            // The daemon could not take it now (stopping, or its socket is flooded by someone):
            // the report is not lost, it goes to the spool.
            let code = r["error"]?["code"]?.stringValue
            if code == ErrorCode.shuttingDown.rawValue {
                try queueInSpool(.object(fields), because: "sokuhod is shutting down")
                return
            }
            if let code, [ErrorCode.tooManyConnections, .tooBusy].map(\.rawValue).contains(code) {
                try queueInSpool(.object(fields), because: "sokuhod refused the connection (\(code))")
                return
            }
            response = try acceptResponse(r)
        }
        if json { printJSON(response); return }
        let c = response["case"] ?? .null
        let receipt = response["receipt"] ?? .null
        let id = shown(c["id"]?.stringValue ?? "?")
        if response["duplicate"]?.boolValue == true {
            print(
                Lang.t(
                    "Already reported: this report_id belongs to case \(id); nothing new was recorded.",
                    "報告済みです: この report_id は事案 \(id) のものです。新たな記録はしていません。"))
        } else {
            print(Lang.t("Reported. Case \(id) is open.", "報告を受け付けました。事案 \(id) を開きました。"))
        }
        print(
            Lang.t(
                "  receipt:   event #\(receipt["seq"]?.intValue ?? 0), \(shown(receipt["hash"]?.stringValue))",
                "  受領証:    イベント #\(receipt["seq"]?.intValue ?? 0)、\(shown(receipt["hash"]?.stringValue))"))
        print(Lang.t("  recorded:  \(shown(receipt["at"]?.stringValue))", "  記録日時:  \(shown(receipt["at"]?.stringValue))"))
        print(Lang.t("  report_id: \(shown(c["report_id"]?.stringValue))", "  report_id: \(shown(c["report_id"]?.stringValue))"))
        if let missing = c["missing"]?.arrayValue, !missing.isEmpty {
            let names = missing.compactMap(\.stringValue).map { shown($0) }.joined(separator: ", ")
            print(
                Lang.t(
                    "  still unknown: \(names) — add it with: sokuho case update \(id) --count N",
                    "  未確定の項目: \(names) — 判明したら: sokuho case update \(id) --count 件数"))
        }
    }
}

extension ReportCommand {
    /// The daemon cannot take the report now: queue it in the spool, where the daemon takes it
    /// as soon as it runs. Nothing is lost; the user is told where the report waits.
    func queueInSpool(_ report: JSONValue, because reason: String) throws {
        let layout = spool.layout
        let name: String
        do {
            name = try SpoolWriter.drop(
                report, into: layout, user: ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName)
        } catch {
            printError(
                Lang.t(
                    "cannot reach sokuhod (\(reason)) and cannot queue the report in the spool (\(error)). NOTHING WAS RECORDED: report by another way now (phone your security lead) and tell your administrator.",
                    "sokuhod に接続できず（\(reason)）、スプールにも置けません（\(error)）。報告は記録されていません。すぐに別の手段（電話など）で作業責任者に報告し、管理者に連絡してください。"))
            throw ExitCode(Exit.unavailable)
        }
        let path = layout.incoming + "/" + name
        let reportID = report["report_id"]?.stringValue ?? ""
        if json {
            printJSON([
                "ok": true, "queued": ["file": .string(name), "path": .string(path), "report_id": .string(reportID)],
                "reason": .string(reason),
            ])
            return
        }
        print(Lang.t("Queued. sokuhod cannot be reached right now (\(reason)),", "受け付けました（保留中）。sokuhod に今は接続できないため（\(reason)）、"))
        print(
            Lang.t(
                "so your report was saved in the spool; it becomes a case as soon as sokuhod runs.",
                "報告をスプールに保存しました。sokuhod が動き次第、事案になります。"))
        print(Lang.t("  file:      \(path)", "  ファイル:  \(path)"))
        print(Lang.t("  report_id: \(reportID)", "  report_id: \(reportID)"))
        print(
            Lang.t(
                "  later:     sokuho spool list --all   (shows the case it became)", "  確認:      sokuho spool list --all   （どの事案になったかを表示）"))
    }
}

/// Reads report fields from a file (or standard input) with the spool's decoder, so a file is
/// read exactly as it would be when dropped into the spool: JSON or YAML by extension (`.txt`,
/// no extension and standard input sniffed), UTF-8 with or without BOM, UTF-16 with BOM,
/// Shift_JIS/CP932, and `file:line:column` in errors.
enum ReportInput {
    static func read(file: String) throws -> [String: JSONValue] {
        let bytes: [UInt8]
        if file == "-" {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        } else {
            guard let d = FileManager.default.contents(atPath: file) else {
                printError(Lang.t("cannot read \(file)", "\(file) を読めません"))
                throw ExitCode(Exit.noInput)
            }
            bytes = Array(d)
        }
        switch SpoolDecoder.decode(bytes, name: file) {
        case .success(let content):
            return content.fields.objectValue ?? [:]
        case .failure(let error):
            printError(describe(error, file: file == "-" ? "<stdin>" : file))
            throw ExitCode(Exit.invalid)
        }
    }

    /// `file:line:column: message (code)`, the form editors and compilers use.
    static func describe(_ error: SokuhoCore.ValidationError, file: String) -> String {
        var at = file
        if let line = error.line {
            at += ":\(line)"
            if let column = error.column { at += ":\(column)" }
        }
        let field = error.field.map { " [field: \($0)]" } ?? ""
        return "\(at): " + (Lang.japanese ? error.messageJa : error.message) + field + " (\(error.code.rawValue))"
    }
}

/// Asks on the terminal for required fields that are missing.
enum Prompter {
    static func askForMissing(_ fields: inout [String: JSONValue]) {
        func missing(_ k: String) -> Bool {
            guard let v = fields[k] else { return true }
            if case .string(let s) = v { return s.trimmingWhitespace().isEmpty }
            return v.isNull
        }
        if missing("kind") {
            let options = IncidentKind.allCases.enumerated().map { "\($0.offset + 1)) \($0.element.rawValue) \($0.element.japanese)" }
                .joined(separator: "  ")
            while true {
                guard let a = ask(Lang.t("What happened? \(options): ", "何が起きましたか？ \(options): ")) else { return }
                let k =
                    Int(a).flatMap { $0 >= 1 && $0 <= IncidentKind.allCases.count ? IncidentKind.allCases[$0 - 1] : nil }
                    ?? IncidentKind(rawValue: a) ?? IncidentKind.allCases.first { $0.japanese == a }
                if let k { fields["kind"] = .string(k.rawValue); break }
            }
            if fields["suspected"] == nil,
                let a = ask(Lang.t("Is it only suspected (may have happened)? [y/N]: ", "発生のおそれ（未確定）ですか？ [y/N]: "))
            {
                fields["suspected"] = .bool(["y", "yes", "はい"].contains(a.lowercased()))
            }
        }
        let questions: [(String, String, String)] = [
            ("information", "What information is involved?", "どの秘密情報が関係していますか？（秘密情報の内容）"),
            ("location", "Where did it happen?", "どこで発生しましたか？（事故の発生場所）"),
            ("circumstances", "How did it happen?", "どのように発生しましたか？（発生状況）"),
        ]
        // With ledger entries named, the information may be left to them (Enter: a lead's report
        // takes it from the ledger).
        let namesEntries = !(fields["assets"]?.arrayValue ?? []).isEmpty
        for (key, en, ja) in questions where missing(key) {
            while true {
                let optional = key == "information" && namesEntries
                let hint = optional ? Lang.t(" (Enter: from the ledger entries)", "（Enter: 台帳の項目から）") : ""
                guard let a = ask(Lang.t(en, ja) + hint + " ") else { return }
                if !a.isEmpty { fields[key] = .string(a); break }
                if optional { break }
            }
        }
        if fields["count"] == nil, !namesEntries {
            if let a = ask(Lang.t("How many items? (a number; Enter if unknown): ", "件数は？（数字。不明なら Enter）: ")), let n = Int64(a) {
                fields["count"] = .int(n)
            }
        }
    }

    static func ask(_ question: String) -> String? {
        FileHandle.standardError.write(Data(question.utf8))
        return readLine(strippingNewline: true)?.trimmingWhitespace()
    }
}
