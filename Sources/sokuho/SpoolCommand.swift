import ArgumentParser
import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoSpool

struct SpoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spool",
        abstract: "See the file drops (スプール): what waits and what was set aside, and why.",
        discussion: "The spool's layout and how to drop a file by hand, from a script or from Windows: docs/spool.md.",
        subcommands: [SpoolList.self, SpoolDropFile.self])
}

struct SpoolDropFile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drop",
        abstract: "Drop a report file into the spool safely; it becomes a case as soon as sokuhod runs.",
        discussion: """
            Copies FILE (JSON, YAML or text; UTF-8 or Shift_JIS) into the spool's tmp/ under a new \
            random name that nobody can have prepared (created with O_EXCL), mode 0640 (readable \
            by the daemon only), fsyncs it and renames it into incoming/. Prints the name it has \
            there. The file is checked by the daemon exactly as any drop: see sokuho spool list.

            Exit status: 0 dropped; 66 FILE cannot be read; 73 the spool cannot take it.
            """)

    @Argument(help: ArgumentHelp("The report file; \"-\" reads standard input (as YAML or JSON).", valueName: "FILE"))
    var file: String
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var spool: SpoolOptions

    func run() throws {
        let data: Data?
        if file == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else { data = FileManager.default.contents(atPath: file) }
        guard let data else {
            printError(Lang.t("cannot read \(shown(file))", "\(shown(file)) を読めません"))
            throw ExitCode(66)
        }
        let ext = file == "-" ? "txt" : (file as NSString).pathExtension
        let name: String
        do {
            name = try SpoolWriter.drop(
                bytes: Array(data), extension: ext.isEmpty ? "txt" : ext, into: spool.layout,
                user: ProcessInfo.processInfo.environment["USER"])
        } catch {
            printError(Lang.t("the spool cannot take the file: \(error)", "スプールに置けません: \(error)"))
            throw ExitCode(73)
        }
        if json { printJSON(["ok": true, "file": .string(name), "path": .string(spool.layout.incoming + "/" + name)]); return }
        print(Lang.t("Dropped: \(shown(spool.layout.incoming + "/" + name))", "スプールに置きました: \(shown(spool.layout.incoming + "/" + name))"))
        print(Lang.t("  later: sokuho spool list --all   (shows the case it became)", "  確認:  sokuho spool list --all   （どの事案になったかを表示）"))
    }
}

struct SpoolList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List spool files: being written (tmp/), waiting (incoming/) and rejected, newest first.",
        discussion: """
            Asks sokuhod (reporters see only their own files). When sokuhod cannot be reached, the \
            spool directory is read directly, which needs read access to it.

            A rejected file shows the reason the daemon gave (also in rejected/NAME.error.json). \
            Fix the file and drop it again under a new name.
            """)

    @Flag(help: "Also list accepted files and the case each became.") var all = false
    @Option(help: "At most this many (default 200).") var limit: Int?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var spool: SpoolOptions

    func run() throws {
        var states: [SpoolListing.State] = [.writing, .waiting, .rejected]
        if all { states.append(.accepted) }
        let request = SpoolListRequest(states: states.map(\.rawValue), limit: limit ?? 200)
        var files: [JSONValue]
        var note: String?
        switch sendToDaemon(request, options: connection) {
        case .success(let r):
            files = try acceptResponse(r)["files"]?.arrayValue ?? []
        case .failure(let e):
            guard case .unreachable = e else { printError("\(e)"); throw ExitCode(Exit.unavailable) }
            let layout = spool.layout
            do {
                files = try SpoolListing.list(layout, states: Set(states), limit: limit ?? 200).map(\.json)
            } catch {
                printError(
                    Lang.t(
                        "sokuhod cannot be reached (\(e)) and the spool cannot be read directly: \(error)",
                        "sokuhod に接続できず（\(e)）、スプールも直接読めません: \(error)"))
                throw ExitCode(Exit.unavailable)
            }
            note = Lang.t(
                "(sokuhod is not running; read \(shown(layout.root)) directly)", "（sokuhod が動いていないため \(shown(layout.root)) を直接読みました）")
        }
        if json { printJSON(["ok": true, "files": .array(files), "count": .int(Int64(files.count))]); return }
        if let note { print(note) }
        if files.isEmpty { print(Lang.t("Nothing waits and nothing was rejected.", "保留中・却下されたファイルはありません。")); return }
        for f in files { print(Self.line(f)) }
    }

    static func line(_ f: JSONValue) -> String {
        let state = f["state"]?.stringValue ?? "?"
        let label: String =
            switch state {
            case "writing": Lang.t("WRITING ", "書込中  ")
            case "waiting": Lang.t("WAITING ", "保留中  ")
            case "rejected": Lang.t("REJECTED", "却下    ")
            default: Lang.t("ACCEPTED", "受付済  ")
            }
        let when = shown(f["modified_at"]?.stringValue)
        var line =
            "\(label)  \(when)  \(shown(f["path"]?.stringValue))  (\(f["size"]?.intValue ?? 0) B, uid \(f["owner_uid"]?.intValue ?? 0))"
        if let c = f["case_id"]?.stringValue { line += "  → \(shown(c))" }
        if let r = f["reason"], !r.isNull {
            let message = shown(Lang.japanese ? (r["message_ja"]?.stringValue ?? "") : (r["message"]?.stringValue ?? ""))
            let field = r["field"]?.stringValue.map { " [field: \(shown($0))]" } ?? ""
            line += "\n          \(shown(r["code"]?.stringValue)): \(message)\(field)"
        }
        if state == "writing" {
            line += Lang.t("  (in tmp/: rename it into incoming/ when complete)", "（tmp/ 内: 書き終えたら incoming/ に移してください）")
        }
        return line
    }
}
