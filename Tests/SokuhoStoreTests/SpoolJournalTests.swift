import Foundation
import SokuhoCore
import Testing

@testable import SokuhoStore

@Suite("The spool journal: one decision per file, committed with the case or the rejection")
struct SpoolJournalTests {
    let path: String
    let owner = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 0, user: "alice"), role: .reporter, channel: "spool")
    let date = Date(timeIntervalSince1970: 1_795_650_000)

    init() throws {
        let dir = NSTemporaryDirectory() + "sokuho-spool-journal-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/sokuho.db"
    }

    func report(_ extra: [String: JSONValue] = [:]) throws -> Report {
        var o: [String: JSONValue] = ["kind": "leak", "information": "名簿", "location": "本社", "circumstances": "誤送信"]
        for (k, v) in extra { o[k] = v }
        return try Report.validate(.object(o))
    }

    func source(_ name: String, _ sha: String) -> ReportSource {
        ReportSource(channel: "spool", file: name, sha256: sha, size: 120, format: "json", encoding: "shift_jis")
    }

    @Test("the same file (name and SHA-256) opens one case however often it is offered")
    func sameFileOnce() async throws {
        let store = try CaseStore(path: path)
        let first = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("a.json", "aa"))
        let again = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("a.json", "aa"))
        #expect(!first.duplicate)
        #expect(again.duplicate)
        #expect(again.case.id == first.case.id)
        #expect(try await store.stats().cases == 1)
        let record = try #require(try await store.spoolRecord(name: "a.json", sha256: "aa", ownerUID: 1000))
        #expect(record.outcome == .accepted)
        #expect(record.caseID == first.case.id)
        #expect(record.eventSeq == first.receipt.seq)
        // The case records how the file was read.
        #expect(first.case.source.encoding == "shift_jis")
        #expect(first.case.json["source"]?["sha256"]?.stringValue == "aa")
        let (replayed, _) = try #require(try await store.getCase(id: first.case.id))
        #expect(replayed.source == source("a.json", "aa"))
    }

    @Test("same name with other bytes, or same bytes under another name, is another drop")
    func otherDrops() async throws {
        let store = try CaseStore(path: path)
        let a = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("a.json", "aa"))
        let b = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("a.json", "bb"))
        let c = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("c.json", "aa"))
        #expect(Set([a.case.id, b.case.id, c.case.id]).count == 3)
    }

    @Test("the same name and bytes from another owner is another drop: never answered with someone else's case")
    func otherOwner() async throws {
        let store = try CaseStore(path: path)
        let bob = EventActor(peer: PeerIdentity(uid: 1001, gid: 1001, pid: 0, user: "bob"), role: .reporter, channel: "spool")
        let mine = try await store.openCase(try report(), actor: owner, at: date, year: 2026, source: source("report.json", "same"))
        let his = try await store.openCase(try report(), actor: bob, at: date, year: 2026, source: source("report.json", "same"))
        #expect(his.duplicate == false)
        #expect(his.case.id != mine.case.id)
        #expect(try await store.spoolRecord(name: "report.json", sha256: "same", ownerUID: 1001)?.caseID == his.case.id)
        // A rejection of bob's file is his: alice's identical file is still decided on its own.
        let error = ValidationError(.invalidJSON, field: nil, "bad", ja: "bad")
        _ = try await store.recordSpoolRejection(name: "x.json", sha256: "xx", error: error, details: [:], actor: bob, at: date)
        #expect(try await store.spoolRecord(name: "x.json", sha256: "xx", ownerUID: 1000) == nil)
    }

    @Test("a file whose report_id is known is journaled against that case")
    func reportIDDuplicate() async throws {
        let store = try CaseStore(path: path)
        let socket = EventActor(peer: owner.peer, role: .reporter, channel: "socket")
        let first = try await store.openCase(try report(["report_id": "r-1"]), actor: socket, at: date, year: 2026)
        let fromSpool = try await store.openCase(
            try report(["report_id": "r-1"]), actor: owner, at: date, year: 2026, source: source("q.json", "qq"))
        #expect(fromSpool.duplicate)
        #expect(fromSpool.case.id == first.case.id)
        #expect(try await store.spoolRecord(name: "q.json", sha256: "qq", ownerUID: 1000)?.caseID == first.case.id)
    }

    @Test("a rejection is one spool.rejected event and one journal row, written once")
    func rejection() async throws {
        let store = try CaseStore(path: path)
        let error = ValidationError(.missingField, field: "location", "location is required", ja: "location は必須です")
        let r1 = try await store.recordSpoolRejection(
            name: "x.json", sha256: "xx", error: error, details: ["size": 10], actor: owner, at: date)
        let r2 = try await store.recordSpoolRejection(
            name: "x.json", sha256: "xx", error: error, details: ["size": 10], actor: owner, at: date)
        #expect(r1 == r2)
        #expect(r1.outcome == .rejected)
        #expect(r1.error?["field"]?.stringValue == "location")
        #expect(r1.error?["message_ja"]?.stringValue == "location は必須です")
        let stats = try await store.stats()
        #expect(stats.events == 1)
        #expect(stats.cases == 0)
        let counts = try await store.spoolCounts()
        #expect(counts.accepted == 0 && counts.rejected == 1)
        let verdict = try AuditReader(path: path).verify()
        #expect(verdict.problem == nil)
    }
}
