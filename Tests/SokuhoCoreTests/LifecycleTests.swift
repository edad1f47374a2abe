import Foundation
import Testing

@testable import SokuhoCore

@Suite("Case lifecycle, closure gates, clocks, APPI items, instructions")
struct CaseLifecycleTests {
    let t0 = Timestamp(rfc3339: "2026-11-26T09:00:00Z")!.epochSeconds

    func makeCase(count: Int64? = 1200) throws -> Case {
        var o: [String: JSONValue] = [
            "kind": "leak", "information": "名簿", "location": "本社", "circumstances": "誤送信",
            "discovered_at": "2026-11-26T09:00:00Z",
        ]
        if let count { o["count"] = .int(count) }
        return try Case.opened(
            id: "INC-2026-0001", at: "2026-11-26T09:05:00.000Z",
            data: Case.openingData(
                report: try Report.validate(.object(o)), reportedBy: PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "alice"),
                source: .socket), hash: "h")
    }

    func move(_ c: inout Case, to: CaseState, reason: String? = nil, resolution: Resolution? = nil) throws {
        let transition = try CaseLifecycle.transition(c, to: to, reason: reason, resolution: resolution)
        // Through the stored form, as a replay reads it.
        try c.apply(type: EventType.caseTransitioned.rawValue, at: "2026-11-27T00:00:00Z", data: CaseEvent.transitioned(transition).data)
    }

    @Test("every allowed transition, and the refused ones with what is possible instead")
    func transitions() throws {
        var c = try makeCase()
        try move(&c, to: .contained)
        try move(&c, to: .resolved)
        #expect(c.resolution == .incident)
        try move(&c, to: .closed)
        #expect(c.state == .closed && c.closedAt != nil)
        #expect(throws: ValidationError.self) { try move(&c, to: .open) }  // no reason
        try move(&c, to: .open, reason: "新たな漏えい先が判明")
        #expect(c.state == .open && c.resolution == nil && c.closedAt == nil)
        try move(&c, to: .resolved, resolution: .falsePositive)
        #expect(c.resolution == .falsePositive)

        let fresh = try makeCase()
        for (to, mentions) in [(CaseState.closed, "resolve it first"), (.open, "already open")] {
            do { _ = try CaseLifecycle.transition(fresh, to: to, reason: "x", resolution: nil); Issue.record("\(to) accepted") } catch {
                #expect(error.code == .conflict)
                #expect(error.message.contains(mentions), "\(error.message)")
            }
        }
        #expect(throws: ValidationError.self) {
            _ = try CaseLifecycle.transition(fresh, to: .contained, reason: nil, resolution: .incident)
        }
        #expect(CaseLifecycle.messageType(to: .closed) == "incident.closed")
        #expect(CaseLifecycle.messageType(to: .open) == "incident.reopened")
        #expect(CaseLifecycle.messageType(to: .contained) == "incident.state_changed")
    }

    @Test("closure gates: each one named, all at once")
    func gates() throws {
        var c = try makeCase(count: nil)
        let p = try samplePlaybook()
        var steps = PlaybookEngine.evaluate(p, case: c, now: t0)
        try c.apply(
            type: "instruction.added", at: "2026-11-26T10:00:00Z",
            data: ["instruction": "I-1", "from": "市", "text": "一覧を提出", "source": "manual"])
        var gates = ClosureGates.unmet(c, steps: steps, finalReportEndpoints: [])
        #expect(gates.map(\.key) == ["resolved", "count", "steps", "instructions", "final_report"])
        #expect(gates[2].en.contains("contain, scope, final"))
        #expect(gates[3].ja.contains("I-1"))

        try c.apply(type: "case.updated", at: "2026-11-26T11:00:00Z", data: ["changes": ["count": ["from": .null, "to": 10]]])
        for s in ["contain", "scope", "final"] {
            try c.apply(type: "step.skipped", at: "2026-11-26T11:00:00Z", data: ["step": .string(s), "reason": "誤検知"])
        }
        try c.apply(type: "instruction.done", at: "2026-11-26T12:00:00Z", data: ["instruction": "I-1", "response": "提出済み"])
        try move(&c, to: .resolved, resolution: .falsePositive)
        steps = PlaybookEngine.evaluate(p, case: c, now: t0)
        gates = ClosureGates.unmet(c, steps: steps, finalReportEndpoints: ["city"])
        #expect(gates.isEmpty, "\(gates)")
    }

    @Test("clocks: first report delivered in time, late or missed; preliminary and confirmed; 60 days with malicious intent; GDPR profile")
    func clocks() throws {
        var c = try makeCase()
        var s = ClockSettings()
        s.gdpr = 72 * 3600
        func state(_ clocks: [CaseClock], _ n: CaseClock.Name) -> CaseClock { clocks.first { $0.name == n }! }

        var k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: t0 + 60, now: t0 + 120)
        #expect(state(k, .firstReport).state == .met)
        #expect(state(k, .preliminary).dueAt == t0 + 3 * 86400)
        #expect(state(k, .confirmed).dueAt == t0 + 30 * 86400)
        #expect(state(k, .gdpr).dueAt == t0 + 72 * 3600)
        k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: t0 + 1200, now: t0 + 1300)
        #expect(state(k, .firstReport).state == .metLate)
        k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: nil, now: t0 + 901)
        #expect(state(k, .firstReport).state == .missed)
        #expect(CaseClocks.newlyMissed(k, case: c).map(\.name) == [.firstReport])
        try c.apply(type: "clock.missed", at: "2026-11-26T09:16:00Z", data: ["clock": "first_report"])
        #expect(CaseClocks.newlyMissed(k, case: c).isEmpty)  // alarms once
        #expect(CaseClocks.nextDue(k, now: t0 + 901) == t0 + 72 * 3600)
        // A report that arrives after a clock was already due (discovered long ago): shown as
        // missed, no alarm of its own.
        let late = try Case.opened(
            id: "INC-2026-0002", at: "2026-12-30T00:00:00.000Z",
            data: Case.openingData(
                report: try Report.validate([
                    "kind": "loss", "information": "i", "location": "l", "circumstances": "c", "discovered_at": "2026-11-26T09:00:00Z",
                ]),
                reportedBy: PeerIdentity(uid: 1, gid: 1, pid: 1, user: nil), source: .socket), hash: "h")
        let lateClocks = CaseClocks.evaluate(late, settings: ClockSettings(), firstReportDeliveredAt: nil, now: t0 + 40 * 86400)
        #expect(lateClocks.filter { $0.state == .missed }.count == 3)
        #expect(CaseClocks.newlyMissed(lateClocks, case: late).isEmpty)

        // The preliminary report meets the preliminary and GDPR clocks.
        try c.apply(type: "report.submitted", at: "2026-11-28T09:00:00Z", data: ["report": "preliminary"])
        k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: t0 + 60, now: t0 + 4 * 86400)
        #expect(state(k, .preliminary).state == .met)
        #expect(state(k, .gdpr).state == .met)
        #expect(state(k, .confirmed).state == .pending)
        k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: t0 + 60, now: t0 + 31 * 86400)
        #expect(state(k, .confirmed).state == .missed)

        // Malicious intent: 60 days.
        try c.apply(type: "appi.updated", at: "2026-11-28T10:00:00Z", data: ["changes": ["malicious": ["from": .null, "to": true]]])
        k = CaseClocks.evaluate(c, settings: s, firstReportDeliveredAt: t0 + 60, now: t0 + 31 * 86400)
        #expect(state(k, .confirmed).dueAt == t0 + 60 * 86400)
        #expect(state(k, .confirmed).state == .pending)

        // A suspicion that proved unfounded needs no APPI reports.
        var fp = try makeCase()
        try move(&fp, to: .resolved, resolution: .falsePositive)
        k = CaseClocks.evaluate(fp, settings: ClockSettings(), firstReportDeliveredAt: t0 + 60, now: t0 + 40 * 86400)
        #expect(state(k, .preliminary).state == .notRequired && state(k, .confirmed).state == .notRequired)
    }

    @Test("APPI items: validated, persons separate from the count, and the national-report assessment with the public-body threshold")
    func appi() throws {
        var a = AppiItems()
        #expect(a.nationalReport(threshold: 100).likely == nil)
        let changes = try AppiItems.changes(["persons": 120, "sensitive": false, "financial_harm": false, "malicious": false], to: a)
        #expect(changes["persons"]?["to"] == 120)
        #expect(changes["persons_precision"]?["to"] == "exact")
        a = try AppiItems.validate(["persons": 120, "sensitive": false, "financial_harm": false, "malicious": false])
        #expect(a.nationalReport(threshold: 100).likely == true)
        #expect(a.nationalReport(threshold: 1000).likely == false)
        a.sensitive = true
        #expect(a.nationalReport(threshold: 1000).likely == true)  // from a single person
        a.encrypted = true
        #expect(a.nationalReport(threshold: 100).likely == false)
        #expect(throws: ValidationError.self) { _ = try AppiItems.validate(["secondary_harm": "maybe"]) }
        #expect(throws: ValidationError.self) { _ = try AppiItems.validate(["persons": "many"]) }
        let split = try CaseUpdate.split(["count": 3, "persons": 2, "cause": "誤送信"])
        #expect(split.report.keys.sorted() == ["count"] && split.appi.keys.sorted() == ["cause", "persons"])
        do { _ = try CaseUpdate.split(["persns": 2]); Issue.record("accepted") } catch {
            #expect(error.message.contains("did you mean \"persons\""))
        }
    }

    @Test("instructions from an endpoint's answer: the documented shape, anything else ignored")
    func instructionsFromAnswer() {
        let body = Array(
            #"{"instructions": [{"id": "c-1", "from": "情報政策課", "text": "一覧を提出", "issued_at": "2026-11-26T10:00:00+09:00"}, {"text": ""}, {"id": "c-2", "text": "報告書を提出"}]}"#
                .utf8)
        let items = Instruction.fromWebhookAnswer(body)
        #expect(items.count == 2)
        #expect(items[0].externalID == "c-1" && items[0].from == "情報政策課" && items[0].issuedAt == "2026-11-26T10:00:00+09:00")
        #expect(items[1].text == "報告書を提出" && items[1].from == nil)
        #expect(Instruction.fromWebhookAnswer(Array(#"{"ok":true}"#.utf8)).isEmpty)
        #expect(Instruction.fromWebhookAnswer(Array("not json".utf8)).isEmpty)
        #expect(Instruction.fromWebhookAnswer([]).isEmpty)
    }

    @Test("publication requests: a published decision needs date and url")
    func publication() throws {
        #expect(try Publication.request(["decision": "planned"]).decision == .planned)
        #expect(throws: ValidationError.self) { _ = try Publication.request(["decision": "published", "date": "2026-12-01"]) }
        #expect(throws: ValidationError.self) { _ = try Publication.request(["decision": "maybe"]) }
        #expect(throws: ValidationError.self) { _ = try Publication.request(["decision": "planned", "url": "ftp://x"]) }
    }
}
