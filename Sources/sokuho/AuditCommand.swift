import ArgumentParser
import Foundation
import SokuhoConfig
import SokuhoCore
import SokuhoStore

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify the tamper-evident record (監査).", subcommands: [AuditVerify.self])
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-compute the whole hash chain from the database file, without the daemon.",
        discussion: """
            Opens the database read-only (it may be copied off the machine first), re-computes the \
            SHA-256 of every event and its link to the one before, compares the end with the chain \
            head, and checks that each case matches its events. Names the first event that was \
            edited, deleted, inserted or reordered. Exit status 0 when everything verifies, 1 when \
            it does not, 74 when the file cannot be read.

            The database: --db PATH, else the state_dir of --config FILE, else $SOKUHO_DB, else \
            /var/lib/sokuho/sokuho.db.
            """)

    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let path = try database.path()
        let outcome: AuditReader.Outcome
        do {
            outcome = try AuditReader(path: path).verify()
        } catch {
            printError(Lang.t("cannot verify \(path): \(error)", "\(path) を検証できません: \(error)"))
            throw ExitCode(Exit.ioError)
        }
        if json {
            printJSON(outcome.json)
        } else if let p = outcome.problem {
            print(Lang.t("FAILED: the audit chain does not verify.", "検証失敗: 監査チェーンが一致しません。"))
            print(Lang.t("  first problem at event #\(p.seq): \(shown(p.message))", "  最初の問題はイベント #\(p.seq): \(shown(p.message))"))
            print(Lang.t("  events verified before it: \(outcome.eventsChecked)", "  それ以前に検証できたイベント: \(outcome.eventsChecked)"))
        } else {
            let rate = outcome.seconds > 0 ? Int(Double(outcome.eventsChecked) / outcome.seconds) : 0
            print(
                Lang.t(
                    "OK: \(outcome.eventsChecked) events and \(outcome.casesChecked) cases verify.",
                    "OK: \(outcome.eventsChecked) 件のイベントと \(outcome.casesChecked) 件の事案を検証しました。"))
            print(Lang.t("  chain head: \(outcome.headHash)", "  チェーン先頭: \(outcome.headHash)"))
            print(
                Lang.t(
                    "  time: \(String(format: "%.3f", outcome.seconds)) s (\(rate) events/s)",
                    "  所要時間: \(String(format: "%.3f", outcome.seconds)) 秒（毎秒 \(rate) イベント）"))
        }
        if outcome.problem != nil { throw ExitCode(Exit.verifyFailed) }
    }
}
