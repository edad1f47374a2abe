import ArgumentParser
import Foundation
import SokuhoCore

/// `case contain|resolve|close|reopen`: one `case.transition` each.
enum Transition {
    static func run(_ id: String, to: String, reason: String? = nil, resolution: String? = nil, daemon: DaemonOptions) throws {
        guard let response = try daemon.call(TransitionRequest(id: id, to: to, reason: reason, resolution: resolution)) else { return }
        let state = response["case"]?["state"]?.stringValue.flatMap(CaseState.init(rawValue:))
        print(Lang.t("\(id) is now \(state?.rawValue ?? to).", "\(id) を「\(state?.japanese ?? to)」にしました。"))
        if to == "closed" {
            print(
                Lang.t(
                    "  The final report (incident.closed) is queued for the city: sokuho outbox list --case-id \(id)",
                    "  最終報告（incident.closed）を市への送信キューに入れました: sokuho outbox list --case-id \(id)"))
        }
        let r = response["receipt"] ?? .null
        print(
            Lang.t(
                "  receipt: event #\(r["seq"]?.intValue ?? 0), \(shown(r["hash"]?.stringValue))",
                "  受領証: イベント #\(r["seq"]?.intValue ?? 0)、\(shown(r["hash"]?.stringValue))"))
    }
}

struct CaseContain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contain", abstract: "Mark the case contained: the spread is stopped (leads only).")
    @Argument(help: "The case id.") var id: String
    @Option(help: "What stopped it (recorded).") var reason: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws { try Transition.run(id, to: "contained", reason: reason, daemon: daemon) }
}

struct CaseResolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Mark the case resolved (leads only); --false-positive when the suspicion proved unfounded.")
    @Argument(help: "The case id.") var id: String
    @Flag(help: "The suspicion proved unfounded (誤検知).") var falsePositive = false
    @Option(help: "Why (recorded).") var reason: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        try Transition.run(
            id, to: "resolved", reason: reason, resolution: falsePositive ? "false_positive" : "incident", daemon: daemon)
    }
}

struct CaseClose: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a resolved case and send the final report (leads only).",
        discussion: """
            A case closes only when: it is resolved; its count is known; every mandatory playbook \
            step is done or skipped with a reason; no instruction from the city is open; and an \
            endpoint is configured for the final report. When one is not met, nothing changes and \
            every unmet gate is listed in plain words. --check lists them without closing.
            """)
    @Argument(help: "The case id.") var id: String
    @Flag(help: "Only list what still stands in the way.") var check = false
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        if check {
            guard let r = try daemon.call(CaseRequest(.caseGates, id: id)) else { return }
            let gates = r["gates"]?.arrayValue ?? []
            if gates.isEmpty { print(Lang.t("\(id) can be closed: every gate is met.", "\(id) は完了できます（すべての条件を満たしています）。")); return }
            print(Lang.t("\(id) cannot be closed yet:", "\(id) はまだ完了できません:"))
            for g in gates { print("  - " + shown(Lang.japanese ? g["message_ja"]?.stringValue ?? "" : g["message"]?.stringValue ?? "")) }
            throw ExitCode(Exit.invalid)
        }
        try Transition.run(id, to: "closed", daemon: daemon)
    }
}

struct CaseReopen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Reopen a case, with the reason (leads only).")
    @Argument(help: "The case id.") var id: String
    @Option(help: "Why it is reopened (required).") var reason: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws { try Transition.run(id, to: "open", reason: reason, daemon: daemon) }
}

struct CaseSubmit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send the preliminary (速報) or confirmed (確報) report with the APPI items to the city (leads only).",
        discussion: "The confirmed report needs all nine items (sokuho case update ID --summary … --persons … --cause …).")
    @Argument(help: "The case id.") var id: String
    @Argument(help: "preliminary or confirmed.") var report: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard try daemon.call(SubmitRequest(id: id, report: report)) != nil else { return }
        print(
            Lang.t(
                "The \(report) report of \(id) is queued for the city (incident.\(report)_report).",
                "\(id) の\(report == "confirmed" ? "確報" : "速報")を市への送信キューに入れました（incident.\(report)_report）。"))
    }
}

struct CasePublication: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publication",
        abstract: "Record the city's publication decision (Art. 18 §2): not_planned, planned or published (leads only).",
        discussion:
            "Example: sokuho case publication INC-2026-0001 --decision published --date 2026-12-01 --url https://www.city.example.jp/news/123"
    )
    @Argument(help: "The case id.") var id: String
    @Option(help: "not_planned, planned or published.") var decision: String
    @Option(help: "The (planned) date of publication.") var date: String?
    @Option(help: "Where it was published.") var url: String?
    @Option(help: "A note.") var note: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard try daemon.call(PublicationRequest(id: id, decision: decision, date: date, url: url, note: note)) != nil else { return }
        let d = Publication.Decision(rawValue: decision)
        print(Lang.t("Publication decision for \(id): \(decision).", "\(id) の公表の判断: \(d?.japanese ?? decision)。"))
    }
}

struct CaseNotice: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: "Draft a public notice of the incident, with no personal data (no reporter, no contacts, no names).",
        discussion: "Example: sokuho case notice INC-2026-0001 --lang ja --format html --output notice.html")
    @Argument(help: "The case id.") var id: String
    @Option(help: "ja or en (default: from LANG).") var lang: String?
    @Option(help: "text, markdown or html (prints on A4).") var format = "text"
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["text", "markdown", "html"])
        let r = try callDaemon(CaseRequest(.caseGet, id: id), options: connection)
        let style = ReportLanguage.style(lang, answer: r)
        let c = r["case"] ?? .null
        let text =
            switch format {
            case "html": PublicNotice.document(c, style: style).html(lang: style.lang)
            case "markdown": PublicNotice.document(c, style: style).markdown()
            default: PublicNotice.draft(c, style: style)
            }
        try ReportLanguage.write(text, to: output)
    }
}

struct CaseReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the incident report (事故報告書) of a case: markdown, html (prints on A4) or json.",
        discussion: """
            Shows the Article 18 facts, the nine APPI items, the deadlines, the timeline, the \
            playbook steps, the city's instructions, every report sent to the city, and the audit \
            chain head. Times are in time_zone_offset of the configuration ($SOKUHO_CONFIG or \
            /etc/sokuho/sokuhod.yaml), else in the system's zone; the page says which. To print: \
            chromium --headless --no-pdf-header-footer --print-to-pdf=ID.pdf ID.html (as your own user, not root). \
            Example:
              sokuho case report INC-2026-0001 --format html --lang ja \\
                --output INC-2026-0001.html
            """)
    @Argument(help: "The case id.") var id: String
    @Option(help: "markdown, html or json.") var format = "markdown"
    @OptionGroup var document: DocumentOptions
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["markdown", "html", "json"])
        let r = try callDaemon(CaseRequest(.caseReport, id: id), options: connection)
        let style = document.style(answer: r)
        let doc = IncidentReport.document(r, style: style)
        let text =
            switch format {
            case "html": doc.html(lang: style.lang)
            case "json": r.prettyString + "\n"
            default: doc.markdown()
            }
        try document.write(text, json: format == "json")
    }
}

struct StatusReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status-report",
        abstract: "The periodic handling-status report (Art. 16): cases reported in a period and cases still open.",
        discussion: "Example: sokuho status-report --from 2026-11-01 --to 2026-12-01 --format csv > 2026-11.csv")
    @Option(help: "Start of the period (date or RFC 3339 time).") var from: String
    @Option(help: "End of the period, exclusive.") var to: String
    @Option(help: "markdown, html, csv or json.") var format = "markdown"
    @OptionGroup var document: DocumentOptions
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["markdown", "html", "csv", "json"])
        let r = try callDaemon(StatusReportRequest(from: from, to: to), options: connection)
        let style = document.style(answer: r)
        let text =
            switch format {
            case "csv": StatusReport.csv(r)
            case "json": r.prettyString + "\n"
            case "html": StatusReport.document(r, style: style).html(lang: style.lang)
            default: StatusReport.document(r, style: style).markdown()
            }
        try document.write(text, json: format == "json")
    }
}
