import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityInstruct: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruct", abstract: "Issue an instruction to a contractor for one of its cases (Art. 18).",
        discussion:
            "It reaches the contractor in the answer to its next message or poll (city.poll_every on its side), and blocks the case's closure there until done."
    )
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Option(help: "What the contractor must do (1 to 10,000 characters).") var text: String
    @Option(help: "Who at the city gives it.") var from: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let store = try options.store(requiring: contractor)
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.count <= 10_000 else { fail("--text must hold 1 to 10,000 characters", code: 64) }
        let by = CityOptions.issuer()
        let id = await orFail { () async throws(CityError) in
            try await store.instruct(
                contractor: contractor, caseID: caseID, text: trimmed, from: from, by: by, at: Timestamp.format(Date()))
        }
        if json { printJSON(["ok": true, "id": .string(id)]); return }
        print(
            "Instruction \(id) for \(TerminalSafe.escape(contractor)) \(TerminalSafe.escape(caseID)) is waiting for the contractor's next message or poll."
        )
    }
}
