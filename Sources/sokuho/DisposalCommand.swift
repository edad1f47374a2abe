import ArgumentParser
import Foundation
import SokuhoCore

/// `sokuho disposal`: disposal applied for in advance, approved by the city, recorded (廃棄, Art. 15).
struct DisposalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disposal",
        abstract: "Dispose of information only after the city approved it, and record it (Art. 15).",
        discussion: """
            apply sends disposal.requested to the city (items, medium, quantity, method, planned \
            date); the approval is recorded by hand (approve) or from the city's answer \
            {"approvals": [{"id", "request", "approved_at", "by"}]}; done records when, by whom \
            and witnessed by whom, sends disposal.completed, and the entry becomes disposed. \
            done before the approval is refused. Example:
              sokuho disposal apply L-0001 --method 溶解処理 --medium 紙 --quantity "段ボール2箱" \\
                --planned 2026-12-10
            """,
        subcommands: [DisposalApply.self, DisposalApprove.self, DisposalDone.self, DisposalWithdraw.self, DisposalCertificateCommand.self])
}

struct DisposalApply: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply for a disposal (leads only).")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @Option(help: "How it will be disposed of (廃棄方法).") var method: String
    @Option(help: "The medium (媒体).") var medium: String
    @Option(help: "How much (数量).") var quantity: String
    @Option(help: "The planned date (date or RFC 3339 time).") var planned: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        let r = try callDaemon(
            LedgerRequest.disposalApply(id: id, method: method, medium: medium, quantity: quantity, planned: planned), options: connection)
        if json { printJSON(r); return }
        let request = shown(r["entry"]?["disposals"]?.arrayValue?.last?["request"]?.stringValue ?? "?")
        print(
            Lang.t(
                "Applied for disposal \(request); the city is asked (disposal.requested). Dispose of it only after approval.",
                "廃棄 \(request) を申請しました（市へ disposal.requested を送信）。承認後に廃棄してください。"))
    }
}

struct DisposalApprove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Record the city's approval of a disposal (leads only).")
    @Argument(help: "The disposal, e.g. L-0001-D1.") var request: String
    @OptionGroup var options: ApprovalOptions
    func run() throws { try options.run(request, .disposal) }
}

struct DisposalWithdraw: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Withdraw a disposal application, or record that the city refused it (leads only).")
    @Argument(help: "The disposal, e.g. L-0001-D1.") var request: String
    @OptionGroup var options: WithdrawOptions
    func run() throws { try options.run(request, .disposal) }
}

struct DisposalDone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Record that an approved disposal was done (leads only); the city gets disposal.completed.")
    @Argument(help: "The disposal, e.g. L-0001-D1.") var request: String
    @Option(help: "When it was done (default: now).") var at: String?
    @Option(help: "Who did it.") var by: String
    @Option(help: "Who witnessed it.") var witness: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireRequest(request, .disposal)
        let r = try callDaemon(LedgerRequest.disposalDone(request: request, at: at, by: by, witness: witness), options: connection)
        if json { printJSON(r); return }
        print(
            Lang.t(
                "Recorded disposal \(shown(request)); the entry is disposed. Record: sokuho disposal certificate \(shown(request))",
                "廃棄 \(shown(request)) を記録しました。廃棄の記録: sokuho disposal certificate \(shown(request))"))
    }
}

struct DisposalCertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate", abstract: "Render the record of a disposal (廃棄の記録): markdown or html (prints on A4).")
    @Argument(help: "The disposal, e.g. L-0001-D1.") var request: String
    @Option(help: "markdown or html.") var format = "markdown"
    @Option(help: "ja or en (default: from LANG).") var lang: String?
    @Option(help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        guard ["markdown", "html"].contains(format) else {
            printError(Lang.t("--format must be markdown or html", "--format は markdown・html のいずれかです"))
            throw ExitCode(Exit.usage)
        }
        guard let parsed = LedgerID.parseRequest(request), parsed.kind == .disposal else {
            printError(Lang.t("\(shown(request)) is not a disposal such as L-0001-D1", "\(shown(request)) は L-0001-D1 の形式ではありません"))
            throw ExitCode(Exit.usage)
        }
        let r = try callDaemon(LedgerRequest.get(id: parsed.entry), options: connection)
        let style = ReportLanguage.style(lang, answer: r)
        guard
            let doc = DisposalCertificate.document(
                r["entry"] ?? .null, request: request, style: style, generatedAt: Timestamp.format(Date()))
        else {
            printError(Lang.t("no disposal \(shown(request))", "廃棄 \(shown(request)) はありません"))
            throw ExitCode(Exit.notFound)
        }
        try ReportLanguage.write(format == "html" ? doc.html(lang: style.lang) : doc.markdown(), to: output)
    }
}
