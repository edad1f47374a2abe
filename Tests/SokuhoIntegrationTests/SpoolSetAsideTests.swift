import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Entries that cannot be handled are decided once and then left alone: no endless re-reading,
/// re-logging or retrying (robustness defect 7).
@Suite("Spool: what cannot be handled is set aside after one try")
struct SpoolSetAsideTests {
    static let report = minimalReport().canonicalString

    /// Puts a file into incoming/ so that only a full scan finds it: a hard link (inotify reports
    /// only its creation, which is ignored for regular files) whose other name is then removed.
    static func dropForScan(_ d: DaemonHarness, _ name: String, reportID: String) throws {
        let tmp = d.spoolDir + "/tmp/" + name
        try report.replacingOccurrences(of: "{", with: "{\"report_id\":\"\(reportID)\",", options: .anchored)
            .write(toFile: tmp, atomically: false, encoding: .utf8)
        chmod(tmp, 0o640)
        guard link(tmp, d.spoolDir + "/incoming/" + name) == 0 else { throw HarnessError("link: \(errno)") }
        unlink(tmp)
    }

    static func count(_ needle: String, in log: String) -> Int {
        log.components(separatedBy: needle).count - 1
    }

    @Test("a directory and a 250-byte name are each decided once, then skipped by every later scan")
    func decidedOnce() throws {
        let d = try DaemonHarness(extra: "")
        // scan_interval is set through the spool section of the harness's config
        let config = try String(contentsOfFile: d.configPath, encoding: .utf8)
            .replacingOccurrences(of: "spool:\n  dir: spool", with: "spool:\n  dir: spool\n  scan_interval: 1s")
        try config.write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start()
        try waitFor { FileManager.default.fileExists(atPath: d.spoolDir + "/incoming") }  // the spool service prepared it
        try FileManager.default.createDirectory(atPath: d.spoolDir + "/incoming/a-directory", withIntermediateDirectories: false)
        let long = String(repeating: "n", count: 245) + ".json"
        try d.drop(long, Self.report)
        try d.drop("fine.json", Self.report)
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 1 }
        // Two more files that only a full scan can find: once both are cases, at least two
        // scans have passed over the set-aside entries.
        try Self.dropForScan(d, "scan-1.json", reportID: "scan-1")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 2 }
        try Self.dropForScan(d, "scan-2.json", reportID: "scan-2")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 3 }
        let log = d.log
        #expect(Self.count("a-directory", in: log) == 1, "the directory is logged once: \(log)")
        #expect(Self.count("invalid-name-", in: log) >= 1)
        #expect(!log.contains(String(repeating: "n", count: 100)), "the long name is never logged")
        #expect(FileManager.default.fileExists(atPath: d.spoolDir + "/incoming/a-directory"), "a directory is never moved")
        #expect(d.rejectedFiles.filter { $0.hasPrefix("invalid-name-") }.count == 1)
        let rejections = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM events WHERE type = 'spool.rejected'\"")
        #expect(rejections.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "one rejection each, recorded once")
    }

    @Test("a file others may write is set aside: whoever owns it is not who wrote it (attack review finding 3)")
    func writableByOthers() throws {
        let d = try DaemonHarness.started()
        try d.drop("prepared.json", Array(Self.report.utf8), mode: 0o666)
        try waitFor { d.rejectedFiles == ["prepared.json"] }
        #expect(try d.reason("prepared.json")["code"] == "unsafe_file")
        #expect(try d.call(["op": "case.list"])["count"] == 0)
    }

    @Test("a rejected file that was read is kept as the daemon's read-only copy of the bytes it read (attack review finding 8)")
    func rejectedCopy() throws {
        let d = try DaemonHarness.started()
        try d.drop("broken.json", "{\"kind\":")
        try waitFor { d.rejectedFiles == ["broken.json"] && d.files("incoming").isEmpty }
        var st = stat()
        #expect(stat(d.spoolDir + "/rejected/broken.json", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o440)
        #expect(st.st_nlink == 1)
        #expect(try String(contentsOfFile: d.spoolDir + "/rejected/broken.json", encoding: .utf8) == "{\"kind\":")
    }

    @Test("one owner's flood of rejected entries is recorded at a bounded rate, and all are recorded in the end (attack review finding 6)")
    func rejectionFlood() throws {
        let d = try DaemonHarness.started()
        try waitFor { FileManager.default.fileExists(atPath: d.spoolDir + "/incoming") }
        for i in 0..<260 { mkdir(d.spoolDir + "/incoming/junk-\(i)", 0o755) }
        func recorded() -> Int {
            Int(
                (try? DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM events WHERE type = 'spool.rejected'\""))?
                    .stdout.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        try waitFor(timeout: 120) { d.log.contains("spool entries deferred") }
        #expect(recorded() < 260, "the burst was cut off")
        try waitFor(timeout: 180) { recorded() == 260 }
        #expect(d.log.components(separatedBy: "spool entries deferred").count - 1 < 5, "the deferral is logged, not each entry")
    }
}
