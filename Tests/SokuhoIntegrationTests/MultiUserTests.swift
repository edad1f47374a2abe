import Foundation
import SokuhoCore
import Testing

/// Real local users, as on a contractor's server: reporters alice and bob (the group of
/// reporters), the spool's directories made exactly as `systemd/sokuho.tmpfiles.conf` says
/// (modes, groups and ACLs). Needs root (CI runs as root), useradd, setfacl and setpriv.
enum LocalUsers {
    static let alice = "sokuho-t-alice"
    static let bob = "sokuho-t-bob"
    static let reporters = "sokuho-t-reporters"
    /// Stands for the group `sokuho`, which only the daemon's user is in.
    static let daemonGroup = "sokuho-t-daemon"

    static let available: Bool = {
        guard getuid() == 0 else { return false }
        for tool in ["/usr/sbin/useradd", "/usr/sbin/groupadd", "/usr/bin/setfacl", "/usr/bin/setpriv"]
        where !FileManager.default.isExecutableFile(atPath: tool) { return false }
        return (try? ensure()) != nil
    }()

    /// Creates the users and groups once (kept between runs; harmless system accounts).
    static func ensure() throws {
        for g in [reporters, daemonGroup] { _ = try DaemonHarness.shell("getent group \(g) >/dev/null || groupadd -r \(g)") }
        for u in [alice, bob] {
            let r = try DaemonHarness.shell("id \(u) >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin -G \(reporters) \(u)")
            if r.status != 0 { throw HarnessError("useradd \(u): \(r.stderr)") }
        }
    }

    static func uid(_ user: String) -> UInt32 {
        UInt32(
            (try? DaemonHarness.shell("id -u \(user)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { UInt32($0) } ?? 0)
    }

    /// Runs a shell command as `user`, with that user's groups.
    static func run(_ user: String, _ command: String) throws -> DaemonHarness.Run {
        let quoted = command.replacingOccurrences(of: "'", with: "'\\''")
        return try DaemonHarness.shell("cd / && setpriv --reuid=\(user) --regid=\(user) --init-groups sh -c '\(quoted)'")
    }

    /// Makes `spool` as the shipped tmpfiles.conf makes /var/spool/sokuho: its `d` and `a+` lines,
    /// with the test's path, users and groups.
    static func makeSpool(_ spool: String) throws {
        let conf = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("systemd/sokuho.tmpfiles.conf").path
        let text = try String(contentsOfFile: conf, encoding: .utf8)
        func map(_ name: String) -> String {
            switch name {
            case "sokuho": daemonGroup
            case "sokuho-reporters": reporters
            default: name
            }
        }
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard f.count >= 2, f[1].hasPrefix("/var/spool/sokuho") else { continue }
            let path = spool + f[1].dropFirst("/var/spool/sokuho".count)
            switch f[0] {
            case "d":
                _ = try DaemonHarness.shell("mkdir -p '\(path)'")
                let group = map(f[4])
                let r = try DaemonHarness.shell("chown root:\(group) '\(path)' && chmod \(f[2]) '\(path)'")
                if r.status != 0 { throw HarnessError("\(line): \(r.stderr)") }
            case "a+":
                let acl = f[6].replacingOccurrences(of: "sokuho-reporters", with: reporters)
                let r = try DaemonHarness.shell("setfacl -m '\(acl)' '\(path)'")
                if r.status != 0 { throw HarnessError("\(line): \(r.stderr)") }
            default: continue
            }
        }
    }
}

@Suite(
    "Several local users: nobody reads, replaces or suppresses another's report",
    .serialized, .enabled(if: LocalUsers.available))
struct MultiUserTests {
    func daemon() throws -> DaemonHarness {
        let d = try DaemonHarness(roles: "  reporter:\n    groups: [\(LocalUsers.reporters)]\n")
        try LocalUsers.makeSpool(d.dir + "/spool")
        try d.start()
        return d
    }

    /// The documented shell recipe (docs/spool.md), up to but not including the rename.
    static func prepareDrop(_ d: DaemonHarness, as user: String, yaml: String) throws -> String {
        let r = try LocalUsers.run(
            user,
            """
            f=$(mktemp -p \(d.dir)/spool/tmp --suffix=.yaml report.XXXXXXXXXX) && printf '%s\\n' "\(yaml)" > "$f" && chmod 640 "$f" && echo "$f"
            """)
        guard r.status == 0 else { throw HarnessError("drop as \(user): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func report(_ information: String, reportID: String? = nil) -> String {
        var y = "kind: loss\ninformation: \(information)\nlocation: 本社\ncircumstances: 紛失"
        if let reportID { y += "\nreport_id: \(reportID)" }
        return y
    }

    @Test("bob can neither list, read nor replace alice's drop; the daemon reads it (isolation defect 4)")
    func dropsArePrivate() throws {
        let d = try daemon()
        let f = try Self.prepareDrop(d, as: LocalUsers.alice, yaml: Self.report("アリスの名簿"))
        let name = (f as NSString).lastPathComponent
        #expect(try LocalUsers.run(LocalUsers.bob, "ls \(d.dir)/spool/tmp").status != 0, "bob may not list the drop box")
        let read = try LocalUsers.run(LocalUsers.bob, "cat \(f)")
        #expect(read.status != 0, "bob read alice's drop: \(read.stdout)")
        #expect(!read.stdout.contains("アリス"))
        #expect(try LocalUsers.run(LocalUsers.bob, "rm -f \(f) || true; test -e \(f)").status == 0, "bob cannot remove it (sticky)")
        #expect(try LocalUsers.run(LocalUsers.bob, "mv \(f) \(d.dir)/spool/tmp/stolen.yaml").status != 0)
        // Pre-creating a name: bob prepares a world-writable file; alice's recipe never writes into it.
        _ = try LocalUsers.run(LocalUsers.bob, "touch \(d.dir)/spool/tmp/report.trap.yaml && chmod 666 \(d.dir)/spool/tmp/report.trap.yaml")
        let mv = try LocalUsers.run(LocalUsers.alice, "mv \(f) \(d.dir)/spool/incoming/")
        #expect(mv.status == 0, "\(mv.stderr)")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 1 }
        let c = try d.call(["op": "case.list"])["cases"]?.arrayValue?.first
        #expect(c?["information"] == "アリスの名簿")
        let trap = try DaemonHarness.shell("cat \(d.dir)/spool/tmp/report.trap.yaml").stdout
        #expect(trap.isEmpty, "nothing of alice's went into bob's file")
        // The default ACL made the file group-readable for the daemon and nobody else.
        let accepted = try DaemonHarness.shell("ls \(d.dir)/spool/accepted").stdout
        #expect(accepted.contains(name))
    }

    @Test("sokuho spool drop: a fresh O_EXCL name, readable by the daemon and nobody else")
    func spoolDropCommand() throws {
        let d = try daemon()
        let src = "/tmp/sokuho-t-alice-report-\(getpid()).yaml"
        try Self.report("コマンドで提出").write(toFile: src, atomically: true, encoding: .utf8)
        chmod(src, 0o644)
        defer { unlink(src) }
        // The daemon is stopped, so the file waits in incoming/ where bob tries to read it.
        d.stop()
        let r = try LocalUsers.run(LocalUsers.alice, "\(DaemonHarness.sokuho) spool drop --spool-dir \(d.dir)/spool --json \(src)")
        #expect(r.status == 0, "\(r.stderr)")
        let path = try #require(try JSONParser.parse(r.stdout)["path"]?.stringValue)
        #expect(try LocalUsers.run(LocalUsers.bob, "cat \(path)").status != 0, "bob reads alice's drop")
        let mode = try DaemonHarness.shell("stat -c '%U %a' \(path)").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(mode == "\(LocalUsers.alice) 640")
        try d.start()
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 1 }
        let c = try d.call(["op": "case.list"])["cases"]?.arrayValue?.first
        #expect(c?["information"] == "コマンドで提出")
        #expect(c?["reported_by"]?["uid"]?.intValue == Int64(LocalUsers.uid(LocalUsers.alice)))
    }

    @Test("a name bob prepared in incoming/ cannot steal alice's report")
    func preparedName() throws {
        let d = try daemon()
        let name = "yamada-20261128-1030.txt"
        // While the daemon is down (or busy), bob prepares the name alice will use, writable by
        // everyone, and alice's editor writes her report into it.
        d.stop()
        let prep = try LocalUsers.run(LocalUsers.bob, "touch \(d.dir)/spool/incoming/\(name) && chmod 666 \(d.dir)/spool/incoming/\(name)")
        #expect(prep.status == 0, "\(prep.stderr)")
        let write = try LocalUsers.run(LocalUsers.alice, "printf '%s\\n' '\(Self.report("アリスの本当の報告"))' > \(d.dir)/spool/incoming/\(name)")
        #expect(write.status == 0, "\(write.stderr)")
        try d.start()
        try waitFor { (try? d.call(["op": "spool.list"]))?["files"]?.arrayValue?.contains { $0["state"] == "rejected" } == true }
        let rejected = try #require(try d.call(["op": "spool.list"])["files"]?.arrayValue?.first { $0["state"] == "rejected" })
        #expect(rejected["reason"]?["code"] == "unsafe_file")
        #expect(try d.call(["op": "case.list"])["count"] == 0, "no case opened as bob's with alice's text")
    }

    @Test("a hard-linked drop is refused; an accepted file is the daemon's own read-only copy (isolation defect 5)")
    func evidenceCannotChange() throws {
        let d = try daemon()
        // A second name kept by the reporter: refused unread.
        let f = try Self.prepareDrop(d, as: LocalUsers.alice, yaml: Self.report("リンク"))
        let link = try LocalUsers.run(LocalUsers.alice, "ln \(f) \(f).keep && mv \(f) \(d.dir)/spool/incoming/")
        #expect(link.status == 0, "\(link.stderr)")
        try waitFor { (try? d.call(["op": "spool.list"]))?["files"]?.arrayValue?.contains { $0["state"] == "rejected" } == true }
        let rejected = try #require(try d.call(["op": "spool.list"])["files"]?.arrayValue?.first { $0["state"] == "rejected" })
        #expect(rejected["reason"]?["code"] == "unsafe_file")
        #expect(try d.call(["op": "case.list"])["count"] == 0)
        // A plain drop: accepted, and the copy in accepted/ belongs to the daemon, 0440, one name.
        let g = try Self.prepareDrop(d, as: LocalUsers.alice, yaml: Self.report("本物"))
        _ = try LocalUsers.run(LocalUsers.alice, "mv \(g) \(d.dir)/spool/incoming/")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 1 }
        let name = (g as NSString).lastPathComponent
        try waitFor {
            try DaemonHarness.shell("test -e \(d.dir)/spool/accepted/*--\(name) && ! test -e \(d.dir)/spool/incoming/\(name)").status == 0
        }
        let st = try DaemonHarness.shell("stat -c '%u %a %h' \(d.dir)/spool/accepted/*--\(name)").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(st == "\(getuid()) 440 1", "owner, mode and links of the accepted copy: \(st)")
        #expect(try DaemonHarness.shell("test -e \(d.dir)/spool/incoming/\(name)").status != 0, "the reporter's file is gone")
        let hash = try d.call(["op": "case.list"])["cases"]?.arrayValue?.first?["id"]
        let shown = try d.call(["op": "case.get", "id": hash ?? .null])["case"]?["source"]?["sha256"]?.stringValue
        let onDisk = try DaemonHarness.shell("sha256sum \(d.dir)/spool/accepted/*--\(name) | cut -d' ' -f1").stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(shown == onDisk)
        // alice's spool list still shows her accepted file as hers.
        let mine = try LocalUsers.run(LocalUsers.alice, "SOKUHO_SOCKET=\(d.socketPath) \(DaemonHarness.sokuho) spool list --all --json")
        #expect(mine.stdout.contains(name), "\(mine.stdout)\(mine.stderr)")
    }

    @Test("report_id collisions between two reporters, through the spool and the socket, never drop or leak a report (isolation defect 2)")
    func reportIDCollisions() throws {
        let d = try daemon()
        let decoy = try Self.prepareDrop(d, as: LocalUsers.bob, yaml: Self.report("おとり", reportID: "scan-001"))
        _ = try LocalUsers.run(LocalUsers.bob, "mv \(decoy) \(d.dir)/spool/incoming/")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 1 }
        let real = try Self.prepareDrop(d, as: LocalUsers.alice, yaml: Self.report("本物の報告", reportID: "scan-001"))
        _ = try LocalUsers.run(LocalUsers.alice, "mv \(real) \(d.dir)/spool/incoming/")
        try waitFor { (try? d.call(["op": "case.list"]))?["count"]?.intValue == 2 }
        let infos = Set(try d.call(["op": "case.list"])["cases"]?.arrayValue?.compactMap { $0["information"]?.stringValue } ?? [])
        #expect(infos == ["おとり", "本物の報告"])
        // Through the socket: bob reuses alice's id and gets his own case, not hers.
        let env = "SOKUHO_SOCKET=\(d.socketPath) LANG=C.UTF-8"
        let a = try LocalUsers.run(
            LocalUsers.alice,
            "\(env) \(DaemonHarness.sokuho) report --kind leak --information 'アリス' --location l --circumstances c --report-id shared-1 --no-prompt --json"
        )
        #expect(a.status == 0, "\(a.stderr)")
        let b = try LocalUsers.run(
            LocalUsers.bob,
            "\(env) \(DaemonHarness.sokuho) report --kind leak --information 'ボブ' --location l --circumstances c --report-id shared-1 --no-prompt --json"
        )
        #expect(b.status == 0, "\(b.stderr)")
        #expect(!b.stdout.contains("アリス"))
        #expect(try JSONParser.parse(b.stdout)["duplicate"] == false)
        // And bob reads none of alice's cases by id, not even as a dossier (defect 1).
        let aliceID = try JSONParser.parse(a.stdout)["case"]?["id"]?.stringValue ?? ""
        for args in [["case", "show", aliceID], ["case", "report", aliceID]] {
            let r = try LocalUsers.run(LocalUsers.bob, "\(env) \(DaemonHarness.sokuho) \(args.joined(separator: " "))")
            #expect(r.status != 0)
            #expect(!r.stdout.contains("アリス"), "\(args): \(r.stdout)")
        }
        d.stop()
        #expect(try d.cli(["audit", "verify", "--db", d.dbPath]).status == 0)
    }
}
