import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A hostile local user puts control sequences where a lead or the journal will see them: in
/// spool file names, in JSON keys, in report fields. What the CLI prints and what sokuhod logs
/// must show them as visible escapes.
@Suite("Terminal and log injection", .serialized)
struct InjectionTests {
    /// Spool file names: clear screen, window title + bell, carriage return over a forged line,
    /// DEL, C1 CSI, a right-to-left override, and a newline with a journald emergency priority.
    static let hostileNames = [
        "evil\u{1b}[2J\u{1b}]0;owned\u{7}.json",
        "a\rstate: closed (FORGED)\u{7f}\u{9b}31m.json",
        "invoice\u{202e}nosj.exe.json",
        "evil\n<0>FAKE emergency.json",
    ]

    @Test("case show, case list, spool list and the daemon's log show hostile names and keys escaped")
    func hostileSpoolAndReports() throws {
        let d = try DaemonHarness()
        try d.start(environment: ["JOURNAL_STREAM": "8:12345"])
        defer { d.stop() }
        let report = minimalReport().canonicalString
        for (i, name) in Self.hostileNames.enumerated() {
            try d.drop(name, report.replacingOccurrences(of: "{", with: "{\"report_id\":\"inj-\(i)\",", options: .anchored))
        }
        // a raw C1 CSI byte (0x9b) in a name that is not UTF-8 at all
        try InjectionFiles.dropRaw(d, name: Array("raw".utf8) + [0x9b] + Array("2J.json".utf8), Array(report.utf8))
        // a JSON key with control characters: refused, and the reason names it
        try d.drop(
            "badkey.json",
            "{\"kind\":\"leak\",\"information\":\"i\",\"location\":\"l\",\"circumstances\":\"c\",\"x\\u001b]0;t\\u0007\\r\\u009b\":1}")
        try waitFor(timeout: 30) { d.files("incoming").isEmpty && d.rejectedFiles.count >= 6 }
        // Names that could forge a screen or a log line are never taken as they are: each is set
        // aside unread under a safe name, and its case is never opened.
        #expect(d.files("accepted").isEmpty, "\(d.files("accepted"))")
        #expect(d.rejectedFiles.filter { $0.hasPrefix("invalid-name-") }.count == 5, "\(d.rejectedFiles)")
        // One still being written in tmp/ is listed under its own name: escaped.
        try InjectionFiles.dropRaw(d, name: Array(Self.hostileNames[0].utf8), Array(report.utf8), directory: "tmp")
        // A case with ordinary text, to show.
        _ = try d.call(["op": "report", "report": minimalReport(["report_id": "plain"])])

        // reports over the socket with such characters are refused, naming the field
        for bad in ["a\rstate: closed (FORGED)", "x\u{9b}2J", "x\u{7f}", "evil\u{202e}txt", "x\u{1b}[2J"] {
            let r = try d.call(["op": "report", "report": minimalReport(["circumstances": .string(bad)])])
            #expect(r["ok"]?.boolValue == false)
            #expect(r["error"]?["field"]?.stringValue == "circumstances")
        }
        let idRefused = try d.call(["op": "report", "report": minimalReport(["report_id": "id\n<0>forged"])])
        #expect(idRefused["error"]?["field"]?.stringValue == "report_id")

        let spool = try d.cli(["spool", "list", "--all"], environment: ["SOKUHO_SPOOL": d.spoolDir])
        #expect(spool.status == 0, "\(spool.stderr)")
        InjectionFiles.expectSafe(spool.stdout, "spool list")
        InjectionFiles.expectSafe(spool.stderr, "spool list (stderr)")
        #expect(spool.stdout.contains("invalid-name-"), "\(spool.stdout)")
        #expect(spool.stdout.contains("evil\\x1b[2J\\x1b]0;owned\\x07.json"), "the file in tmp/, escaped: \(spool.stdout)")
        #expect(spool.stdout.contains("x\\x1b]0;t\\x07\\r\\u{9b}"), "the refused key, escaped: \(spool.stdout)")

        let json = try d.cli(["spool", "list", "--all", "--json"], environment: ["SOKUHO_SPOOL": d.spoolDir])
        InjectionFiles.expectSafe(json.stdout, "spool list --json")
        let parsed = try JSONParser.parse(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let names = (parsed["files"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(names.contains { $0.contains("evil\u{1b}[2J") }, "JSON keeps the exact name of the file in tmp/: \(names)")

        let list = try d.cli(["case", "list"])
        #expect(list.status == 0, "\(list.stderr)")
        InjectionFiles.expectSafe(list.stdout, "case list")
        let ids = (try d.call(["op": "case.list"])["cases"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 1)
        for id in ids {
            for args in [["case", "show", id], ["steps", id], ["instruction", "list", id], ["case", "report", id]] {
                let out = try d.cli(args)
                #expect(out.status == 0, "\(args): \(out.stderr)")
                InjectionFiles.expectSafe(out.stdout, args.joined(separator: " "))
            }
            let showJSON = try d.cli(["case", "show", id, "--json"])
            InjectionFiles.expectSafe(showJSON.stdout, "case show --json")
            #expect(throws: Never.self) { try JSONParser.parse(showJSON.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }

        for args in [["outbox", "list"], ["status"]] {
            let out = try d.cli(args)
            InjectionFiles.expectSafe(out.stdout + out.stderr, args.joined(separator: " "))
        }

        // the journal: one line per log call, each starting with its priority; nothing forged
        let log = d.log
        InjectionFiles.expectSafe(log, "sokuhod log")
        let lines = log.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.range(of: #"^<[2-7]>level=[a-z]+ .*msg="#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(!lines.contains { $0.hasPrefix("<0>") || $0.hasPrefix("FAKE") })
        #expect(!log.contains("FAKE emergency"), "a hostile name is never logged: \(log)")
        #expect(log.contains("invalid-name-"))
    }
}

enum InjectionFiles {
    /// A spool drop whose name is raw bytes (need not be UTF-8).
    /// Writes a file named by raw bytes in tmp/ and, unless `directory` is "tmp", renames it there.
    static func dropRaw(_ d: DaemonHarness, name: [UInt8], _ bytes: [UInt8], directory: String = "incoming") throws {
        for sub in ["tmp", "incoming"] {
            try FileManager.default.createDirectory(atPath: d.spoolDir + "/" + sub, withIntermediateDirectories: true)
        }
        func path(_ sub: String) -> [CChar] { (Array((d.spoolDir + "/" + sub + "/").utf8) + name + [0]).map { CChar(bitPattern: $0) } }
        let fd = open(path("tmp"), O_WRONLY | O_CREAT | O_EXCL, 0o640)
        guard fd >= 0 else { throw HarnessError("open: \(String(cString: strerror(errno)))") }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if directory == "tmp" { return }
        guard rename(path("tmp"), path(directory)) == 0 else { throw HarnessError("rename: \(String(cString: strerror(errno)))") }
    }

    /// No byte below 0x20 but newline (and tab), no DEL, no C1 control, no bidi control.
    static func expectSafe(_ text: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bad = text.unicodeScalars.filter { u in
            (u.value < 0x20 && u != "\n" && u != "\t") || (0x7F...0x9F).contains(u.value)
                || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
        }
        #expect(
            bad.isEmpty, "\(what) prints \(bad.map { "U+" + String($0.value, radix: 16) }): \(text.debugDescription)",
            sourceLocation: sourceLocation)
    }
}
