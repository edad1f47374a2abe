import Foundation
import GRDB

/// The yardstick for durable intake: plain SQLite on the same disk, one row per transaction,
/// WAL and `synchronous=FULL` — what "one fsync per report" gives.
enum Baseline {
    static func rowsPerSecond(directory: String, seconds: Double) throws -> Double {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: directory + "/baseline.db", configuration: config)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        let body = String(repeating: "x", count: 400)
        let start = Date()
        var n = 0
        while Date().timeIntervalSince(start) < seconds {
            try queue.inTransaction { db in
                try db.execute(sql: "INSERT INTO t (body) VALUES (?)", arguments: [body])
                return .commit
            }
            n += 1
        }
        return Double(n) / Date().timeIntervalSince(start)
    }
}
