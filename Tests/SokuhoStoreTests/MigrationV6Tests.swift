import Foundation
import SokuhoCore
import Testing

@testable import SokuhoStore

/// A database as version 5 left it — global report ids, a spool journal keyed by name and hash,
/// no installation id, a refusal recorded with a case's id — is upgraded by `v6-isolation`
/// without losing anything, and verifies afterwards.
@Suite("Migration v6-isolation on a version-5 database")
struct MigrationV6Tests {
    static func sqlite(_ path: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [path, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(
        "report ids, the spool journal and old refusals survive the upgrade; verify passes",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func upgrade() async throws {
        let dir = NSTemporaryDirectory() + "sokuho-v5-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sokuho.db"
        let alice = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "alice"), role: .reporter, channel: "socket")
        let bob = EventActor(peer: PeerIdentity(uid: 1001, gid: 1001, pid: 1, user: "bob"), role: .reporter, channel: "spool")
        let date = Date(timeIntervalSince1970: 1_790_000_000)
        do {
            let store = try CaseStore(path: path)
            let report = try Report.validate([
                "kind": "leak", "information": "i", "location": "l", "circumstances": "c", "report_id": "r-1",
            ])
            let a = try await store.openCase(report, actor: alice, at: date, year: 2026, escalateTo: ["city"])
            _ = try await store.openCase(
                try Report.validate(["kind": "loss", "information": "i", "location": "l", "circumstances": "c"]),
                actor: bob, at: date, year: 2026,
                source: ReportSource(channel: "spool", file: "b.json", sha256: "bb", size: 1, format: "json", encoding: "utf-8"))
            // As version 5 recorded a refusal: with the case's id.
            try await store.record(type: .accessDenied, caseID: a.case.id, actor: bob, data: ["op": "case.update"], at: date)
        }
        // Back to the version-5 shape.
        _ = try Self.sqlite(
            path,
            """
            CREATE TABLE report_ids_old (report_id TEXT PRIMARY KEY, case_id TEXT NOT NULL);
            INSERT INTO report_ids_old SELECT report_id, case_id FROM report_ids; DROP TABLE report_ids;
            ALTER TABLE report_ids_old RENAME TO report_ids;
            CREATE TABLE spool_old (name TEXT NOT NULL, sha256 TEXT NOT NULL, outcome TEXT NOT NULL, case_id TEXT, event_seq INTEGER NOT NULL,
              at TEXT NOT NULL, owner_uid INTEGER NOT NULL, error TEXT, PRIMARY KEY (name, sha256));
            INSERT INTO spool_old SELECT * FROM spool_files; DROP TABLE spool_files; ALTER TABLE spool_old RENAME TO spool_files;
            DROP TABLE installation; DELETE FROM grdb_migrations WHERE identifier = 'v6-isolation';
            DROP TABLE ledger_entries; DROP TABLE case_assets; DELETE FROM grdb_migrations WHERE identifier = 'v7-ledger';
            """)
        #expect(try Self.sqlite(path, "SELECT COUNT(*) FROM grdb_migrations") == "5")

        let store = try CaseStore(path: path)
        #expect(try Self.sqlite(path, "SELECT reporter_uid, report_id FROM report_ids") == "1000|r-1")
        #expect(try Self.sqlite(path, "SELECT owner_uid, name FROM spool_files") == "1001|b.json")
        #expect(try Self.sqlite(path, "SELECT length(installation_id) FROM installation") == "16")
        // The per-reporter rule holds on the upgraded data.
        let again = try await store.openCase(
            try Report.validate(["kind": "leak", "information": "i", "location": "l", "circumstances": "c", "report_id": "r-1"]),
            actor: alice, at: date, year: 2026)
        #expect(again.duplicate)
        let other = try await store.openCase(
            try Report.validate(["kind": "leak", "information": "i", "location": "l", "circumstances": "c", "report_id": "r-1"]),
            actor: EventActor(peer: bob.peer, role: .reporter, channel: "socket"), at: date, year: 2026)
        #expect(!other.duplicate)
        // The old refusal carries alice's case id: the replayed case still equals the stored one.
        let verdict = try AuditReader(path: path).verify()
        #expect(verdict.problem == nil, "\(String(describing: verdict.problem))")
    }
}
