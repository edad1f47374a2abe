import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon when the machine misbehaves: a full disk, a database locked by another process,
/// a damaged database file. (The receiver down, slow or failing: EscalationTests.)
@Suite("Faults: full disk, locked database, damaged database")
struct FaultTests {
    static var canMount: Bool {
        guard getuid() == 0 else { return false }
        let dir = NSTemporaryDirectory() + "sokuho-mount-probe-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard (try? DaemonHarness.shell("mount -t tmpfs -o size=1m tmpfs \(dir)"))?.status == 0 else { return false }
        _ = try? DaemonHarness.shell("umount \(dir)")
        return true
    }

    /// Another process holding an exclusive lock on the daemon's database for `seconds`;
    /// returns once the lock is held.
    func holdLock(_ d: DaemonHarness, seconds: Int) throws -> Process {
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: EndpointHarness.python!)
        locker.arguments = [
            "-c",
            "import sqlite3,time; c=sqlite3.connect('\(d.dbPath)', isolation_level=None); c.execute('BEGIN EXCLUSIVE'); open('\(d.dir)/locked','w').close(); time.sleep(\(seconds)); c.execute('ROLLBACK')",
        ]
        try locker.run()
        try waitFor { FileManager.default.fileExists(atPath: d.dir + "/locked") }
        return locker
    }

    func report(_ d: DaemonHarness, _ rid: String) throws -> JSONValue {
        try d.call(["op": "report", "report": minimalReport(["report_id": .string(rid)])])
    }

    @Test("disk full: clear errors, no false acknowledgement, intake resumes when space returns", .enabled(if: FaultTests.canMount))
    func diskFull() throws {
        let d = try DaemonHarness()
        let state = d.dir + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        #expect(try DaemonHarness.shell("mount -t tmpfs -o size=4m tmpfs \(state)").status == 0)
        defer { d.stop(signal: SIGKILL); _ = try? DaemonHarness.shell("umount -l \(state)") }
        try d.start()
        #expect(try report(d, "before")["ok"] == true)
        // Fill the disk, leaving almost nothing.
        _ = try DaemonHarness.shell("dd if=/dev/zero of=\(state)/filler bs=64k 2>/dev/null; sync")
        var acknowledged: [String] = []
        var refused: [String] = []
        for i in 0..<200 {
            let rid = "full-\(i)"
            let r = try report(d, rid)
            if r["ok"] == true {
                acknowledged.append(rid)
            } else {
                refused.append(rid)
                #expect(r["error"]?["code"] == "storage_failure", "\(r)")
                #expect(r["error"]?["message"]?.stringValue?.contains("nothing was recorded") == true, "\(r)")
            }
            if refused.count >= 3 { break }
        }
        #expect(refused.count >= 3, "the disk never filled: \(acknowledged.count) acknowledged")
        // Space returns: intake resumes without a restart.
        try FileManager.default.removeItem(atPath: state + "/filler")
        try waitFor(timeout: 15) { (try? self.report(d, "after"))?["ok"] == true }
        // Every acknowledged report is there; no refused one is.
        for rid in ["before", "after"] + acknowledged {
            let again = try report(d, rid)
            #expect(again["duplicate"] == true, "acknowledged \(rid) is missing")
        }
        d.stop()
        let count = try DaemonHarness.shell(
            "sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM report_ids WHERE report_id IN (\(refused.map { "'\($0)'" }.joined(separator: ",")))\""
        )
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "a refused report was recorded")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test(
        "a database locked by another process: reports wait for it, then go through; nothing is acknowledged early",
        .enabled(if: EndpointHarness.python != nil))
    func lockedBriefly() throws {
        let d = try DaemonHarness.started()
        #expect(try report(d, "first")["ok"] == true)
        let locker = try holdLock(d, seconds: 2)
        let start = Date()
        let r = try report(d, "during-lock")
        #expect(r["ok"] == true, "\(r)")
        #expect(Date().timeIntervalSince(start) > 1, "answered before the lock was released")
        locker.waitUntilExit()
        #expect(try report(d, "during-lock")["duplicate"] == true)
    }

    @Test(
        "a database locked too long: a clear storage error, nothing recorded, intake resumes after",
        .enabled(if: EndpointHarness.python != nil))
    func lockedTooLong() throws {
        let d = try DaemonHarness.started()
        let locker = try holdLock(d, seconds: 13)
        let r = try report(d, "blocked")
        #expect(r["ok"] == false)
        #expect(r["error"]?["code"] == "storage_failure", "\(r)")
        #expect(r["error"]?["message"]?.stringValue?.contains("locked") == true, "\(r)")
        locker.waitUntilExit()
        let after = try report(d, "blocked")
        #expect(after["ok"] == true && after["duplicate"] == false, "\(after)")  // it was not recorded the first time
    }

    @Test("a damaged database: the daemon refuses to start and says what to do")
    func corrupt() throws {
        let d = try DaemonHarness.started()
        _ = try report(d, "x")
        d.stop()
        for f in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: d.dbPath + f) }
        try Data((0..<8192).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: d.dbPath))
        let refused = #expect(throws: HarnessError.self) { try d.start() }
        #expect(refused?.description.contains("exited with 74") == true, "\(String(describing: refused))")
        #expect(d.log.contains("damaged or not a Sokuho database"), "\(d.log)")
        #expect(d.log.contains("restore the last good backup"))
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status != 0)
    }
}
