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
        subcommands: [
            DisposalApply.self, LedgerRequestApprove<DisposalRequest>.self, DisposalDone.self, LedgerRequestWithdraw<DisposalRequest>.self,
            DisposalCertificateCommand.self,
        ])
}

struct DisposalApply: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply for a disposal (leads only).")
    @Argument(help: "The entry, e.g. L-0001.") var id: String
    @Option(help: "How it will be disposed of (廃棄方法).") var method: String
    @Option(help: "The medium (媒体).") var medium: String
    @Option(help: "How much (数量).") var quantity: String
    @Option(help: "The planned date (date or RFC 3339 time).") var planned: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        let application = LedgerRequest.disposalApply(id: id, method: method, medium: medium, quantity: quantity, planned: planned)
        guard let r = try daemon.call(application) else { return }
        let request = LedgerID.RequestKind.disposal.applied(r)
        print(
            Lang.t(
                "Applied for disposal \(request); the city is asked (disposal.requested). Dispose of it only after approval.",
                "廃棄 \(request) を申請しました（市へ disposal.requested を送信）。承認後に廃棄してください。"))
    }
}

struct DisposalDone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Record that an approved disposal was done (leads only); the city gets disposal.completed.")
    @Argument(help: "The disposal, e.g. L-0001-D1.") var request: String
    @Option(help: "When it was done (default: now).") var at: String?
    @Option(help: "Who did it.") var by: String
    @Option(help: "Who witnessed it.") var witness: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        try requireRequest(request, .disposal)
        guard try daemon.call(LedgerRequest.disposalDone(request: request, at: at, by: by, witness: witness)) != nil else { return }
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
    @OptionGroup var document: DocumentOptions
    @OptionGroup var connection: ConnectionOptions
    func run() throws {
        try requireFormat(format, ["markdown", "html"])
        let entry = try requireRequest(request, .disposal)
        let r = try callDaemon(LedgerRequest.get(id: entry), options: connection)
        let style = document.style(answer: r)
        guard
            let doc = DisposalCertificate.document(
                r["entry"] ?? .null, request: request, style: style, generatedAt: Timestamp.format(Date()))
        else {
            printError(Lang.t("no disposal \(shown(request))", "廃棄 \(shown(request)) はありません"))
            throw ExitCode(Exit.notFound)
        }
        try document.write(format == "html" ? doc.html(lang: style.lang) : doc.markdown())
    }
}
