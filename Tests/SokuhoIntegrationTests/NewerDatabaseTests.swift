import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// After a downgrade, the older sokuhod meets a database a newer one migrated: it refuses to
/// start with a message that says so, and leaves the file as it was.
@Suite("sokuhod and a database from a newer version", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
struct NewerDatabaseTests {
    @Test("sokuhod refuses to start (exit 73), says why, and changes nothing")
    func refused() throws {
        let d = try DaemonHarness()
        try d.start()
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
        #expect(d.stop() == 0)
        #expect(
            try DaemonHarness.shell("sqlite3 '\(d.dbPath)' \"INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future');\"")
                .status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: d.dbPath))
        #expect(throws: HarnessError.self) { try d.start() }
        let status = d.stop()
        #expect(status == 73, "exit \(status)")
        #expect(d.log.contains("newer than this sokuhod supports"), "\(d.log)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: d.dbPath)) == before)
    }
}
