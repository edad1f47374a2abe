import Foundation
import Testing

@testable import SokuhoCore

/// A small playbook in JSON (what the YAML loader hands over).
func samplePlaybook(_ edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> Playbook {
    func step(_ id: String, _ extra: [String: JSONValue] = [:]) -> JSONValue {
        var o: [String: JSONValue] = ["id": .string(id), "title": ["ja": "手順", "en": "Step"], "guide": ["ja": "説明", "en": "Guide"]]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }
    var o: [String: JSONValue] = [
        "playbook": "leak", "title": ["ja": "漏えい", "en": "Leak"], "applies_to": ["kinds": ["leak"]],
        "steps": [
            step("alert", ["type": "auto", "action": ["type": "notify"]]),
            step("contain", ["due": "1h", "mandatory": true]),
            step("tell_city", ["type": "auto", "after": ["contain"], "action": ["type": "notify_city", "event": "incident.contained"]]),
            step("scope", ["after": ["contain"], "due": ["in": "2h", "from": "contain"], "mandatory": true]),
            step("big", ["when": "count > 100", "after": ["scope"], "due": "3d"]),
            step("final", ["after": ["scope", "big"], "due": "30d", "mandatory": true]),
            step("remind", ["type": "auto", "action": ["type": "remind"], "due": "60h"]),
        ],
    ]
    edit(&o)
    return try Playbook.parse(.object(o))
}

@Suite("Playbook format: every problem is named with its place")
struct PlaybookParseTests {
    @Test("a valid playbook parses, keeps its defaults, and round-trips through its stored form with the same hash")
    func roundTrip() throws {
        let p = try samplePlaybook()
        #expect(p.steps.count == 7)
        #expect(p.step("contain")?.role == .lead)
        #expect(p.step("contain")?.type == .manual)
        #expect(p.step("scope")?.due == Playbook.Due(seconds: 7200, from: .step("contain")))
        let again = try Playbook.parse(p.json)
        #expect(again == p)
        #expect(again.hash == p.hash)
        #expect(p.hash.count == 64)
        var changed = p
        changed.steps[1].due = Playbook.Due(seconds: 7200, from: .discovery)
        #expect(changed.hash != p.hash)
    }

    func topError(_ edit: (inout [String: JSONValue]) -> Void) -> PlaybookError? {
        do { _ = try samplePlaybook(edit); return nil } catch let e as PlaybookError { return e } catch { return nil }
    }

    @Test("top-level problems name the path")
    func topLevel() {
        let cases: [(PlaybookError?, String, String)] = [
            (topError { $0["titel"] = "x" }, "titel", "did you mean \"title\""),
            (topError { $0["applies_to"] = ["kinds": ["leek"]] }, "applies_to.kinds[0]", "did you mean \"leak\""),
            (topError { $0["steps"] = [] }, "steps", "non-empty"),
            (topError { $0["title"] = ["ja": "漏えい"] }, "title.en", "required"),
            (topError { $0.removeValue(forKey: "playbook") }, "playbook", "required"),
            (topError { $0["playbook"] = "漏えい" }, "playbook", "not a name"),
        ]
        for (error, path, mentions) in cases {
            #expect(error?.path == path, "\(String(describing: error))")
            #expect(error?.message.contains(mentions) == true, "\(String(describing: error))")
        }
    }

    func stepError(_ step: [String: JSONValue], extraSteps: [JSONValue] = []) -> PlaybookError? {
        var s: [String: JSONValue] = ["id": "x", "title": ["ja": "a", "en": "a"], "guide": ["ja": "a", "en": "a"]]
        for (k, v) in step { s[k] = v }
        do {
            _ = try Playbook.parse([
                "playbook": "p", "title": ["ja": "a", "en": "a"], "applies_to": ["kinds": ["loss"]],
                "steps": .array([.object(s)] + extraSteps),
            ])
            return nil
        } catch { return error }
    }

    @Test("step problems: types, durations, actions, roles, conditions")
    func steps() {
        #expect(stepError(["due": "3 days"])?.path == "steps[0].due")
        #expect(stepError(["due": ["in": "4h", "from": "nowhere"]])?.message.contains("no step has the id \"nowhere\"") == true)
        #expect(stepError(["type": "automatic"])?.path == "steps[0].type")
        #expect(stepError(["type": "auto"])?.message.contains("needs an action") == true)
        #expect(stepError(["action": ["type": "notify"]])?.message.contains("only auto steps") == true)
        #expect(stepError(["type": "auto", "action": ["type": "notfy"]])?.message.contains("did you mean \"notify\"") == true)
        #expect(stepError(["type": "auto", "action": ["type": "notify_city", "event": "contained"]])?.path == "steps[0].action.event")
        #expect(
            stepError(["type": "auto", "action": ["type": "notify_city", "event": "incident.closed"]])?.message.contains("daemon itself")
                == true)
        #expect(stepError(["type": "auto", "action": ["type": "remind"]])?.path == "steps[0].due")
        #expect(stepError(["role": "boss"])?.path == "steps[0].role")
        #expect(stepError(["mandatory": "yes"])?.path == "steps[0].mandatory")
        #expect(stepError(["when": "count >"])?.path == "steps[0].when")
        #expect(stepError(["after": ["y"]])?.message.contains("no step has the id \"y\"") == true)
        #expect(stepError(["after": ["x"]])?.message.contains("itself") == true)
        #expect(stepError(["colour": "red"])?.path == "steps[0].colour")
    }

    @Test("duplicate ids and dependency cycles are refused, with the cycle spelled out")
    func graph() {
        let dup = stepError([:], extraSteps: [["id": "x", "title": ["ja": "a", "en": "a"], "guide": ["ja": "a", "en": "a"]]])
        #expect(dup?.path == "steps[1].id")
        let cycle = stepError(
            ["after": ["y"]],
            extraSteps: [
                ["id": "y", "title": ["ja": "a", "en": "a"], "guide": ["ja": "a", "en": "a"], "after": ["z"]],
                ["id": "z", "title": ["ja": "a", "en": "a"], "guide": ["ja": "a", "en": "a"], "due": ["in": "1h", "from": "x"]],
            ])
        #expect(cycle?.message.contains("dependency cycle: x → y → z → x") == true, "\(String(describing: cycle))")
    }
}

@Suite("Playbook engine: with an injected time")
struct PlaybookEngineTests {
    let t0 = Timestamp(rfc3339: "2026-11-26T09:00:00Z")!.epochSeconds

    func leakCase(count: Int64? = nil, discovered: String = "2026-11-26T09:00:00Z") throws -> Case {
        var o: [String: JSONValue] = [
            "kind": "leak", "information": "名簿", "location": "本社", "circumstances": "誤送信",
            "discovered_at": .string(discovered),
        ]
        if let count { o["count"] = .int(count) }
        let peer = PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "alice")
        return try Case.opened(
            id: "INC-2026-0001", at: "2026-11-26T09:05:00.000Z",
            data: Case.openingData(report: try Report.validate(.object(o)), reportedBy: peer, source: .socket), hash: "h")
    }

    func done(_ c: inout Case, _ step: String, at: String, skipped: Bool = false) throws {
        try c.apply(
            type: skipped ? "step.skipped" : "step.done", at: at,
            data: ["step": .string(step), "by": ["uid": 1, "user": "lead"], skipped ? "reason" : "note": "x"])
    }

    func state(_ s: [PlaybookEngine.StepStatus], _ id: String) -> PlaybookEngine.StepStatus { s.first { $0.step.id == id }! }

    @Test("dependencies: a step is ready when what it waits on is done, skipped or does not apply")
    func dependencies() throws {
        let p = try samplePlaybook()
        var c = try leakCase()
        var s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "contain").state == .ready)
        #expect(state(s, "scope").state == .waiting)
        #expect(state(s, "scope").waitingOn == ["contain"])
        #expect(state(s, "big").state == .notApplicable)  // count unknown
        try done(&c, "contain", at: "2026-11-26T09:30:00Z")
        s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "scope").state == .ready)
        #expect(state(s, "tell_city").state == .ready)
        try done(&c, "scope", at: "2026-11-26T10:00:00Z")
        s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "final").state == .ready)  // "big" does not apply, so it does not hold "final" back
    }

    @Test("conditions follow the case's current facts")
    func conditions() throws {
        let p = try samplePlaybook()
        var c = try leakCase()
        try done(&c, "contain", at: "2026-11-26T09:30:00Z")
        try done(&c, "scope", at: "2026-11-26T10:00:00Z")
        try c.apply(type: "case.updated", at: "2026-11-26T10:00:00Z", data: ["changes": ["count": ["from": .null, "to": 1200]]])
        let s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "big").state == .ready)
        #expect(state(s, "final").state == .waiting)
        #expect(state(s, "final").waitingOn == ["big"])
        #expect(PlaybookEngine.unmetMandatory(s).map(\.step.id) == ["final"])
    }

    @Test("due times count from discovery, from the report, or from another step's completion")
    func dueTimes() throws {
        let p = try samplePlaybook()
        var c = try leakCase()
        var s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "contain").dueAt == t0 + 3600)
        #expect(state(s, "scope").dueAt == nil)  // counts from "contain", not done yet
        try done(&c, "contain", at: "2026-11-26T09:30:00Z")
        s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(state(s, "scope").dueAt == t0 + 1800 + 7200)
        // A case without discovered_at counts from the time of receipt.
        let bare = try Case.opened(
            id: "INC-2026-0002", at: "2026-11-26T09:05:00.000Z",
            data: Case.openingData(
                report: try Report.validate(["kind": "leak", "information": "i", "location": "l", "circumstances": "c"]),
                reportedBy: PeerIdentity(uid: 1, gid: 1, pid: 1, user: nil), source: .socket), hash: "h")
        #expect(PlaybookEngine.dueTime(p.step("contain")!, case: bare) == t0 + 300 + 3600)
    }

    @Test("overdue steps are reminded once, then again after the interval; done steps never")
    func reminders() throws {
        let p = try samplePlaybook()
        var c = try leakCase()
        let every = 3600.0
        // Before the due time: nothing; the next wake-up is the due time.
        var s = PlaybookEngine.evaluate(p, case: c, now: t0 + 3599)
        #expect(PlaybookEngine.remindersDue(s, now: t0 + 3599, every: every).isEmpty)
        #expect(PlaybookEngine.nextWake(s, now: t0 + 3599, every: every) == t0 + 3600)
        // Past it: one reminder.
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 3600)
        #expect(state(s, "contain").overdue)
        #expect(PlaybookEngine.remindersDue(s, now: t0 + 3600, every: every).map(\.step.id) == ["contain"])
        try c.apply(type: "step.reminded", at: "2026-11-26T10:00:00Z", data: ["step": "contain"])
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 3700)
        #expect(PlaybookEngine.remindersDue(s, now: t0 + 3700, every: every).isEmpty)
        #expect(PlaybookEngine.nextWake(s, now: t0 + 3700, every: every) == t0 + 7200)
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 7200)
        #expect(PlaybookEngine.remindersDue(s, now: t0 + 7200, every: every).map(\.step.id) == ["contain"])
        #expect(c.steps["contain"]?.reminders == 1)
        // Done: no longer overdue, no reminder.
        try done(&c, "contain", at: "2026-11-26T11:00:00Z")
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 9000)
        #expect(!state(s, "contain").overdue)
        #expect(PlaybookEngine.remindersDue(s, now: t0 + 9000, every: every).isEmpty)
    }

    @Test("automatic steps: ready ones run, once; remind steps wait for their due time")
    func autoSteps() throws {
        let p = try samplePlaybook()
        var c = try leakCase()
        var s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(PlaybookEngine.autoStepsToRun(s, now: t0).map(\.step.id) == ["alert"])
        try c.apply(type: "step.done", at: "2026-11-26T09:05:00Z", data: ["step": "alert", "auto": true])
        s = PlaybookEngine.evaluate(p, case: c, now: t0)
        #expect(PlaybookEngine.autoStepsToRun(s, now: t0).isEmpty)  // exactly once
        try done(&c, "contain", at: "2026-11-26T09:30:00Z")
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 1800)
        #expect(PlaybookEngine.autoStepsToRun(s, now: t0 + 1800).map(\.step.id) == ["tell_city"])
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 60 * 3600)
        #expect(PlaybookEngine.autoStepsToRun(s, now: t0 + 60 * 3600).map(\.step.id) == ["tell_city", "remind"])
        // Skipping an automatic step stops it.
        try done(&c, "tell_city", at: "2026-11-26T09:31:00Z", skipped: true)
        s = PlaybookEngine.evaluate(p, case: c, now: t0 + 60 * 3600)
        #expect(PlaybookEngine.autoStepsToRun(s, now: t0 + 60 * 3600).map(\.step.id) == ["remind"])
    }

    @Test("selection: kinds, conditions, priority")
    func selection() throws {
        let general = try samplePlaybook()
        let large = try samplePlaybook { o in
            o["playbook"] = "leak-large"
            o["applies_to"] = ["kinds": ["leak"], "when": "count > 1000"]
        }
        let set = try PlaybookSet([.init(file: "leak.yaml", playbook: general), .init(file: "leak-large.yaml", playbook: large)])
        #expect(set.select(for: try leakCase())?.playbook.id == "leak")
        #expect(set.select(for: try leakCase(count: 5000))?.playbook.id == "leak-large")
        #expect(set.uncoveredKinds == [.loss, .tampering, .damage, .other])
        #expect(throws: PlaybookSetError.self) {
            try PlaybookSet([
                .init(file: "a.yaml", playbook: general), .init(file: "b.yaml", playbook: try samplePlaybook { $0["playbook"] = "other" }),
            ])
        }
        #expect(throws: PlaybookSetError.self) {
            try PlaybookSet([.init(file: "a.yaml", playbook: general), .init(file: "b.yaml", playbook: general)])
        }
    }
}
