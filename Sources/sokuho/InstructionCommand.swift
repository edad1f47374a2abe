import ArgumentParser
import Foundation
import SokuhoCore

struct InstructionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "instruction",
        abstract: "Record the city's instructions (発注者の指示) and their completion. Open ones block closure.",
        discussion: """
            Instructions also arrive automatically when the city's endpoint answers a delivery \
            with {"instructions": [{"id", "from", "text", "issued_at"}]} (docs/escalation.md).
            """,
        subcommands: [InstructionAdd.self, InstructionList.self, InstructionDone.self])
}

struct InstructionAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Record an instruction from the city (leads only).",
        discussion:
            "Example: sokuho instruction add INC-2026-0001 --from \"情報政策課 佐藤\" --text \"対象者一覧を本日中に提出すること\" --issued-at 2026-11-26T10:30:00+09:00"
    )
    @Argument(help: "The case id.") var id: String
    @Option(help: "Who at the city gave it.") var from: String
    @Option(help: "What the city instructed.") var text: String
    @Option(help: "When it was given (RFC 3339; default: now).") var issuedAt: String?
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard let r = try daemon.call(InstructionAddRequest(id: id, text: text, from: from, issuedAt: issuedAt)) else { return }
        let iid = shown(r["instruction"]?["id"]?.stringValue ?? "?")
        print(
            Lang.t(
                "Recorded instruction \(iid) for \(id). When it is carried out: sokuho instruction done \(id) \(iid) --response …",
                "\(id) に指示 \(iid) を記録しました。対応したら: sokuho instruction done \(id) \(iid) --response …"))
    }
}

struct InstructionList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the instructions of a case.")
    @Argument(help: "The case id.") var id: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        let r = try callDaemon(CaseRequest(.caseGet, id: id), options: daemon.connection)
        let list = r["case"]?["instructions"]?.arrayValue ?? []
        if daemon.json { printJSON(["ok": true, "instructions": .array(list)]); return }
        if list.isEmpty { print(Lang.t("No instructions recorded for \(id).", "\(id) に記録された指示はありません。")); return }
        for i in list {
            let open = i["open"]?.boolValue == true
            print(
                "\(shown(i["id"]?.stringValue))  \(open ? Lang.t("OPEN", "未完了") : Lang.t("done", "完了"))  \(shown(i["issued_at"]?.stringValue))  \(shown(i["from"]?.stringValue))  [\(shown(i["source"]?.stringValue))]"
            )
            print("      \(shown(i["text"]?.stringValue))")
            if let resp = i["response"]?.stringValue {
                print(
                    Lang.t(
                        "      response (\(shown(i["done_at"]?.stringValue))): \(resp)",
                        "      対応（\(shown(i["done_at"]?.stringValue))）: \(resp)"))
            }
        }
    }
}

struct InstructionDone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done", abstract: "Record that an instruction was carried out, and how (leads only).")
    @Argument(help: "The case id.") var id: String
    @Argument(help: "The instruction: I-1, I-2, …") var instruction: String
    @Option(help: "What was done (required).") var response: String
    @OptionGroup var daemon: DaemonOptions
    func run() throws {
        guard try daemon.call(InstructionDoneRequest(id: id, instruction: instruction, response: response)) != nil else { return }
        print(
            Lang.t(
                "Instruction \(instruction) of \(id) is done; the city is told (incident.instruction_done).",
                "\(id) の指示 \(instruction) を対応済みにしました。市へ通知します（incident.instruction_done）。"))
    }
}
