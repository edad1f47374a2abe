import SokuhoCore
import Testing

/// A refused member is named in `error.field` by the name the client sent.
@Suite("Request members: errors name the member the client sent")
struct RequestMemberTests {
    @Test("outbox.list with a malformed case_id names case_id, not id")
    func outboxListCaseID() async throws {
        let f = try DeskFixture()
        let bad = await f.call(.audrey, ["op": "outbox.list", "case_id": "INC-nope"])
        #expect(bad["error"]?["code"] == "invalid_value", "\(bad.canonicalString.prefix(200))")
        #expect(bad["error"]?["field"] == "case_id", "\(bad.canonicalString.prefix(200))")
        let wrong = await f.call(.audrey, ["op": "outbox.list", "case_id": 7])
        #expect(wrong["error"]?["field"] == "case_id", "\(wrong.canonicalString.prefix(200))")
        let good = await f.call(.audrey, ["op": "outbox.list", "case_id": "INC-2026-0001"])
        #expect(good["ok"] == true, "\(good.canonicalString.prefix(200))")
    }

    @Test("case.get with a malformed id still names id")
    func caseGetID() async throws {
        let f = try DeskFixture()
        let bad = await f.call(.audrey, ["op": "case.get", "id": "INC-nope"])
        #expect(bad["error"]?["field"] == "id", "\(bad.canonicalString.prefix(200))")
    }
}
