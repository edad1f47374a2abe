import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// Each test edits a copy of a real database with the sqlite3 command, as an attacker with file
/// access would, and checks that `sokuho audit verify` fails and names the event.
@Suite(
    "Tampering with the database is detected and the event named",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
struct TamperTests {
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var sql: String
        var seq: Int64
        var kind: String
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "edit a field of an event",
            sql: """
                DROP TRIGGER events_append_only_update;
                UPDATE events SET data = replace(data, '本社', '支社') WHERE seq = 3;
                """, seq: 3, kind: "edited"),
        Scenario(
            name: "edit the actor of an event",
            sql: """
                DROP TRIGGER events_append_only_update;
                UPDATE events SET actor = replace(actor, '"uid":0', '"uid":1000') WHERE seq = 2;
                """, seq: 2, kind: "edited"),
        Scenario(
            name: "delete an event",
            sql: """
                DROP TRIGGER events_append_only_delete;
                DELETE FROM events WHERE seq = 2;
                """, seq: 2, kind: "missing"),
        Scenario(
            name: "delete the last event",
            sql: """
                DROP TRIGGER events_append_only_delete;
                DELETE FROM events WHERE seq = 6;
                """, seq: 6, kind: "head_mismatch"),
        Scenario(
            name: "insert an event in the middle",
            sql: """
                DROP TRIGGER events_append_only_update;
                UPDATE events SET seq = seq + 1000 WHERE seq >= 4;
                UPDATE events SET seq = seq - 999 WHERE seq >= 1000;
                INSERT INTO events (seq, at, case_id, type, actor, data, prev_hash, hash)
                  SELECT 4, at, case_id, type, actor, data, hash, hash FROM events WHERE seq = 3;
                UPDATE chain_head SET seq = seq + 1;
                """, seq: 4, kind: "edited"),
        Scenario(
            name: "append a forged event at the end",
            sql: """
                INSERT INTO events (seq, at, case_id, type, actor, data, prev_hash, hash)
                  SELECT 7, at, case_id, type, actor, data, hash, hash FROM events WHERE seq = 6;
                UPDATE chain_head SET seq = 7, hash = (SELECT hash FROM events WHERE seq = 7);
                """, seq: 7, kind: "edited"),
        Scenario(
            name: "swap two events",
            sql: """
                DROP TRIGGER events_append_only_update;
                UPDATE events SET seq = -2 WHERE seq = 2;
                UPDATE events SET seq = 2 WHERE seq = 3;
                UPDATE events SET seq = 3 WHERE seq = -2;
                """, seq: 2, kind: "edited"),
        Scenario(
            name: "edit the derived case row",
            sql: """
                UPDATE cases SET body = replace(body, '"count":1200', '"count":12') WHERE id LIKE 'INC-%-0001';
                """, seq: 6, kind: "edited"),
        Scenario(
            name: "delete a case row (the case would vanish from lists, reports and the runner)",
            sql: """
                DELETE FROM cases WHERE id LIKE 'INC-%-0001';
                """, seq: 6, kind: "edited"),
    ]

    /// A database with 6 events: five reports and one update of the first case.
    static func makeDatabase() throws -> (DaemonHarness, String) {
        let d = try DaemonHarness.started()
        var first: JSONValue = .null
        for i in 0..<5 {
            let r = try d.call(["op": "report", "report": minimalReport(["count": .int(Int64(i))])])
            if i == 0 { first = r["case"]?["id"] ?? .null }
        }
        _ = try d.call(["op": "case.update", "id": first, "fields": ["count": 1200]])
        #expect(d.stop() == 0)
        return (d, d.dbPath)
    }

    @Test("an untouched database verifies")
    func untouched() throws {
        let (d, db) = try Self.makeDatabase()
        let run = try d.cli(["audit", "verify", "--db", db, "--json"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let out = try JSONParser.parse(run.stdout)
        #expect(out["ok"] == true)
        #expect(out["events"] == 6)
        #expect(out["cases"] == 5)
    }

    @Test("tampering is detected", arguments: scenarios)
    func tamper(_ s: Scenario) throws {
        let (d, db) = try Self.makeDatabase()
        let sql = d.dir + "/tamper.sql"
        try s.sql.write(toFile: sql, atomically: true, encoding: .utf8)
        let edit = try DaemonHarness.shell("sqlite3 '\(db)' < '\(sql)'")
        #expect(edit.status == 0, "sqlite3: \(edit.stderr)")
        let run = try d.cli(["audit", "verify", "--db", db, "--json"])
        #expect(run.status == 1, "verify must fail: \(run.stdout) \(run.stderr)")
        let out = try JSONParser.parse(run.stdout)
        #expect(out["ok"] == false)
        #expect(out["problem"]?["seq"]?.intValue == s.seq, "\(out)")
        #expect(out["problem"]?["kind"]?.stringValue == s.kind, "\(out)")
        let human = try d.cli(["audit", "verify", "--db", db])
        #expect(human.status == 1)
        #expect(human.stdout.contains("#\(s.seq)"))
    }

    @Test("the append-only triggers refuse a plain UPDATE or DELETE")
    func triggers() throws {
        let (d, db) = try Self.makeDatabase()
        defer { withExtendedLifetime(d) {} }
        let upd = try DaemonHarness.shell("sqlite3 '\(db)' \"UPDATE events SET type = 'x' WHERE seq = 1\"")
        #expect(upd.status != 0)
        #expect(upd.stderr.contains("append-only"))
        let del = try DaemonHarness.shell("sqlite3 '\(db)' \"DELETE FROM events\"")
        #expect(del.status != 0)
    }
}
