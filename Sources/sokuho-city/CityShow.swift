import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "One case: the facts as last reported, every message, the instructions and decisions.")
    @Argument(help: "The contractor.") var contractor: String
    @Argument(help: "The case id.") var caseID: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        // A contractor no longer configured keeps its record: show and list still read it.
        let (_, store) = try options.store()
        let d = await orFail { () async throws(CityError) in try await store.caseDetail(contractor: contractor, caseID: caseID) }
        if json { printJSON(d); return }
        print(d.prettyString.split(separator: "\n").map { TerminalSafe.escape(String($0)) }.joined(separator: "\n"))
    }
}
