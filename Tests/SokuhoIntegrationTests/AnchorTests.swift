import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The audit anchor (Art. 17): the chain heads the city received in every message vouch for
/// the contractor's database. A database rewritten after the fact with a consistently
/// recomputed chain passes `audit verify` alone and fails `audit verify --against`.
@Suite("Audit anchor: the city's received chain heads against the contractor's database", .enabled(if: EndpointHarness.python != nil))
struct AnchorTests {
    /// One stored event as `sqlite3 -json` prints it.
    struct Row {
        var seq: Int64
        var at: String
        var caseID: String?
        var type: String
        var actor: String
        var data: String
    }

    static func rows(_ db: String) throws -> [Row] {
        let out = try DaemonHarness.shell("sqlite3 -json '\(db)' 'SELECT seq, at, case_id, type, actor, data FROM events ORDER BY seq'")
            .stdout
        return (try JSONParser.parse(out).arrayValue ?? []).map { r in
            Row(
                seq: r["seq"]?.intValue ?? 0, at: r["at"]?.stringValue ?? "", caseID: r["case_id"]?.stringValue,
                type: r["type"]?.stringValue ?? "", actor: r["actor"]?.stringValue ?? "", data: r["data"]?.stringValue ?? "")
        }
    }

    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }

    /// Rewrites the database as an insider with write access would: `edit` changes the data of
    /// one event, then every hash after it, the chain head and every case row are recomputed so
    /// that the database is consistent again.
    static func rewrite(_ db: String, edit: (Row) -> String?) throws {
        var previous: (seq: Int64, hash: String)?
        var events: [StoredEvent] = []
        var sql = "DROP TRIGGER events_append_only_update;\n"
        for r in try rows(db) {
            let data = edit(r) ?? r.data
            let e = StoredEvent.chained(
                after: previous, at: r.at, caseID: r.caseID, type: r.type, actor: try JSONParser.parse(r.actor),
                data: try JSONParser.parse(data))
            sql +=
                "UPDATE events SET data = \(quoted(e.data.canonicalString)), prev_hash = '\(e.prevHash)', hash = '\(e.hash)' WHERE seq = \(e.seq);\n"
            previous = (e.seq, e.hash)
            events.append(e)
        }
        if let previous { sql += "UPDATE chain_head SET seq = \(previous.seq), hash = '\(previous.hash)';\n" }
        for (id, caseEvents) in Dictionary(
            grouping: events.filter { $0.caseID.map { CaseID.parse($0) != nil } ?? false }, by: { $0.caseID! })
        {
            let c = try Case.replay(caseEvents.sorted { $0.seq < $1.seq })
            sql += "UPDATE cases SET body = \(quoted(c.json.canonicalString)) WHERE id = '\(id)';\n"
        }
        let script = db + ".rewrite.sql"
        try sql.write(toFile: script, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.shell("sqlite3 '\(db)' < '\(script)'")
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test("a consistently rewritten database passes verify alone, fails --against the city's file, naming the first head that disagrees")
    func rewrittenDatabase() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig + LedgerIntegrationTests.fast)
        var ids: [String] = []
        for n in 0..<3 {
            let r = try d.call(["op": "report", "report": minimalReport(["count": .int(Int64(100 + n))])])
            ids.append(try #require(r["case"]?["id"]?.stringValue))
        }
        _ = try d.call(["op": "case.update", "id": .string(ids[0]), "fields": ["count": 120]])
        try waitFor { city.received.count == 4 }
        d.stop()
        let good = try d.cli(["audit", "verify", "--db", d.dbPath, "--against", city.outPath])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        #expect(good.stdout.contains("4 chain heads the city received match"), "\(good.stdout)")

        // The first report's count was 100; the insider makes it 10 and recomputes everything.
        try Self.rewrite(d.dbPath) { r in
            r.type == EventType.caseOpened.rawValue && r.caseID == ids[0]
                ? r.data.replacingOccurrences(of: #""count":100"#, with: #""count":10"#) : nil
        }
        let alone = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(alone.status == 0, "the rewrite is consistent: \(alone.stdout)")
        let anchored = try d.cli(["audit", "verify", "--db", d.dbPath, "--against", city.outPath])
        #expect(anchored.status == 1, "\(anchored.stdout)")
        let firstHead = try #require(city.received.compactMap { ChainAnchor.fromReceivedLine($0) }.map(\.seq).min())
        #expect(anchored.stdout.contains("event #\(firstHead):"), "the first head that disagrees is named: \(anchored.stdout)")
        let json = try JSONParser.parse(try d.cli(["audit", "verify", "--db", d.dbPath, "--against", city.outPath, "--json"]).stdout)
        #expect(json["ok"] == false)
        #expect(json["anchors"]?["mismatch"]?["seq"]?.intValue == firstHead)
    }

    @Test("heads of another installation in the city's file are left out; a file without heads checks nothing and passes")
    func otherInstallations() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let a = try DaemonHarness.started(extra: city.cityConfig + LedgerIntegrationTests.fast)
        let b = try DaemonHarness.started(extra: city.cityConfig + LedgerIntegrationTests.fast)
        _ = try a.call(["op": "report", "report": minimalReport()])
        _ = try b.call(["op": "report", "report": minimalReport()])
        _ = try b.call(["op": "report", "report": minimalReport()])
        try waitFor { city.received.count == 3 }
        a.stop()
        let r = try a.cli(["audit", "verify", "--db", a.dbPath, "--against", city.outPath, "--json"])
        let json = try JSONParser.parse(r.stdout)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(json["anchors"]?["anchors_checked"] == 1)
        #expect(json["anchors"]?["other_installations"] == 2)
        let empty = a.dir + "/empty.jsonl"
        try "not json\n{\"torn\":".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect(try a.cli(["audit", "verify", "--db", a.dbPath, "--against", empty]).status == 0)
        #expect(try a.cli(["audit", "verify", "--db", a.dbPath, "--against", a.dir + "/missing.jsonl"]).status == 66)
    }
}
