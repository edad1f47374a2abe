import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// Role checks need a second Unix identity: the tests run the real CLI as `nobody` through
/// setpriv, which needs root. Elsewhere they are skipped.
@Suite(
    "Roles come from peer credentials; refusals are clear and recorded",
    .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
struct RoleTests {
    static let nobody: UInt32 = 65534

    @Test("a user without a role is refused, and the refusal is an event in the chain")
    func noRole() throws {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [alice-does-not-exist]\n")
        let run = try d.cli(
            ["report", "--kind", "leak", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"], asUID: Self.nobody
        )
        #expect(run.status == 77, "\(run.stderr)")
        #expect(run.stderr.contains("forbidden"))
        let status = try d.call(["op": "status"])
        #expect(status["status"]?["cases"] == 0)
        #expect(status["status"]?["events"] == 1)
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath, "--json"])
        #expect(verify.status == 0)
        let dump = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT type, actor FROM events\"")
        #expect(dump.stdout.contains("access.denied"))
        #expect(dump.stdout.contains("\"uid\":65534"))
    }

    @Test("a refusal records bounded facts: a 100 KB case id from a user without a role is not recorded")
    func refusalIsBounded() throws {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [alice-does-not-exist]\n")
        let longID = "INC-2026-" + String(repeating: "0", count: 100_000) + "1"
        let run = try d.cli(["case", "update", longID, "--location", "x"], asUID: Self.nobody)
        #expect(run.status != 0)
        #expect(run.stderr.utf8.count < 2_000, "the answer quotes the id bounded")
        let status = try d.call(["op": "status"])
        #expect(status["status"]?["events"] == 1, "the refusal is recorded")
        d.stop()
        let size = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT max(length(data)), count(case_id) FROM events\"")
        let fields = size.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|")
        #expect(Int(fields.first ?? "") ?? .max < 1_000, "\(size.stdout)")
        #expect(fields.last == "0", "no case id is recorded for a malformed id")
    }

    @Test("a reporter reports and reads only their own cases; may not update")
    func reporter() throws {
        let d = try DaemonHarness.started(roles: "  reporter:\n    users: [nobody]\n")
        let adminCase = try d.call(["op": "report", "report": minimalReport()])
        let adminID = try #require(adminCase["case"]?["id"]?.stringValue)
        let run = try d.cli(
            [
                "report", "--kind", "loss", "--information", "USBメモリ（児童65名分）", "--location", "帰宅途中",
                "--circumstances", "かばんごと紛失", "--no-prompt", "--json",
            ], asUID: Self.nobody)
        #expect(run.status == 0, "\(run.stderr)")
        let mine = try JSONParser.parse(run.stdout)
        let myID = try #require(mine["case"]?["id"]?.stringValue)
        #expect(mine["case"]?["reported_by"]?["uid"] == .int(Int64(Self.nobody)))
        #expect(mine["case"]?["reported_by"]?["user"] == "nobody")

        #expect(try d.cli(["case", "show", myID, "--json"], asUID: Self.nobody).status == 0)
        let other = try d.cli(["case", "show", adminID], asUID: Self.nobody)
        #expect(other.status == 2, "a reporter must not see other cases: \(other.stdout)")
        let list = try d.cli(["case", "list", "--json"], asUID: Self.nobody)
        #expect(try JSONParser.parse(list.stdout)["count"] == 1)
        let update = try d.cli(["case", "update", myID, "--count", "3"], asUID: Self.nobody)
        #expect(update.status == 77)
        #expect(update.stderr.contains("lead"))
    }

    @Test("a lead may update any case; an auditor may read but not report")
    func leadAndAuditor() throws {
        let lead = try DaemonHarness(roles: "  lead:\n    users: [nobody]\n")
        try lead.start()
        let c = try lead.call(["op": "report", "report": minimalReport()])
        let id = try #require(c["case"]?["id"]?.stringValue)
        let u = try lead.cli(["case", "update", id, "--count", "12"], asUID: Self.nobody)
        #expect(u.status == 0, "\(u.stderr)")
        let got = try lead.call(["op": "case.get", "id": .string(id)])
        #expect(got["case"]?["count"] == 12)
        #expect(got["events"]?.arrayValue?.last?["actor"]?["role"] == "lead")

        let auditor = try DaemonHarness(roles: "  auditor:\n    groups: [nogroup]\n")
        try auditor.start()
        let c2 = try auditor.call(["op": "report", "report": minimalReport()])
        let id2 = try #require(c2["case"]?["id"]?.stringValue)
        #expect(try auditor.cli(["case", "show", id2], asUID: Self.nobody).status == 0)
        #expect(
            try auditor.cli(
                ["report", "--kind", "leak", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"],
                asUID: Self.nobody
            ).status == 77)
    }
}
