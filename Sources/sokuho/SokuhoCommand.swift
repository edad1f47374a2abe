import ArgumentParser
import SokuhoCore

/// sokuho: the command-line client. Only wiring and presentation; rules live in SokuhoCore.
@main
struct SokuhoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sokuho",
        abstract: "Report a suspected information security incident and follow its case (速報).",
        discussion: """
            Talks to sokuhod over its Unix socket: --socket PATH, else $SOKUHO_SOCKET, else \
            /run/sokuho/sokuhod.sock. Messages are in Japanese when LANG starts with "ja".

            EXIT STATUS
              0   success (for report: also "queued in the spool" when sokuhod is down)
              1   audit verify: the chain does not verify (tampering or damage)
              2   no such case
              64  usage error (bad flags)
              65  the report or request is invalid (the message names the field), or it
                  conflicts with the case's state (a step not ready, closure gates unmet)
              66  an input file cannot be read
              69  sokuhod cannot be reached (for report: and the spool cannot take
                  it either)
              70  internal error in sokuhod
              74  storage failure: nothing was recorded / the database cannot be read
              75  sokuhod is shutting down; try again
              77  forbidden: your Unix user lacks the role for this operation
            """,
        version: SokuhoVersion.current,
        subcommands: [
            ReportCommand.self, CaseCommand.self, OutboxCommand.self, StepsCommand.self, StepCommand.self, InstructionCommand.self,
            PlaybookCommand.self, StatusReportCommand.self, SpoolCommand.self, StatusCommand.self, AuditCommand.self, BackupCommand.self,
            ReceiveCommand.self, LedgerCommand.self, DisposalCommand.self,
        ])
}
