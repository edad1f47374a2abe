import Foundation
import SokuhoCore
import SokuhoStore
import SokuhoTestSupport
import Testing

/// The defects of the isolation issue, each as the user who was harmed and the user who harmed.
@Suite("Isolation: no reporter reads, suppresses or buries another's report")
struct IsolationTests {
    @Test("a reporter cannot read another's dossier with case.report (defect 1)")
    func dossierIsOwnOnly() async throws {
        let f = try DeskFixture()
        let id = try await f.report(.alice)
        let bob = await f.call(.bob, ["op": "case.report", "id": .string(id)])
        #expect(bob["error"]?["code"] == "not_found", "\(bob.canonicalString.prefix(200))")
        #expect(!bob.canonicalString.contains("顧客名簿"))
        let alice = await f.call(.alice, ["op": "case.report", "id": .string(id)])
        #expect(alice["ok"] == true)
    }

    @Test("report_id is a key per reporter: nobody reads or suppresses another's report through it (defect 2)")
    func reportIDPerReporter() async throws {
        let f = try DeskFixture()
        // Reading: bob sends alice's report_id and must not get her case.
        let aliceCase = try await f.report(.alice, ["report_id": "r-2026-001", "information": "alice の名簿"])
        let bob = await f.call(.bob, ["op": "report", "report": minimalReport(["report_id": "r-2026-001", "information": "bob の報告"])])
        #expect(bob["duplicate"] == false)
        let bobCase = try #require(bob["case"]?["id"]?.stringValue)
        #expect(bobCase != aliceCase)
        #expect(!bob.canonicalString.contains("alice の名簿"))
        // Suppressing: bob claims a guessable id first; alice's real report under it is still recorded.
        _ = try await f.report(.bob, ["report_id": "scan-2026-11-28-001", "information": "decoy"])
        let real = await f.call(
            .alice, ["op": "report", "report": minimalReport(["report_id": "scan-2026-11-28-001", "information": "本物の報告"])])
        #expect(real["duplicate"] == false, "alice's report must not be dropped as bob's duplicate")
        #expect(real["case"]?["information"] == "本物の報告")
        // Her own retry is still idempotent.
        let retry = await f.call(
            .alice, ["op": "report", "report": minimalReport(["report_id": "scan-2026-11-28-001", "information": "本物の報告"])])
        #expect(retry["duplicate"] == true)
        #expect(retry["case"]?["id"] == real["case"]?["id"])
        let list = await f.call(.lena, ["op": "case.list"])
        #expect(list["count"] == 4)
    }

    @Test("refusals cannot bury the chain: bounded facts, and rate-limited per user (defect 3)")
    func refusalsAreBounded() async throws {
        let f = try DeskFixture(clock: DeskFixture.StillClock(date: Date()))
        let before = try FileManager.default.attributesOfItem(atPath: f.dbPath)[.size] as? Int ?? 0
        let huge = String(repeating: "A", count: 1 << 20)
        for _ in 0..<50 {
            let r = await f.call(.carol, ["op": "case.update", "id": .string(huge), "fields": ["count": 1]])
            #expect(r["error"]?["code"] == "forbidden")
        }
        let refusals = try f.refusals()
        #expect(refusals.count == 20, "a burst of 20 is recorded, the rest counted: \(refusals.count)")
        #expect(refusals.allSatisfy { $0.utf8.count < 200 })
        let stats = try await f.store.stats()
        #expect(stats.events <= 21)
        let wal = (try? FileManager.default.attributesOfItem(atPath: f.dbPath + "-wal")[.size] as? Int) ?? 0
        let after = (try FileManager.default.attributesOfItem(atPath: f.dbPath)[.size] as? Int ?? 0) + wal
        #expect(after - before < 2_000_000, "50 refused 1 MB requests added \(after - before) bytes")
        // Another user is not limited by carol's refusals.
        _ = await f.call(.bob, ["op": "case.update", "id": "INC-2026-0001", "fields": ["count": 1]])
        #expect(try f.refusals().count == 21)
    }

    @Test("the limiter records a burst, then one per refill, and counts the rest into the next record")
    func limiter() {
        var l = RefusalLimiter(burst: 3, refillSeconds: 10)
        #expect((0..<3).map { _ in l.admit(uid: 1, now: 0).record } == [true, true, true])
        #expect(l.admit(uid: 1, now: 1) == (false, 1))
        #expect(l.admit(uid: 1, now: 2) == (false, 2))
        #expect(l.admit(uid: 2, now: 2).record, "each user has their own bucket")
        let next = l.admit(uid: 1, now: 12)
        #expect(next.record && next.suppressed == 2)
        var small = RefusalLimiter(burst: 1, refillSeconds: 1, maxUsers: 4)
        for uid in 0..<100 { _ = small.admit(uid: UInt32(uid), now: 0) }
        #expect(small.users <= 4, "the table never holds more than maxUsers users")
    }

    @Test("a refused request about a case leaves audit verify passing, and the case readable (defect 6)")
    func refusalKeepsVerifyGreen() async throws {
        let f = try DeskFixture()
        let id = try await f.report(.alice)
        let r = await f.call(.alice, ["op": "case.update", "id": .string(id), "fields": ["count": 5]])
        #expect(r["error"]?["code"] == "forbidden")
        // A refusal naming a case that does not exist yet must not break that case later.
        let year = String(id.split(separator: "-")[1])
        let future = "INC-\(year)-0002"
        _ = await f.call(.carol, ["op": "case.get", "id": .string(future)])
        #expect(try await f.report(.bob) == future)
        let got = await f.call(.lena, ["op": "case.get", "id": .string(future)])
        #expect(got["ok"] == true, "\(got.canonicalString.prefix(200))")
        let verdict = try f.verify()
        #expect(verdict.problem == nil, "\(String(describing: verdict.problem))")
        #expect(try f.refusals().allSatisfy { $0.contains("\"case_id\"") })
    }

    @Test("a replayed case ignores refusals recorded with its id by earlier versions")
    func replayIgnoresRefusals() throws {
        let report = try Report.validate(minimalReport())
        let peer = PeerIdentity(uid: 1, gid: 1, pid: 1, user: "a")
        var c = try Case.opened(
            id: "INC-2026-0001", at: "t0", data: Case.openingData(report: report, reportedBy: peer, source: .socket), hash: "h")
        let before = (c.version, c.updatedAt)
        try c.apply(type: EventType.accessDenied.rawValue, at: "t1", data: ["op": "case.update"])
        #expect(c.version == before.0 && c.updatedAt == before.1)
    }

    @Test("status tells a user without a role only who they are (defect 7)")
    func statusForNoRole() async throws {
        let f = try DeskFixture()
        _ = try await f.report(.alice)
        let carol = await f.call(.carol, ["op": "status"])
        #expect(carol["ok"] == true)
        #expect(carol["status"]?.objectValue?.keys.sorted() == ["you"])
        #expect(carol["status"]?["you"]?["roles"] == [])
        #expect(!carol.canonicalString.contains(f.dbPath))
        let alice = await f.call(.alice, ["op": "status"])
        #expect(alice["status"]?["cases"] != nil)
    }
}
