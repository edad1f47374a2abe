import Foundation
import SokuhoCore
import Testing

@testable import SokuhoStore

/// A database written by a newer sokuhod (a migration this one does not know) is refused with
/// a clear message, and the file is left exactly as it was (a downgrade never damages it).
@Suite("A database from a newer version", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
struct NewerSchemaTests {
    @Test("is refused, names both versions, and is not changed")
    func refused() async throws {
        let dir = NSTemporaryDirectory() + "sokuho-newer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sokuho.db"
        do {
            let store = try CaseStore(path: path)
            let actor = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "alice"), role: .reporter, channel: "socket")
            _ = try await store.openCase(
                try Report.validate(["kind": "loss", "information": "USB", "location": "駅", "circumstances": "紛失"]),
                actor: actor, at: Date(), year: 2026)
        }
        // What a newer version would leave: one more applied migration (WAL mode, as sokuhod
        // leaves it; sqlite3 checkpoints on close, so the file alone holds everything).
        _ = try MigrationV6Tests.sqlite(path, "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future');")
        #expect(try MigrationV6Tests.sqlite(path, "PRAGMA journal_mode;") == "wal")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let known = Schema.migrator.migrations.count
        #expect(throws: StoreError.self) { _ = try CaseStore(path: path) }
        do { _ = try CaseStore(path: path) } catch {
            let text = "\(error)"
            #expect(text.contains("\(known + 1)") && text.contains("\(known)"), "\(text)")
            guard case .newerSchema = error else { Issue.record("not newerSchema: \(error)"); return }
        }
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after == before)
        #expect(try MigrationV6Tests.sqlite(path, "SELECT COUNT(*) FROM grdb_migrations;") == "\(known + 1)")
    }
}
