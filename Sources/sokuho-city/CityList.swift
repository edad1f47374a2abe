import ArgumentParser
import Foundation
import SokuhoCity
import SokuhoCityWeb
import SokuhoConfig
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

struct CityList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Every case of every contractor, newest first, with the first report's delay.")
    @Option(help: "Only this contractor.") var contractor: String?
    @Option(help: "Only this state (open, contained, resolved, closed).") var state: String?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var options: CityOptions

    func run() async throws {
        let (_, store) = try options.store()
        if let state, CaseState(rawValue: state) == nil {
            fail("--state must be one of \(CaseState.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(state)\"", code: 64)
        }
        let rows = await orFail { () async throws(CityError) in try await store.cases(contractor: contractor, state: state) }
        if json { printJSON(["cases": .array(rows.map(\.json)), "count": .int(Int64(rows.count))]); return }
        if rows.isEmpty { print("No cases."); return }
        let style = DocumentStyle(japanese: ProcessInfo.processInfo.environment["LANG"]?.hasPrefix("ja") == true)
        for r in rows {
            let f = r.facts
            let delay = r.firstReportDelayMinutes.map { "\($0) min" } ?? "-"
            let open = f["instructions_open"]?.intValue ?? 0
            print(
                TerminalSafe.escape(
                    "\(r.contractor)  \(r.caseID)  \(f["state"]?.stringValue ?? "?")  \(f["kind"]?.stringValue ?? "?")\(f["suspected"]?.boolValue == true ? " (suspected)" : "")  \(style.caseCount(f))  first report +\(delay)  open instructions \(open)  \(String((f["information"]?.stringValue ?? "").prefix(40)))"
                ))
        }
    }
}
