import ArgumentParser
import Foundation
import SokuhoCore

struct StepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steps",
        abstract: "Show a case's playbook as a checklist (対応手順): status, due times, what waits on what.",
        discussion: """
            Each line is one step of the playbook the case started with:
              [x] done   [-] skipped   [>] ready: do it now   [ ] waiting on other steps
              [/] does not apply to this case (its condition does not hold)

            ★ marks mandatory steps: the case cannot be closed while one is open. \
            OVERDUE marks open steps past their due time; sokuhod reminds about them. \
            The guidance of every ready step is printed under it.

            Mark steps with: sokuho step done ID STEP [--note TEXT]
                             sokuho step skip ID STEP --reason TEXT
            """)

    @Argument(help: "The case id, e.g. INC-2026-0001.") var id: String
    @Flag(help: "Also print the guidance of steps that are not ready.") var all = false
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(CaseRequest(.caseSteps, id: id)) else { return }
        guard let p = response["playbook"], !p.isNull else {
            print(
                Lang.t(
                    "Case \(shown(id)) follows no playbook (none applied to its kind when it opened).",
                    "事案 \(shown(id)) には対応手順（プレイブック）がありません（報告時に該当するものがありませんでした）。"))
            return
        }
        let title = shown(Lang.japanese ? (p["title"]?["ja"]?.stringValue ?? "") : (p["title"]?["en"]?.stringValue ?? ""))
        print(
            "\(shown(id))  \(title)  (playbook \(shown(p["id"]?.stringValue)), \(Lang.t("version", "版")) \(shown(p["hash"]?.stringValue.map { String($0.prefix(12)) }))…)"
        )
        let s = response["summary"] ?? .null
        let n = { (k: String) in s[k]?.intValue ?? 0 }
        print(
            Lang.t(
                "  \(n("total")) steps: \(n("done")) done, \(n("skipped")) skipped, \(n("open")) open (\(n("overdue")) overdue); mandatory still open: \(n("mandatory_open"))",
                "  全 \(n("total")) 手順: 完了 \(n("done"))、省略 \(n("skipped"))、未了 \(n("open"))（期限超過 \(n("overdue"))）、未了の必須手順 \(n("mandatory_open"))"
            ))
        print("")
        let steps = response["steps"]?.arrayValue ?? []
        let width = min(24, steps.map { $0["id"]?.stringValue?.count ?? 0 }.max() ?? 10)
        for st in steps { print(Self.line(st, idWidth: width, withGuide: all)) }
    }

    static func line(_ st: JSONValue, idWidth: Int, withGuide all: Bool) -> String {
        let state = st["state"]?.stringValue ?? ""
        let box: String =
            switch state {
            case "done": "[x]"
            case "skipped": "[-]"
            case "ready": "[>]"
            case "not_applicable": "[/]"
            default: "[ ]"
            }
        let id = shown(st["id"]?.stringValue)
        let title = shown(Lang.japanese ? (st["title"]?["ja"]?.stringValue ?? "") : (st["title"]?["en"]?.stringValue ?? ""))
        let star = st["mandatory"]?.boolValue == true ? "★" : " "
        var line = "  \(box) \(star) \(id.padding(toLength: max(idWidth, id.count), withPad: " ", startingAt: 0))  \(title)"
        let r = st["record"] ?? .null
        var details: [String] = []
        switch state {
        case "done":
            let who =
                r["auto"]?.boolValue == true
                ? Lang.t("sokuhod (automatic)", "sokuhod（自動）")
                : shown(r["by"]?["user"]?.stringValue ?? "uid \(r["by"]?["uid"]?.intValue ?? -1)")
            details.append(Lang.t("done \(short(r["at"]?.stringValue)) by \(who)", "完了 \(short(r["at"]?.stringValue))（\(who)）"))
            if let note = r["note"]?.stringValue { details.append("— \(shown(note))") }
        case "skipped":
            details.append(
                Lang.t(
                    "skipped \(short(r["at"]?.stringValue)): \(shown(r["reason"]?.stringValue))",
                    "省略 \(short(r["at"]?.stringValue)): \(shown(r["reason"]?.stringValue))"))
        case "not_applicable":
            details.append(Lang.t("does not apply (when \(shown(st["when"]?.stringValue)))", "対象外（条件: \(shown(st["when"]?.stringValue))）"))
        default:
            if st["type"]?.stringValue == "auto" {
                details.append(Lang.t("automatic: \(shown(st["action"]?.stringValue))", "自動: \(shown(st["action"]?.stringValue))"))
            } else {
                details.append(shown(st["role"]?.stringValue))
            }
            if let due = st["due_at"]?.stringValue { details.append(Lang.t("due \(short(due))", "期限 \(short(due))")) }
            if st["overdue"]?.boolValue == true { details.append(Lang.t("OVERDUE", "期限超過")) }
            let waiting = (st["waiting_on"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }
            if !waiting.isEmpty {
                details.append(Lang.t("waiting on: \(waiting.joined(separator: ", "))", "待ち: \(waiting.joined(separator: ", "))"))
            }
        }
        line += "    " + details.joined(separator: "  ")
        if (state == "ready" && st["type"]?.stringValue != "auto") || (all && state == "waiting") {
            let guide = Lang.japanese ? (st["guide"]?["ja"]?.stringValue ?? "") : (st["guide"]?["en"]?.stringValue ?? "")
            for g in guide.split(separator: "\n", omittingEmptySubsequences: false) { line += "\n        \(shown(String(g)))" }
        }
        return line
    }

    /// `2026-11-26T09:15:00.000Z` → `2026-11-26 09:15Z`.
    static func short(_ t: String?) -> String {
        guard let t, t.count >= 16 else { return shown(t) }
        return shown(String(t.prefix(10)) + " " + String(t.dropFirst(11).prefix(5)) + "Z")
    }
}

struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Mark a playbook step done or skipped (leads only).", subcommands: [StepDone.self, StepSkip.self])
}

struct StepDone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "done",
        abstract: "Mark a step done. It must be ready: the steps it waits on done or skipped.",
        discussion: "Example: sokuho step done INC-2026-0001 contain --note \"共有フォルダの権限を修正（10:40）\"")

    @OptionGroup var target: StepTarget
    @Option(help: "What was done: recorded with the step.") var note: String?
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        try StepOutcome.send(StepRequest.done(id: target.id, step: target.step, note: note), daemon, done: true)
    }
}

struct StepSkip: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skip",
        abstract: "Skip a step, with the reason (recorded). Steps waiting on it become ready.",
        discussion: "Example: sokuho step skip INC-2026-0001 notify_persons --reason \"市の指示により市が通知する\"")

    @OptionGroup var target: StepTarget
    @Option(help: "Why it is skipped (required).") var reason: String
    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        try StepOutcome.send(StepRequest.skip(id: target.id, step: target.step, reason: reason), daemon, done: false)
    }
}

/// The case and the step that `step done` and `step skip` mark.
struct StepTarget: ParsableArguments {
    @Argument(help: "The case id.") var id: String
    @Argument(help: "The step id (see sokuho steps ID).") var step: String
}

enum StepOutcome {
    /// Marks the step and says what it did (or prints the answer with --json).
    static func send(_ request: some ControlRequest, _ daemon: DaemonOptions, done: Bool) throws {
        guard let response = try daemon.call(request) else { return }
        print(response, done: done)
    }

    static func print(_ response: JSONValue, done: Bool) {
        let id = shown(response["case_id"]?.stringValue)
        let step = shown(response["step"]?["id"]?.stringValue)
        printLine(
            done
                ? Lang.t("Step \(step) of \(id) is done.", "\(id) の手順 \(step) を完了にしました。")
                : Lang.t("Step \(step) of \(id) is skipped.", "\(id) の手順 \(step) を省略にしました。"))
        let r = response["receipt"] ?? .null
        printLine(
            Lang.t(
                "  receipt: event #\(r["seq"]?.intValue ?? 0), \(r["hash"]?.stringValue ?? "")",
                "  受領証: イベント #\(r["seq"]?.intValue ?? 0)、\(r["hash"]?.stringValue ?? "")"))
        let ready = (response["ready_now"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }
        if !ready.isEmpty {
            printLine(Lang.t("  now ready: \(ready.joined(separator: ", "))", "  実施可能になった手順: \(ready.joined(separator: ", "))"))
        }
        printLine(Lang.t("  checklist: sokuho steps \(id)", "  一覧: sokuho steps \(id)"))
    }
}
