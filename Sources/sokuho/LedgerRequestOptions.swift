import ArgumentParser
import SokuhoCore

/// What approving and withdrawing a take-out or a disposal share: the options, the check of the
/// request id's kind, and what is printed.
struct ApprovalOptions: ParsableArguments {
    @Option(help: "Who at the city approved.") var by: String
    @Option(help: "When (default: now; not before the application, not in the future).") var at: String?
    @Option(help: "The city's id for the approval, if it gave one.") var approvalId: String?
    @OptionGroup var daemon: DaemonOptions

    func run(_ request: String, _ kind: LedgerID.RequestKind) throws {
        try requireRequest(request, kind)
        guard let r = try daemon.call(LedgerRequest.approve(request: request, by: by, approvedAt: at, approvalID: approvalId)) else {
            return
        }
        printApproval(r, request: request)
    }
}

struct WithdrawOptions: ParsableArguments {
    @Option(help: "Why (required): withdrawn, or refused by the city.") var reason: String
    @OptionGroup var daemon: DaemonOptions

    func run(_ request: String, _ kind: LedgerID.RequestKind) throws {
        try requireRequest(request, kind)
        guard try daemon.call(LedgerRequest.withdraw(request: request, reason: reason)) != nil else { return }
        print(Lang.t("Withdrew \(shown(request)); the city is told.", "\(shown(request)) を取り下げました（市へ通知）。"))
    }
}

/// Refuses, before asking the daemon, a request id of the wrong kind (a disposal given to a
/// take-out command, or the other way round); returns the entry it was made for.
@discardableResult
func requireRequest(_ request: String, _ kind: LedgerID.RequestKind) throws -> String {
    guard let parsed = LedgerID.parseRequest(request), parsed.kind == kind else {
        printError(
            Lang.t(
                "\(shown(request)) is not a \(kind.noun) such as \(kind.example)",
                "\(shown(request)) は \(kind.example) の形式ではありません"))
        throw ExitCode(Exit.usage)
    }
    return parsed.entry
}

/// What an approval did: recorded, or already recorded under the city's id.
func printApproval(_ r: JSONValue, request: String) {
    if r["receipt"]?.isNull ?? true {
        print(Lang.t("Already recorded: nothing changed.", "記録済みのため変更はありません。"))
    } else {
        print(Lang.t("Recorded the city's approval of \(shown(request)).", "\(shown(request)) の市の承認を記録しました。"))
    }
}
