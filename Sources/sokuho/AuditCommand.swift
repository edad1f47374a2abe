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

            --against RECEIVED also checks the database against the chain heads the city \
            received (Art. 17): RECEIVED is the JSON-lines file of sokuho receive. Every message \
            carried the chain's position and hash at that moment; each must still be there. A \
            database rewritten after the fact, even with a consistently recomputed chain, fails \
            here and the first head that disagrees is named. Messages of other installations in \
            the file are counted and left out.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(
        help: ArgumentHelp("The city's received messages (sokuho receive --out) to check the chain heads against.", valueName: "RECEIVED"))
    var against: String?
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
        var anchors: AuditReader.AnchorOutcome?
        if let against, outcome.problem == nil {
            let heads = try Self.readAnchors(against)
            do { anchors = try AuditReader(path: path).check(anchors: heads) } catch {
                printError(Lang.t("cannot verify \(path): \(error)", "\(path) を検証できません: \(error)"))
                throw ExitCode(Exit.ioError)
            }
        }
        if json {
            guard case .object(var o) = outcome.json else { return }
            if let anchors {
                o["anchors"] = anchors.json
                if anchors.mismatch != nil { o["ok"] = false }
            }
            printJSON(.object(o))
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
        if !json, let anchors {
            if let m = anchors.mismatch {
                print(
                    Lang.t(
                        "FAILED: the database disagrees with a chain head the city received.",
                        "検証失敗: 市が受け取ったチェーンの先頭とデータベースが一致しません。"))
                print(
                    Lang.t(
                        "  event #\(m.anchor.seq): the city received \(m.anchor.hash), the database has \(m.found ?? "no such event")",
                        "  イベント #\(m.anchor.seq): 市の受信 \(m.anchor.hash)、データベース \(m.found ?? "（該当イベントなし）")"))
                print(Lang.t("  in message \(shown(m.anchor.source))", "  該当メッセージ \(shown(m.anchor.source))"))
            } else {
                print(
                    Lang.t(
                        "  and \(anchors.checked) chain heads the city received match (\(anchors.otherInstallations) of other installations left out).",
                        "  市が受け取ったチェーンの先頭 \(anchors.checked) 件とも一致しました（他の設置分 \(anchors.otherInstallations) 件は対象外）。"))
            }
        }
        if outcome.problem != nil || anchors?.mismatch != nil { throw ExitCode(Exit.verifyFailed) }
    }

    /// The chain heads in a file of received messages, read line by line (a torn or foreign
    /// line is skipped).
    static func readAnchors(_ path: String) throws -> [ChainAnchor] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            printError(Lang.t("cannot read \(path)", "\(path) を読めません"))
            throw ExitCode(Exit.noInput)
        }
        defer { try? handle.close() }
        var anchors: [ChainAnchor] = []
        var carry: [UInt8] = []
        func take(_ line: ArraySlice<UInt8>) {
            guard !line.isEmpty, let json = try? JSONParser.parse(Array(line)), let a = ChainAnchor.fromReceivedLine(json) else { return }
            anchors.append(a)
        }
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            carry.append(contentsOf: chunk)
            var start = carry.startIndex
            while let nl = carry[start...].firstIndex(of: 0x0A) {
                take(carry[start..<nl])
                start = nl + 1
            }
            carry.removeSubrange(carry.startIndex..<start)
        }
        take(carry[...])
        return anchors
    }
}
