import Foundation
import SokuhoCity
import SokuhoCore
import Testing

@testable import SokuhoCityWeb

@Suite("The inbox's list pages by 100, newest first, within the filter")
struct InboxPagingTests {
    /// A store with `count` cases of acme (every third contained) and one of bento.
    static func store(count: Int) async throws -> (CityStore, String) {
        let dir = NSTemporaryDirectory() + "inbox-paging-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let store = try CityStore(path: dir + "/city.db")
        for i in 1...count {
            let id = String(format: "INC-2026-%04d", i)
            let data: JSONValue = ["case_id": .string(id), "state": .string(i % 3 == 0 ? "contained" : "open"), "kind": "loss"]
            _ = try await store.record(
                .init(
                    contractor: "acme", webhookID: "msg_\(i)", bodySHA256: "h\(i)", payload: ["type": "incident.opened", "data": data],
                    receivedAt: String(format: "2026-11-28T00:%02d:%02d.000Z", i / 60, i % 60)))
        }
        _ = try await store.record(
            .init(
                contractor: "bento", webhookID: "msg_b", bodySHA256: "hb",
                payload: ["type": "incident.opened", "data": ["case_id": "INC-2026-0001", "state": "open"]],
                receivedAt: "2026-11-27T00:00:00.000Z"))
        return (store, dir)
    }

    @Test("pages, counts and the state filter come from the store, not from a capped list")
    func storePaging() async throws {
        let (store, dir) = try await Self.store(count: 250)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try await store.caseCount() == 251)
        #expect(try await store.caseCount(contractor: "acme", state: "contained") == 83)
        let first = try await store.cases(limit: 100)
        let second = try await store.cases(limit: 100, offset: 100)
        let third = try await store.cases(limit: 100, offset: 200)
        #expect(first.count == 100 && second.count == 100 && third.count == 51)
        #expect(first.first?.caseID == "INC-2026-0250")
        #expect(third.last?.contractor == "bento")
        #expect(Set((first + second + third).map { $0.contractor + $0.caseID }).count == 251, "no case twice, none left out")
        // The state filter is applied before the limit: all 83 contained cases, even with a limit of 100.
        let contained = try await store.cases(state: "contained", limit: 100)
        #expect(contained.count == 83 && contained.allSatisfy { $0.facts["state"]?.stringValue == "contained" })
        // Hostile values are bound, never spliced.
        #expect(try await store.caseCount(contractor: "acme' OR 1=1 --") == 0)
        #expect(try await store.cases(limit: -5, offset: -5).isEmpty)
    }

    @Test("the pager says which cases are shown and links the neighbours, keeping the filter and language")
    func pager() {
        let page = InboxPage(japanese: false, chosen: true, user: "alice", csrf: "0123")
        var filter = InboxPage.Filter(contractor: "acme", state: "open", attention: true, page: 2)
        let html = page.pager(filter: filter, shown: 100, total: 250)
        #expect(html.contains("Cases 101–200 of 250"))
        #expect(html.contains("href=\"/?contractor=acme&amp;state=open&amp;attention=1&amp;lang=en\" rel=\"prev\""))
        #expect(html.contains("href=\"/?contractor=acme&amp;state=open&amp;attention=1&amp;page=3&amp;lang=en\" rel=\"next\""))
        filter.page = 3
        let last = page.pager(filter: filter, shown: 50, total: 250)
        #expect(last.contains("201–250 of 250") && !last.contains("rel=\"next\""))
        let ja = InboxPage(japanese: true, chosen: false).pager(
            filter: .init(contractor: nil, state: nil, attention: false), shown: 100, total: 1234)
        #expect(ja.contains("全 1,234 件中 1–100 件目") && ja.contains("href=\"/?page=2\"") && !ja.contains("rel=\"prev\""))
    }

    @Test("the list reads only what it shows: a megabyte of information is cut to 200 characters, flags and counts kept")
    func summary() async throws {
        let dir = NSTemporaryDirectory() + "inbox-summary-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CityStore(path: dir + "/city.db")
        let data: JSONValue = [
            "case_id": "INC-2026-0001", "state": "open", "kind": "leak", "suspected": true, "count": 1200, "count_unit": "人",
            "count_precision": "approximate", "information": .string(String(repeating: "個", count: 1 << 20)), "instructions_open": 2,
            "discovered_at": "2026-11-28T00:00:00Z", "location": .string(String(repeating: "x", count: 1 << 20)),
        ]
        _ = try await store.record(
            .init(
                contractor: "acme", webhookID: "msg_1", bodySHA256: "h", payload: ["type": "incident.opened", "data": data],
                receivedAt: "2026-11-28T00:20:00.000Z"))
        let row = try #require(try await store.cases(summary: true).first)
        #expect(row.facts["information"]?.stringValue?.count == 200)
        #expect(row.facts["location"] == nil)
        #expect(row.facts["suspected"] == true && row.facts["count"] == 1200 && row.facts["count_unit"] == "人")
        #expect(row.facts["instructions_open"] == 2 && row.firstReportDelayMinutes == 20)
        #expect(InboxPage.needsAttention(row))
        // The full facts stay available to show and to the CLI.
        #expect(try await store.cases().first?.facts["information"]?.stringValue?.count == 1 << 20)
    }

    @Test("a late retry with a lower sequence is stored but does not roll the case's facts back")
    func lateRetry() async throws {
        let dir = NSTemporaryDirectory() + "inbox-sequence-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try CityStore(path: dir + "/city.db")
        func send(_ id: String, sequence: Int64, state: String) async throws {
            _ = try await store.record(
                .init(
                    contractor: "acme", webhookID: id, bodySHA256: id,
                    payload: [
                        "type": "incident.updated",
                        "data": ["case_id": "INC-2026-0001", "sequence": .int(sequence), "state": .string(state)],
                    ],
                    receivedAt: "2026-11-28T00:00:00.000Z"))
        }
        try await send("msg_1", sequence: 1, state: "open")
        try await send("msg_3", sequence: 3, state: "contained")
        try await send("msg_2", sequence: 2, state: "open")  // arrives late
        let facts = try #require(try await store.cases().first).facts
        #expect(facts["state"] == "contained" && facts["sequence"] == 3)
        let detail = try await store.caseDetail(contractor: "acme", caseID: "INC-2026-0001")
        #expect(detail["messages"]?.arrayValue?.count == 3, "every message is kept")
    }

    @Test("what the city owes fits in what a contractor reads of an answer; the rest follows")
    func owedFitsTheAnswer() async throws {
        let (store, dir) = try await Self.store(count: 1)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = String(repeating: "指示", count: 5_000)  // 10,000 characters, 30 KB
        for _ in 0..<3 {
            _ = try await store.instruct(
                contractor: "acme", caseID: "INC-2026-0001", text: long, from: nil, by: "staff", at: "2026-11-28T01:00:00.000Z")
        }
        let (_, answer) = try await store.record(
            .init(
                contractor: "acme", webhookID: "msg_next", bodySHA256: "hn",
                payload: ["type": "incident.updated", "data": ["case_id": "INC-2026-0001", "state": "open"]],
                receivedAt: "2026-11-28T02:00:00.000Z"))
        #expect(answer.canonicalBytes.count <= EscalationMessage.maxAnswerBytes)
        #expect(answer["instructions"]?.arrayValue?.count == 1, "one of three fits now; the others follow")
    }

    @Test("a login token is 64 ASCII hex digits, nothing else")
    func tokens() {
        #expect(InboxSessions.isToken(InboxSessions.randomToken()))
        #expect(!InboxSessions.isToken(String(repeating: "０", count: 64)), "full-width digits are hex digits to Swift, not to us")
        #expect(!InboxSessions.isToken(String(repeating: "a", count: 64) + "\u{1b}"))
    }

    @Test(
        "a city database from before the summaries gets them at open (migration v2-summary)",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func summaryMigration() async throws {
        let dir = NSTemporaryDirectory() + "inbox-migrate-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/city.db"
        do {
            let store = try CityStore(path: path)
            _ = try await store.record(
                .init(
                    contractor: "acme", webhookID: "msg_1", bodySHA256: "h",
                    payload: ["type": "incident.opened", "data": ["case_id": "INC-2026-0001", "state": "contained", "information": "名簿"]],
                    receivedAt: "2026-11-28T00:00:00.000Z"))
        }
        // Back to version 1: no summary column, the second migration not applied.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [path, "ALTER TABLE cases DROP COLUMN summary; DELETE FROM grdb_migrations WHERE identifier = 'v2-summary';"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let reopened = try CityStore(path: path)
        let row = try #require(try await reopened.cases(state: "contained", summary: true).first)
        #expect(row.facts["information"] == "名簿" && row.facts["state"] == "contained")
    }
}
