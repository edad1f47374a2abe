import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `sokuho backup --to FILE`: a consistent, verified copy while the daemon writes; as the
/// operator, as a second user, and as an attacker who prepares the destination.
@Suite("sokuho backup")
struct BackupTests {
    /// Sends reports on new connections until stopped; counts the accepted ones.
    final class Load: @unchecked Sendable {
        let running = Atomic<Bool>(true)
        let accepted = Atomic<Int>(0)
        let finished = DispatchSemaphore(value: 0)

        init(_ d: DaemonHarness) {
            let socket = d.socketPath
            Thread.detachNewThread { [self] in
                while running.load(ordering: .relaxed) {
                    if let c = try? ControlClient(path: socket, timeoutSeconds: 20),
                        let r = try? c.call(["op": "report", "report": minimalReport()]), r["ok"] == true
                    {
                        accepted.add(1, ordering: .relaxed)
                    }
                }
                finished.signal()
            }
        }

        func stop() -> Int {
            running.store(false, ordering: .relaxed)
            finished.wait()
            return accepted.load(ordering: .relaxed)
        }
    }

    func backupDir() throws -> String {
        var template = Array("/tmp/sokuho-backup-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        return String(cString: p)
    }

    @Test("under write load every backup verifies, prints its chain head, and holds more events than the one before")
    func underLoad() throws {
        let d = try DaemonHarness()
        try d.start()
        let dir = try backupDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let load = Load(d)
        // Wait for the load to be under way (an event), then back up while it runs.
        try waitFor { load.accepted.load(ordering: .relaxed) >= 5 }
        var previous = 0
        for i in 0..<5 {
            let file = "\(dir)/sokuho-\(i).db"
            let r = try d.cli(["backup", "--config", d.configPath, "--to", file])
            #expect(r.status == 0, "backup \(i): \(r.stderr)")
            #expect(r.stdout.contains("chain head: "), "\(r.stdout)")
            let verify = try d.cli(["audit", "verify", "--db", file, "--json"])
            #expect(verify.status == 0, "verify \(i): \(verify.stdout) \(verify.stderr)")
            let v = try JSONParser.parse(verify.stdout)
            #expect(v["ok"] == true)
            let head = try #require(v["head_hash"]?.stringValue)
            #expect(r.stdout.contains(head), "the printed chain head is the copy's")
            let events = Int(v["events"]?.intValue ?? 0)
            #expect(events >= previous)
            previous = events
            // Let at least one more report land before the next copy (an event, not a delay).
            let before = load.accepted.load(ordering: .relaxed)
            try waitFor { load.accepted.load(ordering: .relaxed) > before }
        }
        let total = load.stop()
        #expect(total > 5)
        // Nothing but the five copies in the directory: no temporary file, no -wal or -shm.
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == (0..<5).map { "sokuho-\($0).db" })
        // A copy opens with the daemon like the original (a restore).
        let restored = try DaemonHarness()
        try FileManager.default.createDirectory(atPath: restored.dir + "/state", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(dir)/sokuho-4.db", toPath: restored.dbPath)
        try restored.start()
        let status = try restored.call(["op": "status"])
        #expect((status["status"]?["events"]?.intValue ?? 0) == Int64(previous))
    }

    @Test("a second user can read neither the copy nor, without access to the database, make one")
    func secondUser() throws {
        let d = try DaemonHarness()
        try d.start()
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
        let dir = try backupDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o1777)
        let file = dir + "/copy.db"
        let r = try d.cli(["backup", "--db", d.dbPath, "--to", file])
        #expect(r.status == 0, "\(r.stderr)")
        var st = stat()
        #expect(stat(file, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(st.st_uid == getuid())
        guard getuid() == 0 else { return }
        let nobody: UInt32 = 65534
        let read = try DaemonHarness.shell("setpriv --reuid=\(nobody) --regid=\(nobody) --clear-groups cat \(file) >/dev/null")
        #expect(read.status != 0, "another user read the backup")
        // The state directory is 0750: another user cannot copy the database at all, and nothing is written.
        let theirs = try d.cli(["backup", "--db", d.dbPath, "--to", dir + "/theirs.db"], asUID: nobody)
        #expect(theirs.status == 74 || theirs.status == 73, "\(theirs.status) \(theirs.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/theirs.db"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["copy.db"])
    }

    @Test("an attacker's prepared destination is refused: an existing file, a link to a file, a dangling link, a directory")
    func preparedDestination() throws {
        let d = try DaemonHarness()
        try d.start()
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
        let dir = try backupDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim.txt"
        try "important\n".write(toFile: victim, atomically: true, encoding: .utf8)
        symlink(victim, dir + "/link-to-file.db")
        symlink(dir + "/would-be-created", dir + "/dangling.db")
        mkdir(dir + "/a-directory.db", 0o755)
        for target in [victim, dir + "/link-to-file.db", dir + "/dangling.db", dir + "/a-directory.db"] {
            let r = try d.cli(["backup", "--db", d.dbPath, "--to", target])
            #expect(r.status == 73, "\(target): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("already exists"), "\(r.stderr)")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "important\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/would-be-created"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
                "a-directory.db", "dangling.db", "link-to-file.db", "victim.txt",
            ])
        // A database that is not one (an attacker's file passed as --db) is refused, nothing written.
        let bogus = dir + "/bogus.db"
        try "not a database".write(toFile: bogus, atomically: true, encoding: .utf8)
        let r = try d.cli(["backup", "--db", bogus, "--to", dir + "/out.db"])
        #expect(r.status != 0)
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.db"))
    }
    @Test("a destination directory another user can change is refused before anything is written (a swap to a symlink would leak the copy)")
    func directoryAnotherUserControls() throws {
        let d = try DaemonHarness()
        try d.start()
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
        let dir = try backupDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Writable by everyone, no sticky bit: anyone may rename the temporary copy away and put a
        // symbolic link in its place before SQLite opens it by name.
        let open = dir + "/open"
        mkdir(open, 0o755)
        chmod(open, 0o777)
        var targets = [open]
        if getuid() == 0 {
            // Owned by another user (who may rename and replace entries), and a directory of
            // root's inside one owned by another user (who may swap the directory itself).
            let theirs = dir + "/theirs"
            mkdir(theirs, 0o755)
            chown(theirs, 65534, 65534)
            let inside = theirs + "/mine"
            mkdir(inside, 0o700)
            targets += [theirs, inside]
        }
        for target in targets {
            let r = try d.cli(["backup", "--db", d.dbPath, "--to", target + "/copy.db"])
            #expect(r.status == 73, "\(target): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("another user"), "\(r.stderr)")
            let left = try FileManager.default.contentsOfDirectory(atPath: target).filter { $0 != "mine" }
            #expect(left.isEmpty, "\(target): \(left)")
        }
        guard getuid() == 0 else { return }
        // A directory of the database's owner is trusted (root backing up sokuho's database into
        // /var/lib/sokuho/backup): that user can read the database anyway.
        let source = dir + "/source.db"
        #expect(try d.cli(["backup", "--db", d.dbPath, "--to", source]).status == 0)
        chown(source, 65534, 65534)
        let r = try d.cli(["backup", "--db", source, "--to", dir + "/theirs/copy.db"])
        #expect(r.status == 0, "\(r.stderr)")
    }
}
