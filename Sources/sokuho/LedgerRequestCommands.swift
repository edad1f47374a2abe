import ArgumentParser
import SokuhoCore

/// `sokuho ledger takeout approve` and `sokuho disposal approve`.
struct LedgerRequestApprove<Kind: LedgerRequestKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "approve", abstract: "Record the city's approval of a \(Kind.kind.noun) (leads only).")
    }
    @Argument(help: ArgumentHelp("The \(Kind.kind.noun), e.g. \(Kind.kind.example).")) var request: String
    @OptionGroup var options: ApprovalOptions
    func run() throws { try options.run(request, Kind.kind) }
}

/// `sokuho ledger takeout withdraw` and `sokuho disposal withdraw`.
struct LedgerRequestWithdraw<Kind: LedgerRequestKind>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "withdraw",
            abstract: "Withdraw a \(Kind.kind.noun) application, or record that the city refused it (leads only).")
    }
    @Argument(help: ArgumentHelp("The \(Kind.kind.noun), e.g. \(Kind.kind.example).")) var request: String
    @OptionGroup var options: WithdrawOptions
    func run() throws { try options.run(request, Kind.kind) }
}
