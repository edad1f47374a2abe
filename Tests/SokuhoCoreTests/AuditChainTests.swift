import Foundation
import Testing

@testable import SokuhoCore

@Suite("The audit hash chain")
struct AuditChainTests {
    static func chain(_ n: Int) -> [StoredEvent] {
        var out: [StoredEvent] = []
        for i in 0..<n {
            let prev = out.last.map { ($0.seq, $0.hash) }
            out.append(
                StoredEvent.chained(
                    after: prev, at: "2026-11-26T00:00:0\(i % 10).000Z", caseID: "INC-2026-000\(i % 3 + 1)",
                    type: "case.opened", actor: ["uid": 0], data: ["n": .int(Int64(i))]))
        }
        return out
    }

    func verify(_ events: [StoredEvent], head: (Int64, String)?) -> AuditChain.Problem? {
        var v = AuditChain.Verifier()
        for e in events where !v.feed(e) { break }
        v.finish(recordedHead: head)
        return v.problem
    }

    @Test("a chain verifies; the first event links to 64 zeros")
    func valid() {
        let c = Self.chain(10)
        #expect(c[0].prevHash == AuditChain.genesisHash)
        #expect(c[1].prevHash == c[0].hash)
        #expect(verify(c, head: (10, c[9].hash)) == nil)
        #expect(verify([], head: nil) == nil)
    }

    @Test("the hash is SHA-256 of the documented canonical bytes")
    func canonicalBytes() {
        let e = StoredEvent.chained(after: nil, at: "2026-01-01T00:00:00.000Z", caseID: nil, type: "t", actor: [:], data: [:])
        #expect(
            String(decoding: e.canonicalBytes, as: UTF8.self)
                == #"{"actor":{},"at":"2026-01-01T00:00:00.000Z","case_id":null,"data":{},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"type":"t"}"#
        )
        #expect(e.hash.count == 64)
    }

    @Test("an edited event is named")
    func edited() {
        var c = Self.chain(10)
        c[4].data = ["n": 99]
        let p = verify(c, head: (10, c[9].hash))
        #expect(p?.kind == .edited)
        #expect(p?.seq == 5)
    }

    @Test("an edited event whose hash was recomputed breaks the next link")
    func rewritten() {
        var c = Self.chain(10)
        c[4].data = ["n": 99]
        c[4].hash = AuditChain.hash(of: c[4])
        let p = verify(c, head: (10, c[9].hash))
        #expect(p?.kind == .brokenLink)
        #expect(p?.seq == 6)
    }

    @Test("a deleted event is named, in the middle and at the end")
    func deleted() {
        var c = Self.chain(10)
        c.remove(at: 3)
        #expect(verify(c, head: (10, c.last!.hash))?.kind == .missing)
        #expect(verify(c, head: (10, c.last!.hash))?.seq == 4)
        var d = Self.chain(10)
        d.removeLast()
        #expect(verify(d, head: (10, "x"))?.kind == .headMismatch)
        #expect(verify(d, head: (10, "x"))?.seq == 10)
    }

    @Test("reordered events are detected")
    func reordered() {
        var c = Self.chain(10)
        c.swapAt(2, 3)
        (c[2].seq, c[3].seq) = (3, 4)
        let p = verify(c, head: (10, c[9].hash))
        #expect(p != nil)
        #expect(p?.seq == 3)
    }
}

@Suite("Time, ids, suggestions, roles")
struct SupportTests {
    @Test("RFC 3339 parsing accepts times and dates, refuses the rest")
    func rfc3339() {
        #expect(Timestamp(rfc3339: "2026-11-26T09:30:00+09:00")?.epochSeconds == Timestamp(rfc3339: "2026-11-26T00:30:00Z")?.epochSeconds)
        #expect(Timestamp(rfc3339: "2026-11-26T00:30:00.250Z")?.epochSeconds == 1_795_653_000.25)
        #expect(Timestamp(rfc3339: "2024-02-29")?.isDateOnly == true)
        for bad in ["2023-02-29", "2026-11-26T25:00:00Z", "2026-11-26T10:00:00", "26-11-2026", "yesterday", "2026-11-26T10:00:00+0900", ""]
        {
            #expect(Timestamp(rfc3339: bad) == nil, "\(bad)")
        }
    }

    @Test("formatting is UTC with milliseconds; the year follows the offset")
    func format() {
        let d = Date(timeIntervalSince1970: 1_798_729_200.5)  // 2026-12-31T15:00:00.500Z = 2027-01-01 00:00 JST
        #expect(Timestamp.format(d) == "2026-12-31T15:00:00.500Z")
        #expect(Timestamp.year(of: d, utcOffset: 9 * 3600) == 2027)
        #expect(Timestamp.year(of: d, utcOffset: 0) == 2026)
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test("case ids")
    func caseIDs() {
        #expect(CaseID.make(year: 2026, number: 7) == "INC-2026-0007")
        #expect(CaseID.make(year: 2026, number: 12345) == "INC-2026-12345")
        #expect(CaseID.parse("INC-2026-0007")! == (2026, 7))
        #expect(CaseID.parse("INC-2026-7") == nil)
        #expect(CaseID.parse("inc-2026-0007") == nil)
    }

    @Test("suggestions catch typos, not unrelated words")
    func suggestions() {
        #expect(Suggestion.closest(to: "locaton", among: Report.fieldNames) == "location")
        #expect(Suggestion.closest(to: "circumstance", among: Report.fieldNames) == "circumstances")
        #expect(Suggestion.closest(to: "cuont", among: Report.fieldNames) == "count")
        #expect(Suggestion.closest(to: "banana", among: Report.fieldNames) == nil)
    }

    @Test("roles from users and groups; root and the daemon user are admins")
    func roles() {
        let p = RolePolicy(reporter: .init(groups: ["staff"]), lead: .init(users: ["lead1"]), auditor: .init(users: ["1234"]))
        #expect(p.roles(uid: 0, user: "root", groups: [], daemonUID: 999).contains(.admin))
        #expect(p.roles(uid: 999, user: "sokuho", groups: [], daemonUID: 999).contains(.admin))
        #expect(p.roles(uid: 1000, user: "alice", groups: ["staff"], daemonUID: 999) == [.reporter])
        #expect(p.roles(uid: 1001, user: "lead1", groups: [], daemonUID: 999) == [.lead])
        #expect(p.roles(uid: 1234, user: "carol", groups: [], daemonUID: 999) == [.auditor])
        #expect(p.roles(uid: 1002, user: "bob", groups: ["other"], daemonUID: 999).isEmpty)
        if case .denied = Permission.decide(op: "report", roles: []) {} else { Issue.record("no role, no report") }
        #expect(Permission.decide(op: "case.get", roles: [.reporter]) == .allowedOwnCasesOnly(as: .reporter))
        #expect(
            Permission.decide(op: "case.update", roles: [.reporter, .auditor]) == .denied(reason: "updating a case needs the lead role"))
        #expect(Permission.decide(op: "case.update", roles: [.lead]) == .allowed(as: .lead))
        if case .denied = Permission.decide(op: "report", roles: [.auditor]) {} else { Issue.record("auditors do not report") }
    }
}
