import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hundreds of files landing at once in the real daemon's spool, which takes many of them
/// together: as a user, as an attacker, and under SIGKILL.
@Suite("Spool bursts: many files at once, each exactly once")
struct SpoolBurstDaemonTests {
    /// Writes every file in tmp/ first, then renames them all into incoming/ at once.
    static func burst(_ d: DaemonHarness, _ files: [(name: String, bytes: [UInt8])]) throws {
        for sub in ["tmp", "incoming"] {
            try FileManager.default.createDirectory(atPath: d.spoolDir + "/" + sub, withIntermediateDirectories: true)
        }
        for f in files {
            guard FileManager.default.createFile(atPath: d.spoolDir + "/tmp/" + f.name, contents: Data(f.bytes)) else {
                throw HarnessError("cannot write \(f.name)")
            }
            chmod(d.spoolDir + "/tmp/" + f.name, 0o640)
        }
        for f in files where rename(d.spoolDir + "/tmp/" + f.name, d.spoolDir + "/incoming/" + f.name) != 0 {
            throw HarnessError("rename \(f.name): \(String(cString: strerror(errno)))")
        }
    }

    static func report(_ i: Int, reportID: String? = nil) -> [UInt8] {
        var extra: [String: JSONValue] = ["count": .int(Int64(i)), "information": .string("名簿 \(i)")]
        if let reportID { extra["report_id"] = .string(reportID) }
        return minimalReport(extra).canonicalBytes
    }

    static func sql(_ d: DaemonHarness, _ query: String) throws -> String {
        try DaemonHarness.shell("sqlite3 \(d.dbPath) \"\(query)\"").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every entry of `dir`, hidden ones included (temporary copies left behind would show here).
    static func allEntries(_ dir: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    }

    @Test("300 files renamed in at once all become cases, each once, each holding its own file's report")
    func userBurst() throws {
        let d = try DaemonHarness.started()
        let total = 300
        try Self.burst(d, (0..<total).map { (String(format: "burst-%04d.json", $0), Self.report($0)) })
        #expect(
            d.wait(timeout: 120) { d.files("accepted").count == total && d.files("incoming").isEmpty }, "\(d.files("incoming").count) left")
        let accepted = d.files("accepted")
        let names = accepted.map { String($0[$0.range(of: "--")!.upperBound...]) }
        #expect(Set(names) == Set((0..<total).map { String(format: "burst-%04d.json", $0) }))
        #expect(Set(accepted.map { String($0[..<$0.range(of: "--")!.lowerBound]) }).count == total, "one case per file")
        #expect(d.rejectedFiles.isEmpty)
        #expect(Self.allEntries(d.spoolDir + "/accepted").count == total, "no temporary copies are left behind")
        // Each copy holds exactly its own file's bytes.
        for name in accepted {
            let i = Int(name.split(separator: "-").last!.prefix(4))!
            #expect(FileManager.default.contents(atPath: d.spoolDir + "/accepted/" + name) == Data(Self.report(i)), "\(name)")
        }
        #expect(try d.call(["op": "status"])["status"]?["cases"]?.intValue == Int64(total))
        d.stop()
        // One case.opened per file, each case holding its file's count.
        #expect(
            try Self.sql(d, "SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.source.file')) FROM events WHERE type = 'case.opened'")
                == "\(total)|\(total)")
        #expect(
            try Self.sql(
                d,
                "SELECT COUNT(*) FROM events WHERE type = 'case.opened' AND "
                    + "CAST(substr(json_extract(data, '$.source.file'), 7, 4) AS INTEGER) != json_extract(data, '$.report.count')") == "0")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("a hostile burst — invalid files, bad names, links, a FIFO, a directory, clashing names — is accounted for entry by entry")
    func attackerBurst() throws {
        let d = try DaemonHarness(extra: "")
        try
            (try String(contentsOfFile: d.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  dir: spool\n", with: "  dir: spool\n  max_file_size: 64KiB\n  scan_interval: 1s\n"))
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try d.start()
        // A rejected x.json already exists, so the burst's x.json and x-2.json compete for names.
        try d.drop("x.json", "{")
        #expect(d.wait { d.rejectedFiles == ["x.json"] })

        var files: [(name: String, bytes: [UInt8])] = []
        for i in 0..<120 { files.append((String(format: "good-%04d.json", i), Self.report(i))) }
        // Two files with one report_id: one case.
        files.append(("twin-a.json", Self.report(500, reportID: "twin")))
        files.append(("twin-b.json", Self.report(500, reportID: "twin")))
        let bad: [[UInt8]] = [Array("{\"kind\":".utf8), [], [0xFF, 0xFE, 0x00], Array("- a\n- b\n".utf8), Array("kind: leak\n".utf8)]
        for i in 0..<40 { files.append((String(format: "bad-%04d.json", i), bad[i % bad.count] + Array(" \(i)".utf8))) }
        files.append(("x.json", Array("{ clash 1".utf8)))
        files.append(("x-2.json", Array("{ clash 2".utf8)))
        files.append(("huge.json", [UInt8](repeating: 0x20, count: 70_000)))
        files.append(("ctl\u{1B}[31m.json", Self.report(600)))
        files.append((String(repeating: "n", count: 230) + ".json", Self.report(601)))
        try Self.burst(d, files)
        let incoming = d.spoolDir + "/incoming/"
        symlink("/etc/shadow", incoming + "link.json")
        mkfifo(incoming + "pipe.json", 0o600)
        mkdir(incoming + "dir.json", 0o700)
        FileManager.default.createFile(atPath: d.spoolDir + "/tmp/linked.json", contents: Data(Self.report(700)))
        link(d.spoolDir + "/tmp/linked.json", incoming + "linked.json")
        // A hard link is found by a scan (inotify reports only its creation): scans run every second.
        // Not UTF-8: its name is never kept.
        let rawName = (Array(incoming.utf8) + [0x66, 0xFF, 0x2E, 0x6A, 0x73, 0x6F, 0x6E, 0]).map { CChar(bitPattern: $0) }
        let fd = open(rawName, O_WRONLY | O_CREAT | O_EXCL, 0o640)
        #expect(fd >= 0)
        if fd >= 0 {
            _ = Self.report(800).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }

        // Accepted: the good files and one twin; rejected: every other entry but the directory.
        let acceptedCount = 122
        let rejectedCount = 1 + 40 + 2 + 1 + 2 + 3 + 1  // x.json before, bad, clashes, huge, two names, link+pipe+hard link, non-UTF-8
        #expect(
            d.wait(timeout: 120) { d.files("accepted").count == acceptedCount && d.rejectedFiles.count == rejectedCount },
            "\(d.files("accepted").count) accepted, \(d.rejectedFiles.count) rejected; incoming: \(d.files("incoming").prefix(5))")
        #expect(d.files("incoming") == ["dir.json"], "only the directory stays")
        // Every rejected file's bytes are kept once, under its own name or a counted one.
        let kept = d.rejectedFiles.compactMap { FileManager.default.contents(atPath: d.spoolDir + "/rejected/" + $0) }
        for f in files where f.name.hasPrefix("bad-") || f.name.hasPrefix("x") || f.name == "huge.json" {
            #expect(kept.filter { $0 == Data(f.bytes) }.count == 1, "\(f.name)")
        }
        for name in d.rejectedFiles { #expect(FileManager.default.fileExists(atPath: d.spoolDir + "/rejected/" + name + ".error.json")) }
        #expect(d.rejectedFiles.filter { $0.hasPrefix("invalid-name-") }.count == 3)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: d.spoolDir + "/rejected/link.json")) == "/etc/shadow")
        #expect(try d.call(["op": "status"])["status"]?["cases"]?.intValue == 121)  // the twins are one case
        d.stop()
        #expect(try Self.sql(d, "SELECT COUNT(*) FROM events WHERE type = 'spool.rejected'") == "\(rejectedCount + 1)")  // + the directory
        #expect(try Self.sql(d, "SELECT COUNT(*) FROM events WHERE type = 'case.opened'") == "121")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("SIGKILL in the middle of bursts: every file is still decided exactly once, one case each")
    func crashDuringBurst() throws {
        let d = try DaemonHarness.started()
        let bursts = 8, size = 60
        let total = bursts * size
        let writerDone = DispatchSemaphore(value: 0)
        let failure = LockedBox<String?>(nil)
        DispatchQueue.global().async {
            defer { writerDone.signal() }
            for b in 0..<bursts {
                let files = (b * size..<(b + 1) * size).map { (SpoolCrashTests.name($0), SpoolCrashTests.content($0).bytes) }
                do { try Self.burst(d, files) } catch { failure.set("burst \(b): \(error)"); return }
                usleep(UInt32.random(in: 20_000...150_000))
            }
        }
        var kills = try d.killRepeatedly(until: writerDone.wait(timeout:), every: 30...200, pause: 0...30_000)
        if let f = failure.value { Issue.record(Comment(rawValue: f)); return }
        // One more kill while the last burst is being taken.
        d.stop(signal: SIGKILL)
        kills += 1
        try d.start()
        #expect(d.wait(timeout: 120) { d.files("incoming").isEmpty }, "left in incoming/: \(d.files("incoming").prefix(10))")

        let good = Set((0..<total).filter { SpoolCrashTests.content($0).good }.map(SpoolCrashTests.name))
        let bad = Set((0..<total).filter { !SpoolCrashTests.content($0).good }.map(SpoolCrashTests.name))
        let acceptedNames = d.files("accepted").map { String($0[$0.range(of: "--")!.upperBound...]) }
        #expect(acceptedNames.count == good.count, "kills \(kills): a file was accepted twice, or not at all")
        #expect(Set(acceptedNames) == good)
        #expect(Set(d.rejectedFiles) == bad)
        #expect(d.rejectedFiles.count == bad.count)
        #expect(try d.call(["op": "status"])["status"]?["cases"]?.intValue == Int64(good.count))
        d.stop()
        #expect(
            try Self.sql(d, "SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.source.file')) FROM events WHERE type = 'case.opened'")
                == "\(good.count)|\(good.count)")
        #expect(try Self.sql(d, "SELECT COUNT(*) FROM events WHERE type = 'spool.rejected'") == "\(bad.count)")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
        print("spool burst crash test: \(total) files in \(bursts) bursts, \(kills) SIGKILLs")
    }
}
