import ArgumentParser
import Foundation
import SokuhoConfig
import SokuhoCore
import SokuhoStore

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the case database consistently, while the daemon runs, and verify the copy.",
        discussion: """
            Takes one consistent snapshot of the database (SQLite's VACUUM INTO: every committed \
            event up to that moment), writes it to a new file (mode 0600), fsyncs it, verifies it \
            like `sokuho audit verify`, and prints the chain head of the copy. The daemon keeps \
            running and accepting reports meanwhile.

            FILE must not exist: an existing file, directory or symbolic link is refused and \
            nothing is written. Its directory, and every one above it, must be owned by root, \
            you or the database's owner and not writable by another user (a sticky directory \
            such as /tmp is allowed). Restore: stop sokuhod, copy the backup over the database (owner \
            sokuho, mode 0600), start sokuhod (docs/operations.md, "Backup and restore").

            The database: --db PATH, else the state_dir of --config FILE, else $SOKUHO_DB, else \
            /var/lib/sokuho/sokuho.db. Exit status 0 when the copy verifies, 1 when it does not \
            (it is removed), 73 when FILE exists or cannot be created, 74 when the database \
            cannot be read.
            """)

    @Option(help: ArgumentHelp("The new backup file (must not exist).", valueName: "FILE")) var to: String
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let path = try database.path()
        guard FileManager.default.fileExists(atPath: path) else {
            printError(Lang.t("cannot back up \(path): no such file", "\(path) をバックアップできません: ファイルがありません"))
            throw ExitCode(Exit.ioError)
        }
        let outcome: AuditReader.Outcome
        do {
            outcome = try DatabaseBackup.run(source: path, destination: to)
        } catch let e as DatabaseBackup.Failure {
            printError(Lang.t("backup refused: \(e)", "バックアップできません: \(e)"))
            switch e {
            case .destinationExists, .unsafeDirectory, .cannotCreate: throw ExitCode(73)
            case .doesNotVerify: throw ExitCode(Exit.verifyFailed)
            case .copyFailed: throw ExitCode(Exit.ioError)
            }
        } catch {
            printError(Lang.t("backup failed: \(error)", "バックアップに失敗しました: \(error)"))
            throw ExitCode(Exit.ioError)
        }
        if json {
            var o = outcome.json
            if case .object(var d) = o {
                d["file"] = .string(to)
                d["database"] = .string(path)
                o = .object(d)
            }
            printJSON(o)
        } else {
            print(
                Lang.t(
                    "OK: backup written to \(shown(to)) and verified: \(outcome.eventsChecked) events, \(outcome.casesChecked) cases.",
                    "OK: \(shown(to)) にバックアップし検証しました: \(outcome.eventsChecked) 件のイベント、\(outcome.casesChecked) 件の事案。"))
            print(Lang.t("  chain head: \(outcome.headHash)", "  チェーン先頭: \(outcome.headHash)"))
        }
    }
}
