import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The city's daemon with two real contractors (`sokuhod` each, their own secrets): attribution,
/// instructions and decisions flowing back within a poll, the audit anchor, and SIGKILL.
@Suite("sokuho-city: every contractor's escalations, instructions and decisions back, the anchor", .serialized)
struct CityTests {
    @Test("two contractors escalate to one city; each case is theirs; the city's instruction and decision reach the right case")
    func twoContractors() throws {
        let city = try CityHarness(contractors: ["acme", "bento"])
        try city.start()
        let a = try DaemonHarness.started(extra: try city.contractorConfig("acme"))
        let b = try DaemonHarness.started(extra: try city.contractorConfig("bento"))
        let aCase = try #require(try a.call(["op": "report", "report": minimalReport(["count": 12])])["case"]?["id"]?.stringValue)
        let bCase = try #require(try b.call(["op": "report", "report": minimalReport(["count_unit": "人"])])["case"]?["id"]?.stringValue)
        #expect(aCase == bCase, "both contractors number from 0001")
        try waitFor { try city.cases().count == 2 }
        let listed = try city.cases()
        #expect(Set(listed.compactMap { $0["contractor"]?.stringValue }) == ["acme", "bento"])
        #expect(listed.first { $0["contractor"] == "acme" }?["facts"]?["count"] == 12)
        #expect(listed.allSatisfy { $0["first_report_delay_minutes"]?.intValue != nil })

        // An instruction for acme's case, a decision for bento's: each reaches only its contractor.
        let issued = try city.cli(["instruct", "acme", aCase, "--text", "対象者一覧を本日中に提出すること", "--from", "情報政策課"])
        #expect(issued.status == 0, "\(issued.stderr)")
        #expect(try city.cli(["publish", "bento", bCase, "--decision", "planned", "--date", "2026-12-05"]).status == 0)
        try waitFor {
            try a.call(["op": "case.get", "id": .string(aCase)])["case"]?["instructions"]?.arrayValue?.count == 1
                && b.call(["op": "case.get", "id": .string(bCase)])["case"]?["publication"]?["decided_by"] == "city"
        }
        #expect(try b.call(["op": "case.get", "id": .string(bCase)])["case"]?["instructions"]?.arrayValue?.isEmpty == true)
        #expect(try a.call(["op": "case.get", "id": .string(aCase)])["case"]?["publication"] == .null)
        // The open instruction blocks closure at acme.
        _ = try a.call(["op": "case.transition", "id": .string(aCase), "to": "contained"])
        _ = try a.call(["op": "case.transition", "id": .string(aCase), "to": "resolved", "resolution": "fixed"])
        #expect(closureGates(try a.call(["op": "case.transition", "id": .string(aCase), "to": "closed"])).contains("instructions"))
        // The next poll tells the city both were recorded.
        try waitFor {
            let shown = try JSONParser.parse(try city.cli(["show", "acme", aCase, "--json"]).stdout)
            return shown["instructions"]?.arrayValue?.first?["delivered_at"]?.isNull == false
        }
        try waitFor {
            let shown = try JSONParser.parse(try city.cli(["show", "bento", bCase, "--json"]).stdout)
            return shown["publications"]?.arrayValue?.first?["delivered_at"]?.isNull == false
        }
        #expect(try city.cli(["instruct", "acme", "INC-2099-0042", "--text", "x"]).status == 2)
    }

    @Test("an instruction issued through the inbox's form reaches the contractor's case within a poll and blocks its closure")
    func instructionFromTheWebForm() throws {
        let city = try CityHarness(contractors: ["acme"])
        #expect(try city.addUser("sato", password: "correct horse battery").status == 0)
        try city.start()
        let a = try DaemonHarness.started(extra: try city.contractorConfig("acme"))
        let id = try #require(try a.call(["op": "report", "report": minimalReport()])["case"]?["id"]?.stringValue)
        try waitFor { try city.cases().count == 1 }
        let staff = InboxClient(port: city.port, dir: city.dir, name: "sato")
        #expect(try InboxTests.logIn(staff, name: "sato", password: "correct horse battery").status == 303)
        let page = try staff.get("/case/acme/\(id)")
        let token = try #require(page.csrf, "the case page has its forms")
        let sent = try staff.post(
            "/case/acme/\(id)/instruct", form: [("csrf", token), ("text", "委託先全社員の閲覧権限を本日中に見直すこと"), ("from", "情報政策課")])
        #expect(sent.status == 303, "\(sent.status) \(sent.body.prefix(200))")
        try waitFor { try a.call(["op": "case.get", "id": .string(id)])["case"]?["instructions"]?.arrayValue?.count == 1 }
        let got = try a.call(["op": "case.get", "id": .string(id)])
        #expect(got["case"]?["instructions"]?.arrayValue?.first?["text"] == "委託先全社員の閲覧権限を本日中に見直すこと")
        _ = try a.call(["op": "case.transition", "id": .string(id), "to": "contained"])
        _ = try a.call(["op": "case.transition", "id": .string(id), "to": "resolved", "resolution": "fixed"])
        #expect(
            closureGates(try a.call(["op": "case.transition", "id": .string(id), "to": "closed"])).contains("instructions"),
            "the city's instruction blocks closure")
    }

    @Test("two decisions before the next poll: the contractor ends with the latest, recorded once, and the city hears it")
    func latestDecisionWins() throws {
        let city = try CityHarness(contractors: ["acme"])
        try city.start()
        let a = try DaemonHarness.started(extra: try city.contractorConfig("acme"))
        let id = try #require(try a.call(["op": "report", "report": minimalReport()])["case"]?["id"]?.stringValue)
        try waitFor { try city.cases().count == 1 }
        #expect(try city.cli(["publish", "acme", id, "--decision", "planned", "--date", "2026-12-05"]).status == 0)
        #expect(
            try city.cli(["publish", "acme", id, "--decision", "published", "--date", "2026-12-05", "--url", "https://example.jp/n/1"])
                .status
                == 0)
        try waitFor {
            let shown = try JSONParser.parse(try city.cli(["show", "acme", id, "--json"]).stdout)
            return shown["publications"]?.arrayValue?.last?["delivered_at"]?.isNull == false
        }
        let c = try a.call(["op": "case.get", "id": .string(id)])
        #expect(c["case"]?["publication"]?["decision"] == "published")
        #expect(c["case"]?["publication"]?["external_id"] == "CP-2")
        let decided = c["events"]?.arrayValue?.filter { $0["type"] == "publication.decided" }.count ?? 0
        #expect(decided == 1, "the superseded decision is never sent; nothing loops (\(decided) decisions recorded)")
    }

    @Test("a message signed with acme's secret but claiming bento's case is stored as acme's; unsigned and replayed ids are refused")
    func attribution() throws {
        let city = try CityHarness(contractors: ["acme", "bento"])
        try city.start()
        let forged =
            #"{"type":"incident.opened","timestamp":"2026-11-28T00:00:00Z","data":{"case_id":"INC-2026-0777","installation":"bento0000000000b","count":1,"state":"open"}}"#
        let r = try city.deliver(as: "acme", id: "msg_forged_1", body: forged)
        #expect(r.status == 200, "\(r)")
        #expect(r.body.contains(#""contractor":"acme""#))
        let listed = try city.cases()
        #expect(listed.count == 1)
        #expect(listed.first?["contractor"] == "acme")
        // The same id again: stored once; another body under it: 409.
        #expect(try city.deliver(as: "acme", id: "msg_forged_1", body: forged).body.contains(#""duplicate":true"#))
        #expect(try city.deliver(as: "acme", id: "msg_forged_1", body: #"{"type":"x"}"#).status == 409)
        // bento may use the same id for its own message: another contractor, another message.
        #expect(try city.deliver(as: "bento", id: "msg_forged_1", body: #"{"type":"status.report","data":{}}"#).status == 200)
        // A missed deadline the contractor reported shows on the case.
        let missed =
            #"{"type":"incident.clock_missed","timestamp":"2026-11-28T00:20:00Z","data":{"case_id":"INC-2026-0777","clock":"first_report","state":"open"}}"#
        #expect(try city.deliver(as: "acme", id: "msg_missed_1", body: missed).status == 200)
        #expect(try city.cases().first?["clocks_missed"] == ["first_report"])
        // Unsigned: 401.
        let unsigned = try HTTPAnswer.post(
            port: city.port, headers: [("webhook-id", "x"), ("webhook-timestamp", "1")], body: Array("{}".utf8))
        #expect(unsigned.status == 401)
    }

    @Test("the anchor: a contractor database rewritten consistently passes verify alone and fails sokuho-city audit")
    func anchor() throws {
        let city = try CityHarness(contractors: ["acme"])
        try city.start()
        let a = try DaemonHarness.started(extra: try city.contractorConfig("acme"))
        let id = try #require(try a.call(["op": "report", "report": minimalReport(["count": 100])])["case"]?["id"]?.stringValue)
        _ = try a.call(["op": "case.update", "id": .string(id), "fields": ["count": 120]])
        try waitFor {
            let shown = try JSONParser.parse(try city.cli(["show", "acme", id, "--json"]).stdout)
            return shown["messages"]?.arrayValue?.count == 2
        }
        a.stop()
        let good = try city.cli(["audit", "--contractor", "acme", "--db", a.dbPath])
        #expect(good.status == 0, "\(good.stdout) \(good.stderr)")
        try AnchorTests.rewrite(a.dbPath) { r in
            r.type == EventType.caseOpened.rawValue ? r.data.replacingOccurrences(of: #""count":100"#, with: #""count":10"#) : nil
        }
        #expect(try a.cli(["audit", "verify", "--db", a.dbPath]).status == 0)
        // Changing the installation id in the copy does not set the city's heads aside.
        _ = try DaemonHarness.shell("sqlite3 '\(a.dbPath)' \"UPDATE installation SET installation_id = 'ffffffffffffffff'\"")
        let bad = try city.cli(["audit", "--contractor", "acme", "--db", a.dbPath])
        #expect(bad.status == 1, "\(bad.stdout)")
        #expect(bad.stdout.contains("event #1:"), "\(bad.stdout)")
    }

    @Test("SIGKILL of sokuho-city while a contractor escalates: every message answered 200 is there, once")
    func sigkill() throws {
        let city = try CityHarness(contractors: ["acme"])
        try city.start()
        let a = try DaemonHarness.started(extra: try city.contractorConfig("acme"))
        let reports = 150
        let done = DispatchSemaphore(value: 0)
        let socket = a.socketPath
        DispatchQueue.global().async {
            if let client = try? ControlClient(path: socket, timeoutSeconds: 20) {
                for n in 0..<reports {
                    _ = try? client.call(["op": "report", "report": minimalReport(["count": .int(Int64(n))])])
                    usleep(10_000)  // reports keep coming while the city is killed again and again
                }
            }
            done.signal()
        }
        var kills = 0
        while done.wait(timeout: .now() + .milliseconds(Int.random(in: 50...250))) == .timedOut {
            city.stop(signal: SIGKILL)
            kills += 1
            try city.start()
        }
        if kills == 0 { city.stop(signal: SIGKILL); try city.start(); kills = 1 }
        // Every message the contractor holds as delivered is in the city's store, exactly once.
        try waitFor(timeout: 60) {
            try a.call(["op": "outbox.list", "limit": 1000])["messages"]?.arrayValue?.allSatisfy { $0["state"] == "delivered" } == true
                && city.cases().count == reports
        }
        let ids = try DaemonHarness.shell("sqlite3 '\(city.dbPath)' 'SELECT webhook_id FROM messages'").stdout.split(separator: "\n")
        #expect(Set(ids).count == ids.count)
        let delivered =
            try a.call(["op": "outbox.list", "limit": 1000])["messages"]?.arrayValue?.compactMap { $0["message_id"]?.stringValue } ?? []
        #expect(Set(delivered).isSubset(of: Set(ids.map(String.init))), "a message answered 200 was lost")
        print("sokuho-city crash test: \(reports) reports, \(kills) SIGKILLs, \(ids.count) messages stored once each")
    }
}
