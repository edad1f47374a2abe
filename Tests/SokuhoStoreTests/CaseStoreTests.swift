import Foundation
import SokuhoCore
import Testing

@testable import SokuhoStore

@Suite("The SQLite case store")
struct CaseStoreTests {
    let dir: String
    let path: String

    init() throws {
        dir = NSTemporaryDirectory() + "sokuho-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/sokuho.db"
    }

    let actor = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 4242, user: "alice"), role: .reporter, channel: "socket")
    let date = Date(timeIntervalSince1970: 1_795_650_000)

    func report(_ extra: [String: JSONValue] = [:]) throws -> Report {
        var o: [String: JSONValue] = ["kind": "loss", "information": "USBメモリ", "location": "電車内", "circumstances": "置き忘れ"]
        for (k, v) in extra { o[k] = v }
        return try Report.validate(.object(o))
    }

    @Test("WAL and synchronous=FULL; migrations are versioned")
    func pragmas() throws {
        let store = try CaseStore(path: path)
        let (mode, sync, migrations) = try store.pool.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            )
        }
        #expect(mode == "wal")
        #expect(sync == 2)  // FULL
        #expect(migrations == ["v1", "v2-outbox", "v3-spool", "v4-playbooks", "v5-status-reports", "v6-isolation", "v7-ledger"])
    }

    @Test("opening cases numbers them per year; the receipt is the opening event")
    func open() async throws {
        let store = try CaseStore(path: path)
        let a = try await store.openCase(try report(), actor: actor, at: date, year: 2026)
        let b = try await store.openCase(try report(), actor: actor, at: date, year: 2026)
        let c = try await store.openCase(try report(), actor: actor, at: date, year: 2027)
        #expect(a.case.id == "INC-2026-0001")
        #expect(b.case.id == "INC-2026-0002")
        #expect(c.case.id == "INC-2027-0001")
        #expect(a.receipt.seq == 1)
        #expect(b.receipt.seq == 2)
        #expect(a.case.reportedBy.user == "alice")
        #expect(a.case.reportedAt == "2026-11-25T23:40:00.000Z")
        let (got, events) = try #require(try await store.getCase(id: "INC-2026-0002"))
        #expect(got == b.case)
        #expect(events.count == 1)
        #expect(events[0].hash == b.receipt.hash)
    }

    @Test("report_id is idempotent")
    func idempotent() async throws {
        let store = try CaseStore(path: path)
        let r = try report(["report_id": "k1"])
        let a = try await store.openCase(r, actor: actor, at: date, year: 2026)
        let b = try await store.openCase(r, actor: actor, at: date, year: 2026)
        #expect(!a.duplicate)
        #expect(b.duplicate)
        #expect(a.case.id == b.case.id)
        #expect(try await store.stats().events == 1)
    }

    @Test("updates are events; the case is replayed from events; data survives reopening")
    func updatesAndReopen() async throws {
        do {
            let store = try CaseStore(path: path)
            let a = try await store.openCase(try report(), actor: actor, at: date, year: 2026)
            let u = try await store.updateCase(id: a.case.id, fields: ["count": 65], actor: actor, at: date.addingTimeInterval(60))
            #expect(u.receipt?.seq == 2)
            #expect(u.case.report.count == 65)
            await #expect(throws: StoreError.self) {
                try await store.updateCase(id: "INC-2026-0404", fields: ["count": 1], actor: actor, at: date)
            }
            await #expect(throws: StoreError.self) {
                try await store.updateCase(id: a.case.id, fields: ["count": -1], actor: actor, at: date)
            }
            #expect(try await store.stats().events == 2)
        }
        let reopened = try CaseStore(path: path)
        let (c, events) = try #require(try await reopened.getCase(id: "INC-2026-0001"))
        #expect(c.report.count == 65)
        #expect(c.version == 2)
        #expect(events.map(\.type) == ["case.opened", "case.updated"])
        let listed = try await reopened.listCases(CaseFilter(kind: .loss))
        #expect(listed.count == 1)
        #expect(listed[0] == c.json)
        #expect(try await reopened.listCases(CaseFilter(kind: .leak)).isEmpty)
        #expect(try await reopened.listCases(CaseFilter(reporterUID: 1)).isEmpty)
        let outcome = try AuditReader(path: path).verify()
        #expect(outcome.problem == nil)
        #expect(outcome.eventsChecked == 2)
        #expect(outcome.casesChecked == 1)
    }

    @Test("a file that is not a database is refused with what to do")
    func corrupt() throws {
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        do {
            _ = try CaseStore(path: path)
            Issue.record("must fail")
        } catch {
            if case .corrupt = error {} else { Issue.record("expected corrupt, got \(error)") }
            #expect(error.description.contains("restore"))
        }
    }

    @Test("audit reader refuses a missing file")
    func missing() {
        #expect(throws: StoreError.self) { try AuditReader(path: dir + "/nope.db") }
    }
}
