import ArgumentParser
import Foundation
import SokuhoConfig
import SokuhoCore

struct PlaybookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook", abstract: "Check and list playbooks (対応手順書). Format: docs/playbooks.md.",
        subcommands: [PlaybookCheck.self, PlaybookList.self])
}

struct PlaybookCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check playbook files without the daemon: every problem as file:line:column: path: reason.",
        discussion: """
            Without FILES, checks the directory: --dir, else playbooks.dir of $SOKUHO_CONFIG or \
            /etc/sokuho/sokuhod.yaml, else ./playbooks. The files are also checked as a set: \
            unique names, and no two playbooks applying to the same kind at the same priority. \
            Exit status 0 when all is well, 65 when a problem was found. \
            sokuhod runs the same checks at start and on reload (SIGHUP), and refuses a broken set.
            """)

    @Argument(help: "Playbook files (.yaml).") var files: [String] = []
    @Option(help: "The playbooks directory.") var dir: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var list = files
        var source = Lang.t("the files given", "指定したファイル")
        if list.isEmpty {
            let d = dir ?? Self.configuredDirectory()
            source = d
            do { list = try PlaybookLoader.files(in: d) } catch {
                printError("\(error)")
                throw ExitCode(Exit.invalid)
            }
            if list.isEmpty {
                printError(Lang.t("no playbook files (.yaml, .yml) in \(d)", "\(d) にプレイブック（.yaml, .yml）がありません"))
                throw ExitCode(Exit.noInput)
            }
        }
        switch PlaybookLoader.loadSet(files: list) {
        case .success(let set):
            if json {
                printJSON([
                    "ok": true,
                    "playbooks": .array(
                        set.entries.map {
                            ["file": .string($0.file), "playbook": .string($0.playbook.id), "hash": .string($0.playbook.hash)]
                        }),
                ])
                return
            }
            for e in set.entries {
                let p = e.playbook
                print(
                    Lang.t(
                        "ok  \(e.file): playbook \(p.id) for \(p.kinds.map(\.rawValue).joined(separator: ", "))\(p.when.map { " when " + $0.source } ?? ""), \(p.steps.count) steps (\(p.steps.filter(\.mandatory).count) mandatory), version \(p.hash.prefix(12))",
                        "OK  \(e.file): プレイブック \(p.id)（\(p.kinds.map(\.rawValue).joined(separator: ", "))\(p.when.map { "、条件 " + $0.source } ?? "")）\(p.steps.count) 手順（必須 \(p.steps.filter(\.mandatory).count)）、版 \(p.hash.prefix(12))"
                    ))
            }
            if !set.uncoveredKinds.isEmpty {
                print(
                    Lang.t(
                        "note: no playbook for \(set.uncoveredKinds.map(\.rawValue).joined(separator: ", ")) in \(source)",
                        "注意: \(set.uncoveredKinds.map(\.rawValue).joined(separator: ", ")) のプレイブックがありません"))
            }
        case .failure(let problems):
            if json {
                printJSON([
                    "ok": false,
                    "problems": .array(
                        problems.errors.map { e in
                            [
                                "file": .string(e.file), "line": e.line.map { .int(Int64($0)) } ?? .null,
                                "column": e.column.map { .int(Int64($0)) } ?? .null,
                                "path": .optional(e.key), "reason": .string(e.reason),
                            ]
                        }),
                ])
            } else {
                for e in problems.errors {
                    FileHandle.standardError.write(Data("\(TerminalSafe.escape("\(e)", allowNewlines: true))\n".utf8))
                }
            }
            throw ExitCode(Exit.invalid)
        }
    }

    static func configuredDirectory() -> String {
        let env = ProcessInfo.processInfo.environment
        let file = env["SOKUHO_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "/etc/sokuho/sokuhod.yaml"
        if access(file, R_OK) == 0, let config = try? Configuration.load(file: file) { return config.playbooksDir }
        return "playbooks"
    }
}

struct PlaybookList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the playbooks in force for new cases (from sokuhod).")

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        guard let response = try daemon.call(PlainRequest(.playbookList)) else { return }
        let list = response["playbooks"]?.arrayValue ?? []
        if list.isEmpty { print(Lang.t("No playbooks are loaded.", "プレイブックは読み込まれていません。")) }
        for p in list {
            let title = shown(Lang.japanese ? (p["title"]?["ja"]?.stringValue ?? "") : (p["title"]?["en"]?.stringValue ?? ""))
            let kinds = shown((p["kinds"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))
            let when = p["when"]?.stringValue.map { " when \(shown($0))" } ?? ""
            print(
                "\(shown(p["playbook"]?.stringValue))  \(title)  [\(kinds)\(when), priority \(p["priority"]?.intValue ?? 0)]  \(p["steps"]?.intValue ?? 0) steps  \(p["hash"]?.stringValue?.prefix(12) ?? "")  \(shown(p["file"]?.stringValue))"
            )
        }
        let uncovered = (response["uncovered_kinds"]?.arrayValue ?? []).compactMap(\.stringValue).map { shown($0) }
        if !uncovered.isEmpty {
            print(Lang.t("No playbook for: \(uncovered.joined(separator: ", "))", "プレイブックなし: \(uncovered.joined(separator: ", "))"))
        }
    }
}
