import Foundation
import SokuhoCore
import Testing

@testable import SokuhoStore

/// `CaseStore.caseForLook` takes a case just committed from memory (`RecentCases`) only while its
/// row has not moved; whatever changed it, the answer is the case replayed from its events.
@Suite("A look at a case: from memory only while it is current")
struct RecentCasesTests {
    let dir: String
    let path: String
    let actor = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 4242, user: "alice"), role: .reporter, channel: "socket")
    let date = Date(timeIntervalSince1970: 1_795_650_000)

    init() throws {
        dir = NSTemporaryDirectory() + "sokuho-recent-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        path = dir + "/sokuho.db"
    }

    func report() throws -> Report {
        try Report.validate(["kind": "loss", "information": "USBメモリ", "location": "電車内", "circumstances": "置き忘れ"])
    }

    func remind(_ step: String) -> @Sendable (Case) throws -> [CaseChange] {
        { _ in [CaseChange(.stepReminded(StepReminded(step: step, dueAt: "2026-11-28T00:00:00Z", overdueSeconds: 60, endpoint: nil)))] }
    }

    /// What `getCase` replays from the events, as canonical JSON.
    func replayed(_ store: CaseStore, _ id: String) async throws -> String? {
        try await store.getCase(id: id)?.0.json.canonicalString
    }

    @Test("as the runner: after an opening and after a change, the look is the replayed case")
    func current() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CaseStore(path: path)
        let id = try await store.openCase(try report(), actor: actor, at: date, year: 2026).case.id
        #expect(store.recent.count == 1)
        // The committed case is held at its row's last_seq: the look below needs no replay.
        let lastSeq = try #require(
            try await store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT last_seq FROM cases WHERE id = ?", arguments: [id]) })
        #expect(try await store.recent.find(id, lastSeq: lastSeq)?.json.canonicalString == replayed(store, id))
        let (opened, delivered) = try #require(try await store.caseForLook(id: id, endpoints: ["city"]))
        #expect(delivered == nil)
        #expect(try await opened.json.canonicalString == replayed(store, id))
        _ = try await store.mutateCase(id: id, actor: actor, at: date, remind("a"))
        let changed = try #require(try await store.caseForLook(id: id, endpoints: []))
        #expect(changed.0.version == opened.version + 1)
        #expect(try await changed.0.json.canonicalString == replayed(store, id))
        #expect(try await store.caseForLook(id: "INC-2026-9999", endpoints: []) == nil)
    }

    @Test("as a second writer: a change committed by another process is seen, not the remembered case")
    func secondWriter() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CaseStore(path: path)
        let id = try await store.openCase(try report(), actor: actor, at: date, year: 2026).case.id
        let before = try #require(try await store.caseForLook(id: id, endpoints: [])).0
        // Another CaseStore on the same file stands for any writer this store did not see.
        let other = try CaseStore(path: path)
        _ = try await other.mutateCase(id: id, actor: actor, at: date, remind("b"))
        let after = try #require(try await store.caseForLook(id: id, endpoints: [])).0
        #expect(after.version == before.version + 1)
        #expect(after.steps["b"]?.reminders == 1)
        #expect(try await after.json.canonicalString == replayed(store, id))
    }

    @Test("as an attacker: a refused change leaves nothing behind, and memory stays bounded under a flood of cases")
    func refusedAndBounded() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CaseStore(path: path)
        let id = try await store.openCase(try report(), actor: actor, at: date, year: 2026).case.id
        await #expect(throws: StoreError.self) {
            _ = try await store.mutateCase(id: id, actor: actor, at: date) { _ in
                throw ValidationError(.invalidValue, field: "x", "refused", ja: "拒否")
            }
        }
        #expect(try await store.caseForLook(id: id, endpoints: [])?.0.json.canonicalString == replayed(store, id))
        for _ in 0..<(RecentCases.capacity + 40) { _ = try await store.openCase(try report(), actor: actor, at: date, year: 2026) }
        #expect(store.recent.count <= RecentCases.capacity)
        // The first case was pushed out or is still current: either way the look is right.
        #expect(try await store.caseForLook(id: id, endpoints: [])?.0.json.canonicalString == replayed(store, id))
    }
}
