import ArgumentParser
import SokuhoCore

/// What approving and withdrawing a take-out or a disposal share: the options, the check of the
/// request id's kind, and what is printed.
struct ApprovalOptions: ParsableArguments {
    @Option(help: "Who at the city approved.") var by: String
    @Option(help: "When (default: now; not before the application, not in the future).") var at: String?
    @Option(help: "The city's id for the approval, if it gave one.") var approvalId: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions

    func run(_ request: String, _ kind: LedgerID.RequestKind) throws {
        try requireRequest(request, kind)
        let r = try callDaemon(LedgerRequest.approve(request: request, by: by, approvedAt: at, approvalID: approvalId), options: connection)
        if json { printJSON(r); return }
        printApproval(r, request: request)
    }
}

struct WithdrawOptions: ParsableArguments {
    @Option(help: "Why (required): withdrawn, or refused by the city.") var reason: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions

    func run(_ request: String, _ kind: LedgerID.RequestKind) throws {
        try requireRequest(request, kind)
        let r = try callDaemon(LedgerRequest.withdraw(request: request, reason: reason), options: connection)
        if json { printJSON(r); return }
        print(Lang.t("Withdrew \(shown(request)); the city is told.", "\(shown(request)) を取り下げました（市へ通知）。"))
    }
}

/// Refuses, before asking the daemon, a request id of the wrong kind (a disposal given to a
/// take-out command, or the other way round).
func requireRequest(_ request: String, _ kind: LedgerID.RequestKind) throws {
    guard let parsed = LedgerID.parseRequest(request), parsed.kind == kind else {
        let example = kind == .takeOut ? "L-0001-T1" : "L-0001-D1"
        printError(
            Lang.t(
                "\(shown(request)) is not a \(kind == .takeOut ? "take-out" : "disposal") such as \(example)",
                "\(shown(request)) は \(example) の形式ではありません"))
        throw ExitCode(Exit.usage)
    }
}

/// What an approval did: recorded, or already recorded under the city's id.
func printApproval(_ r: JSONValue, request: String) {
    if r["receipt"]?.isNull ?? true {
        print(Lang.t("Already recorded: nothing changed.", "記録済みのため変更はありません。"))
    } else {
        print(Lang.t("Recorded the city's approval of \(shown(request)).", "\(shown(request)) の市の承認を記録しました。"))
    }
}
