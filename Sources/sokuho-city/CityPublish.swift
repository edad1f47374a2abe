import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityPublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish", abstract: "Record the city's publication decision for a case (Art. 18 §2).")
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Option(help: "not_planned, planned (with --date) or published (with --date and --url).") var decision: String
    @Option(help: "The (planned) date of publication, such as 2026-12-01.") var date: String?
    @Option(help: "Where it is published (an http(s) address).") var url: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let store = try options.store(requiring: contractor)
        var o: [String: JSONValue] = ["decision": .string(decision)]
        if let date { o["date"] = .string(date) }
        if let url { o["url"] = .string(url) }
        if let note { o["note"] = .string(note) }
        let d: PublicationDecision
        do { d = try Publication.request(o) } catch { fail(error.message, code: 64) }
        let by = CityOptions.issuer()
        let published = await orFail { () async throws(CityError) in
            try await store.publish(contractor: contractor, caseID: caseID, decision: d, by: by, at: Timestamp.format(Date()))
        }
        let (id, pending) = (published.id, published.replaces)
        if json { printJSON(["ok": true, "id": .string(id), "replaces": .array(pending.map { .string($0) })]); return }
        // Only the latest decision of a case is sent: say so when this one replaces one the
        // contractor has not recorded yet.
        if !pending.isEmpty {
            FileHandle.standardError.write(
                Data(
                    "sokuho-city: note: this replaces \(pending.joined(separator: ", ")), which the contractor has not recorded yet: only the latest decision is sent.\n"
                        .utf8))
        }
        print(
            "Publication decision \(id) for \(TerminalSafe.escape(contractor)) \(TerminalSafe.escape(caseID)) is waiting for the contractor's next message or poll."
        )
    }
}
