import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check a copy of a contractor's database against every chain head the city received (Art. 17).",
        discussion: """
            The copy must verify on its own (sokuho audit verify) and hold, at each position, the \
            hash the city received there. A database rewritten after the fact — even with its \
            whole chain recomputed consistently — fails, and the first head that disagrees is named.
            """)
    @Option(help: "The contractor whose database it is.") var contractor: String
    @Option(help: ArgumentHelp("The copy of the contractor's database.", valueName: "COPY.db")) var db: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let store = try options.store(requiring: contractor)
        guard FileManager.default.fileExists(atPath: db) else { fail("no such file: \(db)", code: 74) }
        let anchors = await orFail { () async throws(CityError) in try await store.anchors(contractor: contractor) }
        let reader: AuditReader
        let outcome: AuditReader.Outcome
        let checked: AuditReader.AnchorOutcome
        do {
            reader = try AuditReader(path: db)
            outcome = try reader.verify()
            checked = try reader.check(anchors: anchors, allInstallations: true)
        } catch { fail("cannot read \(db): \(error)", code: 74) }
        if json {
            printJSON(["ok": .bool(outcome.problem == nil && checked.mismatch == nil), "chain": outcome.json, "anchors": checked.json])
        } else if let p = outcome.problem {
            print("FAILED: the database does not verify on its own: event #\(p.seq): \(TerminalSafe.escape(p.message))")
        } else if let m = checked.mismatch {
            print("FAILED: the database disagrees with a chain head the city received from \(contractor).")
            print("  event #\(m.anchor.seq): the city received \(m.anchor.hash), the database has \(m.found ?? "no such event")")
            print("  in message \(TerminalSafe.escape(m.anchor.source))")
        } else {
            print(
                "OK: \(outcome.eventsChecked) events verify, and all \(checked.checked) chain heads the city received from \(contractor) match."
            )
        }
        if outcome.problem != nil || checked.mismatch != nil { throw ExitCode(1) }
    }
}
