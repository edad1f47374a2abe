import Foundation
import SokuhoCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real daemon with its real spool: files dropped as users and scripts drop them.
@Suite("Spool: dropped files become cases exactly once, or are set aside with a reason")
struct SpoolTests {
    static let report = """
        {"kind": "leak", "suspected": true, "information": "顧客名簿（氏名・住所）", "count": 1200,
         "location": "本社3階 共有フォルダ", "circumstances": "アクセス権の設定誤り", "report_id": "spool-json-1"}
        """
    static let yaml = """
        # A report written by a file-server script
        kind: loss
        information: USBメモリ（児童65名分の成績）
        count: 65
        count_precision: approximate
        location: 帰宅途中の電車内
        circumstances: かばんごと紛失
        reporter:
          name: 山田 太郎
          organization: 株式会社サンプル
        """

    /// The YAML report in CP932, as a Japanese Windows tool writes it.
    static var shiftJIS: [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        p.arguments = ["-f", "UTF-8", "-t", "CP932"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try! p.run()
        input.fileHandleForWriting.write(Data((yaml + "\nsubcontractor: ①株式会社テスト\n").utf8))
        try! input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(data)
    }

    @Test("JSON, YAML, UTF-8 with BOM and Shift_JIS files become cases with the right fields and their encoding")
    func formats() throws {
        let d = try DaemonHarness.started()
        try d.drop("a.json", Self.report)
        try d.drop("b.yaml", Self.yaml.replacingOccurrences(of: "kind: loss", with: "kind: tampering"))
        try d.drop("c.yml", [0xEF, 0xBB, 0xBF] + Array(Self.yaml.utf8))
        try d.drop("d.yaml", Self.shiftJIS)
        #expect(
            d.wait { d.files("accepted").count == 4 && d.files("incoming").isEmpty }, "\(d.files("incoming")) \(d.rejectedFiles) \(d.log)")
        #expect(d.files("incoming").isEmpty)

        let a = try #require(try d.caseFromFile("a.json"))
        #expect(a["information"]?.stringValue == "顧客名簿（氏名・住所）")
        #expect(a["count"]?.intValue == 1200)
        #expect(a["suspected"]?.boolValue == true)
        #expect(a["source"]?["channel"]?.stringValue == "spool")
        #expect(a["source"]?["encoding"]?.stringValue == "utf-8")
        #expect(a["source"]?["format"]?.stringValue == "json")
        #expect(a["source"]?["sha256"]?.stringValue?.count == 64)
        #expect(a["reported_by"]?["uid"]?.intValue == Int64(getuid()))

        let b = try #require(try d.caseFromFile("b.yaml"))
        #expect(b["kind"]?.stringValue == "tampering")
        #expect(b["count_precision"]?.stringValue == "approximate")
        #expect(b["reporter"]?["name"]?.stringValue == "山田 太郎")
        #expect(b["source"]?["format"]?.stringValue == "yaml")

        let c = try #require(try d.caseFromFile("c.yml"))
        #expect(c["source"]?["encoding"]?.stringValue == "utf-8-bom")
        #expect(c["information"]?.stringValue == "USBメモリ（児童65名分の成績）")

        let s = try #require(try d.caseFromFile("d.yaml"))
        #expect(s["source"]?["encoding"]?.stringValue == "shift_jis")
        #expect(s["information"]?.stringValue == "USBメモリ（児童65名分の成績）")
        #expect(s["location"]?.stringValue == "帰宅途中の電車内")
        #expect(s["subcontractor"]?.stringValue == "①株式会社テスト")
        #expect(s["reporter"]?["organization"]?.stringValue == "株式会社サンプル")
        let shown = try d.cli(["case", "show", try #require(s["id"]?.stringValue)])
        #expect(shown.stdout.contains("spool file d.yaml (yaml, shift_jis"), "\(shown.stdout)")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var code: String
        var field: String?
        var mentions: String
        var testDescription: String { "\(name): \(code)" }
    }

    static let bad: [Bad] = [
        Bad(
            name: "invalid.json", bytes: Array("{\"kind\": \"leak\", \"information\": \"名簿\",\n \"location\": }".utf8),
            code: "invalid_json", mentions: "line 2"),
        Bad(
            name: "types.json", bytes: Array(#"{"kind":"leak","information":"i","location":"l","circumstances":"c","count":"many"}"#.utf8),
            code: "wrong_type", field: "count", mentions: "count"),
        Bad(
            name: "missing.yaml", bytes: Array("kind: leak\ninformation: 名簿\ncircumstances: 誤送信\n".utf8),
            code: "missing_field", field: "location", mentions: "location"),
        Bad(
            name: "unknown.json", bytes: Array(#"{"kind":"leak","information":"i","locaton":"l","circumstances":"c"}"#.utf8),
            code: "unknown_field", field: "locaton", mentions: "location"),
        Bad(
            name: "junk.json", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48],
            code: "unsupported_format", mentions: "binary"),
        Bad(name: "empty.json", bytes: [], code: "empty_file", mentions: "empty"),
        Bad(
            name: "huge.json", bytes: Array(("{\"kind\":\"leak\",\"information\":\"" + String(repeating: "x", count: 70_000) + "\"}").utf8),
            code: "file_too_large", mentions: "65536"),
        Bad(
            name: "utf8.json",
            bytes: Array(#"{"kind":"leak","information":""#.utf8) + [0xC3, 0x28] + Array(#"","location":"l","circumstances":"c"}"#.utf8),
            code: "invalid_utf8", mentions: "offset 30"),
        Bad(name: "report.docx", bytes: Array("PK".utf8), code: "unsupported_format", mentions: ".docx"),
        Bad(name: "list.yaml", bytes: Array("- kind: leak\n- kind: loss\n".utf8), code: "wrong_type", mentions: "array"),
    ]

    @Test("each malformed file lands in rejected/ with a reason that names the problem, and an audit event")
    func malformed() throws {
        let d = try DaemonHarness(extra: "")
        // A small limit keeps the too-large file small.
        try
            (try String(contentsOfFile: d.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  dir: spool\n", with: "  dir: spool\n  max_file_size: 64KiB\n"))
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start()
        for b in Self.bad { try d.drop(b.name, b.bytes) }
        // Entries that must never be followed or read.
        symlink("/etc/shadow", d.spoolDir + "/incoming/link.json")
        mkfifo(d.spoolDir + "/incoming/pipe.json", 0o600)
        let expected = Self.bad.count + 2
        #expect(d.wait { d.rejectedFiles.count == expected }, "\(d.rejectedFiles) \(d.files("incoming"))")
        #expect(d.files("accepted").isEmpty)
        #expect(d.files("incoming").isEmpty)
        for b in Self.bad {
            let r = try d.reason(b.name)
            #expect(r["code"]?.stringValue == b.code, "\(b.name): \(r)")
            if let f = b.field { #expect(r["field"]?.stringValue == f, "\(b.name): \(r)") }
            #expect(r["message"]?.stringValue?.contains(b.mentions) == true, "\(b.name): \(r)")
            #expect(r["message_ja"]?.stringValue?.isEmpty == false)
            #expect(r["file"]?.stringValue == b.name)
            #expect(r["event_seq"]?.intValue != nil)
            // The rejected file itself is kept, byte for byte.
            #expect(FileManager.default.contents(atPath: d.spoolDir + "/rejected/" + b.name) == Data(b.bytes))
        }
        for (name, mentions) in [("link.json", "symbolic link"), ("pipe.json", "FIFO")] {
            let r = try d.reason(name)
            #expect(r["code"]?.stringValue == "unsafe_file")
            #expect(r["message"]?.stringValue?.contains(mentions) == true)
        }
        // The link was moved, not followed: it still points where it pointed.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: d.spoolDir + "/rejected/link.json")) == "/etc/shadow")

        // The daemon lists them with their reasons.
        let list = try d.cli(["spool", "list", "--json"])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = try JSONParser.parse(list.stdout)["files"]?.arrayValue ?? []
        #expect(listed.filter { $0["state"]?.stringValue == "rejected" }.count == expected)

        d.stop()
        let events = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM events WHERE type = 'spool.rejected'\"")
        #expect(events.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(expected)")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("files dropped while the daemon is down are taken at start; files still being written are left alone")
    func whileDown() throws {
        let d = try DaemonHarness()
        try d.drop("early.json", Self.report.replacingOccurrences(of: "spool-json-1", with: "early"))
        // A modification time in the future (a copy from a machine with a fast clock) does not hold a file back.
        try d.drop("future.json", Self.report.replacingOccurrences(of: "spool-json-1", with: "future"))
        _ = try DaemonHarness.shell("touch -d '+1 day' \(d.spoolDir)/incoming/future.json")
        try d.drop(".partial.json", "{\"kind\":")
        try d.drop("upload.json.tmp", "{\"kind\":")
        try d.start()
        #expect(d.wait { d.files("accepted").count == 2 })
        usleep(300_000)
        #expect(d.files("incoming") == ["upload.json.tmp"])  // plus the dotfile, which files() hides
        #expect(FileManager.default.fileExists(atPath: d.spoolDir + "/incoming/.partial.json"))
        // Renamed into a real name, it is taken.
        rename(d.spoolDir + "/incoming/upload.json.tmp", d.spoolDir + "/incoming/upload.json")
        #expect(d.wait { d.rejectedFiles == ["upload.json"] })
    }

    @Test("a file decided before a crash but not yet moved is moved, never opened twice")
    func crashBetweenCommitAndMove() throws {
        let d = try DaemonHarness.started()
        try d.drop("once.json", Self.report)
        #expect(d.wait { d.files("accepted").count == 1 })
        try d.drop("bad.json", "{")
        // Wait until both originals are gone: the daemon writes its copy first and removes the
        // reporter's file after, so a copy alone does not yet mean the work is done.
        #expect(d.wait { d.rejectedFiles.count == 1 && d.files("incoming").isEmpty })
        d.stop(signal: SIGKILL)
        // Put the files back as they were at the moment of the commit: same name, same bytes.
        let accepted = d.files("accepted")[0]
        try FileManager.default.copyItem(atPath: d.spoolDir + "/accepted/" + accepted, toPath: d.spoolDir + "/incoming/once.json")
        try FileManager.default.copyItem(atPath: d.spoolDir + "/rejected/bad.json", toPath: d.spoolDir + "/incoming/bad.json")
        try d.start()
        #expect(d.wait { d.files("incoming").isEmpty })
        let status = try d.call(["op": "status"])
        #expect(status["status"]?["cases"]?.intValue == 1)
        #expect(status["status"]?["events"]?.intValue == 2)  // case.opened + spool.rejected, nothing more
        #expect(d.files("accepted").count == 1)  // the same bytes under the same name are kept once
        #expect(d.rejectedFiles == ["bad.json"])  // likewise: one copy, one reason
        #expect(try d.reason("bad.json")["code"] == "invalid_json")
    }

    @Test("the reporter is the file's owner; an owner without the reporter role is refused", .enabled(if: getuid() == 0))
    func owner() throws {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [nobody]\n")
        try d.drop("nobody.json", Self.report, owner: 65534)
        try d.drop("daemon.json", Self.report.replacingOccurrences(of: "spool-json-1", with: "x"), owner: 1)  // daemon: no role
        #expect(d.wait { d.files("accepted").count == 1 && d.rejectedFiles.count == 1 })
        let c = try #require(try d.caseFromFile("nobody.json"))
        #expect(c["reported_by"]?["uid"]?.intValue == 65534)
        #expect(c["reported_by"]?["user"]?.stringValue == "nobody")
        let r = try d.reason("daemon.json")
        #expect(r["code"]?.stringValue == "forbidden")
        #expect(r["owner"]?["uid"]?.intValue == 1)
        // nobody sees their own accepted file, not the other one.
        let list = try d.cli(["spool", "list", "--all", "--json"], asUID: 65534)
        #expect(list.status == 0, "\(list.stderr)")
        let files = try JSONParser.parse(list.stdout)["files"]?.arrayValue ?? []
        #expect(files.count == 1)
        #expect(files.first?["case_id"]?.stringValue == c["id"]?.stringValue)
    }

    @Test("sokuho report queues in the spool when the daemon is down; the report becomes a case when it starts")
    func cliFallback() throws {
        let d = try DaemonHarness()
        let env = ["SOKUHO_SPOOL": d.spoolDir]
        try FileManager.default.createDirectory(atPath: d.spoolDir + "/tmp", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: d.spoolDir + "/incoming", withIntermediateDirectories: true)
        let run = try d.cli(
            [
                "report", "--kind", "loss", "--information", "ノートPC", "--location", "駅", "--circumstances", "置き忘れ",
                "--count", "unknown", "--no-prompt", "--report-id", "fallback-1",
            ], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Queued"))
        #expect(run.stdout.contains(d.spoolDir + "/incoming/"))
        #expect(d.files("incoming").count == 1)
        let listed = try d.cli(["spool", "list"], environment: env)
        #expect(listed.stdout.contains("WAITING"), "\(listed.stdout) \(listed.stderr)")

        try d.start()
        #expect(d.wait { d.files("accepted").count == 1 })
        let again = try d.cli(
            [
                "report", "--kind", "loss", "--information", "ノートPC", "--location", "駅", "--circumstances", "置き忘れ",
                "--no-prompt", "--report-id", "fallback-1", "--json",
            ], environment: env)
        let answer = try JSONParser.parse(again.stdout)
        #expect(answer["duplicate"]?.boolValue == true)  // the queued report is the same case
        #expect(answer["case"]?["information"]?.stringValue == "ノートPC")
        let all = try d.cli(["spool", "list", "--all"], environment: env)
        #expect(all.stdout.contains("→ INC-"), "\(all.stdout)")

        // With neither the daemon nor a writable spool, nothing is claimed.
        d.stop()
        let lost = try d.cli(
            ["report", "--kind", "loss", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"],
            environment: ["SOKUHO_SPOOL": d.dir + "/no-such-spool"])
        #expect(lost.status == 69)
        #expect(lost.stderr.contains("NOTHING WAS RECORDED"))
    }
}
