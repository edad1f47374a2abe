import Foundation
import SokuhoCity
import SokuhoCore
import Testing

@testable import SokuhoCityWeb

@Suite("The inbox's sessions, users file, forms and pages")
struct InboxSessionsTests {
    @Test("a session lives while used, idles out after 8 hours, ends at logout; ids and tokens are 32 random bytes")
    func sessions() async {
        let sessions = InboxSessions()
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let id = await sessions.open(user: "alice", now: t0)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        let s = await sessions.session(id: id, now: t0.addingTimeInterval(7 * 3600))
        #expect(s?.user == "alice")
        #expect(s?.csrf.count == 64 && s?.csrf != id)
        // Used at 7 h: still there at 14 h; gone 8 h after its last use.
        #expect(await sessions.session(id: id, now: t0.addingTimeInterval(14 * 3600)) != nil)
        #expect(await sessions.session(id: id, now: t0.addingTimeInterval(22 * 3600 + 1)) == nil)
        #expect(await sessions.session(id: id, now: t0.addingTimeInterval(14 * 3600)) == nil, "forgotten, not revived")
        let other = await sessions.open(user: "bob", now: t0)
        await sessions.end(id: other)
        #expect(await sessions.session(id: other, now: t0) == nil)
        #expect(Set((0..<100).map { _ in InboxSessions.randomToken() }).count == 100)
        #expect(InboxSessions.sameToken("ab", "ab") && !InboxSessions.sameToken("ab", "ac") && !InboxSessions.sameToken("", ""))
        #expect(!InboxSessions.sameToken("ab", "abc"))
    }

    @Test("the users file: refused when others may read it; names checked; add writes 0600 bcrypt hashes that verify")
    func usersFile() throws {
        let dir = NSTemporaryDirectory() + "inbox-users-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/users"
        #expect(try InboxUsers.load(file: file).hashes.isEmpty, "no file: no users")
        try InboxUsers.add(name: "alice", password: "correct horse battery", file: file, cost: 4)
        try InboxUsers.add(name: "bob", password: "another password", file: file, cost: 4)
        try InboxUsers.add(name: "alice", password: "a new password!", file: file, cost: 4)
        var st = stat()
        stat(file, &st)
        #expect(st.st_mode & 0o777 == 0o600)
        let users = try InboxUsers.load(file: file)
        #expect(users.hashes.count == 2)
        #expect(users.verify(name: "alice", password: "a new password!"))
        #expect(!users.verify(name: "alice", password: "correct horse battery"))
        #expect(users.verify(name: "bob", password: "another password"))
        #expect(!users.verify(name: "nobody", password: "another password"))
        chmod(file, 0o640)
        #expect(throws: Never.self) { try InboxUsers.load(file: file) }
        for mode in [0o644, 0o604, 0o602] as [mode_t] {
            chmod(file, mode)
            #expect(throws: InboxUsers.Failure.self) { try InboxUsers.load(file: file) }
        }
        chmod(file, 0o600)
        try "alice:not-a-hash\n".write(toFile: file, atomically: false, encoding: .utf8)
        #expect(throws: InboxUsers.Failure.self) { try InboxUsers.load(file: file) }
        for bad in ["", "a b", "a:b", "<script>", String(repeating: "a", count: 65)] { #expect(!InboxUsers.validName(bad)) }
        symlink("/etc/passwd", dir + "/link")
        #expect(throws: InboxUsers.Failure.self) { try InboxUsers.load(file: dir + "/link") }
    }

    @Test("forms: + and percent-decoding, the first value of a name, bad escapes skipped")
    func forms() {
        let f = InboxForm(Array("csrf=ab&text=%E5%AF%BE%E8%B1%A1+%3Cb%3E&text=second&bad=%zz&from=".utf8))
        #expect(f["csrf"] == "ab")
        #expect(f["text"] == "対象 <b>")
        #expect(f["bad"] == nil)
        #expect(f.text("from") == nil)
    }

    @Test("pages escape what contractors sent: markup, quotes, control and bidi characters")
    func escaping() {
        let hostile = "\"><script>alert(1)</script>\u{202E}\u{1B}[2J"
        let row = CityStore.CaseRow(
            contractor: "acme", caseID: "INC-2026-0001",
            facts: ["kind": .string(hostile), "information": .string(hostile), "state": .string(hostile), "count": 2],
            firstReceivedAt: hostile, updatedAt: hostile)
        let page = InboxPage(japanese: false, chosen: false, user: "alice", csrf: "0123")
        let html = page.list(rows: [row], contractors: ["acme"], filter: .init(contractor: nil, state: nil, attention: false), total: 1)
        #expect(!html.contains("<script") && !html.contains("\"><script"))
        #expect(html.contains("&quot;&gt;&lt;script&gt;"))
        #expect(!html.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x1B })
        let detail: JSONValue = [
            "contractor": "acme", "case_id": "INC-2026-0001", "facts": row.facts,
            "messages": [["webhook_id": .string(hostile), "type": .string(hostile), "received_at": .string(hostile)]],
            "instructions": [["id": "CI-1", "text": .string(hostile), "from": .string(hostile), "issued_at": "x", "issued_by": "alice"]],
            "publications": [
                ["id": "CP-1", "decision": .string(hostile), "url": .string("javascript:" + hostile), "decided_at": "x", "decided_by": "a"]
            ],
        ]
        let casePage = page.casePage(detail)
        #expect(!casePage.contains("<script") && !casePage.contains("\"><script") && !casePage.contains("href=\"javascript"))
        #expect(!casePage.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x1B })
        #expect(casePage.contains("name=\"csrf\" value=\"0123\""))
        #expect(InboxPage.casePath(contractor: "a/../b", caseID: "x?y") == "/case/a%2F..%2Fb/x%3Fy")
    }
}
