import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// A database from each earlier schema version, made by the code of that version
/// (Fixtures/upgrade/README.md, scripts/make-upgrade-fixtures), opens with today's sokuhod,
/// migrates, keeps every case and every event with its hash, verifies, and takes new reports.
@Suite(
    "Databases of every earlier schema version upgrade to today's",
    .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
struct UpgradeFixtureTests {
    /// What the fixture holds, as recorded when it was made (Fixtures/upgrade/README.md).
    struct Fixture: Sendable, CustomTestStringConvertible {
        let version: Int
        let commit: String
        let cases: [String]
        let events: Int
        let lastHash: String
        /// What the old code wrote differently in the derived case rows, which today's open
        /// derives again from the events (`CaseStore.rederiveIfStale`): nil when nothing.
        var staleRows: String? = nil
        var file: String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/upgrade/schema-v\(version).db").path
        }
        var testDescription: String { "schema v\(version) (\(commit))" }
    }

    static let threeReports = ["INC-2026-0001", "INC-2026-0002", "INC-2026-0003"]
    static let withSpool = threeReports + ["INC-2026-0004"]
    static let missingKeys =
        "v3 case rows lack appi, closed_at, instructions, playbook, publication, resolution and submitted, which today's replay writes"
    static let refusalCounted =
        "v4/v5 counted the access.denied in INC-2026-0001's history in its version (9); today's replay does not (8)"
    static let fixtures: [Fixture] = [
        Fixture(
            version: 1, commit: "45d4f0f", cases: threeReports, events: 5,
            lastHash: "e1460fd89a1e9b075cc357f1809ccc88bcd0bffddfbab9eaebb4397e6b704fa4"),
        Fixture(
            version: 2, commit: "b946f48", cases: threeReports, events: 5,
            lastHash: "adba21edd8a93aa4891b4db6a822f80ce72d1848f610a853a26308b77e621dea"),
        Fixture(
            version: 3, commit: "d923696", cases: withSpool, events: 7,
            lastHash: "ff1807314ae853cf7742d07efba6ddd98af6d883a8a1d4531a7c7cb026b39e7b",
            staleRows: Self.missingKeys),
        Fixture(
            version: 4, commit: "2c72655", cases: withSpool, events: 19,
            lastHash: "4ee7efcdaad23865859f5d067864ec706e13bcec3aa4296bf2ad22efda5c29d4",
            staleRows: Self.refusalCounted),
        Fixture(
            version: 5, commit: "c33fc65", cases: withSpool, events: 20,
            lastHash: "b2a828fae4404888643b391da385db96d207c31d2911d1ed5e8b406360b044fb",
            staleRows: Self.refusalCounted),
        Fixture(
            version: 6, commit: "79fb72e", cases: withSpool, events: 20,
            lastHash: "2839a77883e96c3015475f0697c26d9fa1358bac7f75dd000502f18effc9ec2f"),
    ]

    /// Today's migrations, in order, as a new database gets them.
    static let todaysMigrations: Result<[String], HarnessError> = {
        do {
            let d = try DaemonHarness.started()
            d.stop()
            return .success(try sql(d.dbPath, "SELECT identifier FROM grdb_migrations ORDER BY rowid"))
        } catch {
            return .failure(HarnessError("\(error)"))
        }
    }()

    static func sql(_ db: String, _ query: String) throws -> [String] {
        let r = try DaemonHarness.shell("sqlite3 '\(db)' \"\(query)\"")
        guard r.status == 0 else { throw HarnessError("sqlite3 \(query): \(r.stderr)") }
        return r.stdout.split(separator: "\n").map(String.init)
    }

    @Test("opens with today's sokuhod, migrates, keeps cases and events, verifies, takes a new report", arguments: fixtures)
    func upgrades(_ f: Fixture) throws {
        let today = try Self.todaysMigrations.get()
        let d = try DaemonHarness()
        try FileManager.default.createDirectory(
            atPath: d.dir + "/state", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        try FileManager.default.copyItem(atPath: f.file, toPath: d.dbPath)
        let db = d.dbPath

        // The fixture is the one recorded: its schema version, cases and chain.
        #expect(try Self.sql(db, "SELECT COUNT(*) FROM grdb_migrations") == ["\(f.version)"])
        #expect(try Self.sql(db, "SELECT id FROM cases ORDER BY id") == f.cases)
        #expect(try Self.sql(db, "SELECT COUNT(*), MAX(seq) FROM events") == ["\(f.events)|\(f.events)"])
        let hashesBefore = try Self.sql(db, "SELECT seq || ' ' || hash FROM events ORDER BY seq")
        #expect(hashesBefore.last == "\(f.events) \(f.lastHash)")
        // What the migrations carry over: report ids (since v6 keyed per reporter), the spool
        // journal, the playbook versions and the status reports sent.
        let reportIDs = "SELECT report_id || ' ' || case_id FROM report_ids ORDER BY report_id"
        let reportIDsBefore = try Self.sql(db, reportIDs)
        #expect(reportIDsBefore.count == f.cases.count)
        let kept = [
            (
                3,
                "SELECT name || ' ' || sha256 || ' ' || outcome || ' ' || ifnull(case_id, '-') || ' ' || event_seq FROM spool_files ORDER BY name"
            ),
            (4, "SELECT hash || ' ' || id || ' ' || length(body) FROM playbooks ORDER BY hash"),
            (5, "SELECT period_end || ' ' || event_seq FROM status_reports ORDER BY period_end"),
        ].filter { $0.0 <= f.version }.map(\.1)
        let keptBefore = try kept.map { try Self.sql(db, $0) }

        try d.start()
        let status = try d.call(["op": "status"])
        #expect(status["ok"] == true, "\(status)")

        // Migrated to today's schema: the same migrations as a new database, in the same order.
        #expect(try Self.sql(db, "SELECT identifier FROM grdb_migrations ORDER BY rowid") == today)
        #expect(try Self.sql(db, "SELECT identifier FROM grdb_migrations ORDER BY rowid").prefix(f.version) == today.prefix(f.version))

        // Every case is still there, with its facts.
        #expect(try Self.sql(db, "SELECT id FROM cases ORDER BY id") == f.cases)
        try checkFacts(d, f)

        #expect(try Self.sql(db, reportIDs) == reportIDsBefore)
        #expect(
            try Self.sql(db, "SELECT reporter_uid || ' ' || case_id FROM report_ids WHERE case_id = 'INC-2026-0002'")
                == ["65534 INC-2026-0002"])
        #expect(try kept.map { try Self.sql(db, $0) } == keptBefore)
        if f.version >= 3 { #expect(keptBefore[0].count == 2) }

        // The events of the fixture keep their seq and hash.
        let hashesAfter = try Self.sql(db, "SELECT seq || ' ' || hash FROM events WHERE seq <= \(f.events) ORDER BY seq")
        #expect(hashesAfter == hashesBefore)
        #expect(try Self.sql(db, "SELECT hash FROM events WHERE seq = \(f.events)") == [f.lastHash])

        // Today's audit verify accepts the upgraded database.
        let verify = try d.cli(["audit", "verify", "--db", db, "--json"])
        expectVerified(verify, f)

        // A new report is added after the fixture's chain, and everything still verifies.
        let r = try d.call(["op": "report", "report": minimalReport()])
        #expect(r["ok"] == true, "\(r)")
        let newID = try #require(r["case"]?["id"]?.stringValue)
        #expect(!f.cases.contains(newID))
        #expect((r["receipt"]?["seq"]?.intValue ?? 0) > Int64(f.events), "\(r)")
        #expect(d.stop() == 0, "\(d.logForFailure)")
        #expect(try Self.sql(db, "SELECT id FROM cases ORDER BY id") == (f.cases + [newID]).sorted())
        #expect(try Self.sql(db, "SELECT seq || ' ' || hash FROM events WHERE seq <= \(f.events) ORDER BY seq") == hashesBefore)
        let after = try d.cli(["audit", "verify", "--db", db, "--json"])
        expectVerified(after, f)
        #expect(try JSONParser.parse(after.stdout)["events"]?.intValue ?? 0 > Int64(f.events), "\(after.stdout)")
    }

    /// `audit verify` exits 0: the upgrade derived the case rows again from the events.
    func expectVerified(_ run: DaemonHarness.Run, _ f: Fixture) {
        #expect(run.status == 0, "\(f.staleRows ?? "")\n\(run.stdout)\(run.stderr)")
    }

    /// The facts each fixture's cases were reported with (scripts/make-upgrade-fixtures), read
    /// back through the socket from the upgraded database.
    func checkFacts(_ d: DaemonHarness, _ f: Fixture) throws {
        func get(_ id: String) throws -> JSONValue {
            let r = try d.call(["op": "case.get", "id": .string(id)])
            #expect(r["ok"] == true, "\(id): \(r)")
            return r["case"] ?? .null
        }
        let leak = try get("INC-2026-0001")
        #expect(leak["kind"] == "leak")
        #expect(leak["suspected"] == true)
        #expect(leak["count"] == 1200)
        #expect(leak["count_precision"] == "approximate")
        #expect(leak["information"] == "顧客名簿（氏名・住所・電話番号）")
        #expect(leak["location"] == "本社3階 共有フォルダ")
        #expect(leak["reporter"]?["name"] == "山田 太郎", "\(leak)")
        #expect(leak["state"] == (f.version >= 4 ? "contained" : "open"), "\(leak["state"] ?? .null)")

        let loss = try get("INC-2026-0002")
        #expect(loss["kind"] == "loss")
        #expect(loss["count"] == 120)
        #expect(loss["count_precision"] == "exact")
        #expect(loss["reported_by"]?["uid"] == 65534)
        #expect(loss["location"] == "市民課 窓口")

        let tampering = try get("INC-2026-0003")
        #expect(tampering["kind"] == "tampering")
        #expect(tampering["count"] == 3)
        #expect(tampering["count_precision"] == "at_least")
        #expect(tampering["subcontractor"] == "株式会社サンプル保守")

        if f.version >= 3 {
            let spooled = try get("INC-2026-0004")
            #expect(spooled["kind"] == "damage")
            #expect(spooled["count"] == 2)
            #expect(spooled["location"] == "支所 書庫")
        }
    }
}
