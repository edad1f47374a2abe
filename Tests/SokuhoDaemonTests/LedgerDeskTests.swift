import Foundation
import SokuhoCore
import SokuhoStore
import SokuhoTestSupport
import Testing

/// The ledger (Arts. 10, 12, 15, 18) against the real desk and store: as the lead and auditor it
/// is for, as a reporter who must not read it, and as an attacker; every test ends with the
/// verifier passing (the new events replay).
@Suite("Ledger: entries, take-out, disposal, reports that name entries")
struct LedgerDeskTests {
    static let paper: JSONValue = [
        "name": "住民票写し交付申請書", "category": "personal", "records": 1200, "unit": "枚", "media": "paper", "storage": "本社3階 書庫A",
        "users": ["窓口業務担当"], "received_from": "市民課", "received_at": "2026-04-01",
    ]
    static let usb: JSONValue = [
        "name": "国保加入者一覧（USBメモリ）", "category": "specific_personal", "records": 300, "unit": "枚", "media": "electronic",
        "storage": "金庫B",
    ]

    func add(_ f: DeskFixture, _ entry: JSONValue) async throws -> String {
        let r = await f.call(.lena, ["op": "ledger.add", "entry": entry])
        return try #require(r["entry"]?["id"]?.stringValue, "\(r.canonicalString)")
    }

    /// The outbox messages of a subject, oldest first, as stored.
    func messages(_ f: DeskFixture, subject: String) throws -> [JSONValue] {
        try shell("sqlite3 '\(f.dbPath)' \"SELECT body FROM outbox WHERE case_id = '\(subject)' AND endpoint = 'city' ORDER BY sequence\"")
            .stdout
            .split(separator: "\n").map { try JSONParser.parse(Array($0.utf8)) }
    }

    @Test("a lead adds, an auditor reads, the city gets the receipt without who uses it or where it is kept")
    func addAndRead() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        #expect(id == "L-0001")
        let list = await f.call(.audrey, ["op": "ledger.list"])
        #expect(list["count"] == 1)
        let got = await f.call(.audrey, ["op": "ledger.get", "id": .string(id)])
        #expect(got["entry"]?["state"] == "held")
        #expect(got["entry"]?["unit"] == "枚")
        #expect(got["events"]?.arrayValue?.first?["type"] == "ledger.added")
        let m = try messages(f, subject: id)
        #expect(m.count == 1)
        #expect(m[0]["type"] == "ledger.received")
        #expect(m[0]["data"]?["entry"]?["records"] == 1200)
        #expect(m[0]["data"]?["received_from"] == "市民課")
        let body = m[0].canonicalString
        #expect(!body.contains("書庫A") && !body.contains("窓口業務担当"), "the city is told what and how much, not where or who: \(body)")
        #expect(try f.verify().problem == nil)
    }

    @Test("a reporter cannot read or change the ledger; nor can an auditor change it")
    func secondUsers() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        for request: JSONValue in [["op": "ledger.list"], ["op": "ledger.get", "id": .string(id)]] {
            let r = await f.call(.alice, request)
            #expect(r["error"]?["code"] == "forbidden", "\(r.canonicalString)")
        }
        let u = await f.call(.audrey, ["op": "ledger.update", "id": .string(id), "fields": ["records": 1]])
        #expect(u["error"]?["code"] == "forbidden")
        let t = await f.call(.bob, ["op": "ledger.takeout", "id": .string(id), "purpose": "p", "until": "2099-01-01"])
        #expect(t["error"]?["code"] == "forbidden")
        #expect(try f.verify().problem == nil)
    }

    @Test("take-out: electronic only encrypted (Art. 12), one at a time, out after approval, back after return")
    func takeOut() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.usb)
        let plain = await f.call(.lena, ["op": "ledger.takeout", "id": .string(id), "purpose": "監査対応", "until": "2099-01-10"])
        #expect(plain["error"]?["code"] == "invalid_value")
        #expect(plain["error"]?["field"] == "encrypted")
        #expect(plain["error"]?["message"]?.stringValue?.contains("Article 12") == true)
        let ok = await f.call(
            .lena, ["op": "ledger.takeout", "id": .string(id), "purpose": "監査対応", "until": "2099-01-10", "encrypted": true])
        #expect(ok["entry"]?["takeouts"]?.arrayValue?.element(0)?["request"] == "L-0001-T1", "\(ok.canonicalString)")
        let past = await f.call(
            .lena, ["op": "ledger.takeout", "id": .string(id), "purpose": "過去", "until": "2001-01-01", "encrypted": true])
        #expect(past["error"]?["field"] == "until", "a take-out cannot be due back in the past")
        let again = await f.call(
            .lena, ["op": "ledger.takeout", "id": .string(id), "purpose": "二重", "until": "2099-01-10", "encrypted": true])
        #expect(again["error"]?["code"] == "conflict")
        let early = await f.call(.lena, ["op": "ledger.return", "request": "L-0001-T1"])
        #expect(early["error"]?["code"] == "conflict", "nothing went out before approval")
        let approved = await f.call(.lena, ["op": "ledger.approve", "request": "L-0001-T1", "by": "情報政策課 佐藤"])
        #expect(approved["entry"]?["state"] == "taken_out")
        let back = await f.call(.lena, ["op": "ledger.return", "request": "L-0001-T1", "note": "金庫Bへ戻した"])
        #expect(back["entry"]?["state"] == "held")
        let types = try messages(f, subject: id).compactMap { $0["type"]?.stringValue }
        #expect(types == ["ledger.received", "ledger.takeout_requested", "ledger.takeout_returned"])
        #expect(try f.verify().problem == nil)
    }

    @Test("disposal: refused before the city approves (Art. 15), recorded after; a disposed entry no longer changes")
    func disposal() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        let applied = await f.call(
            .lena,
            ["op": "disposal.apply", "id": .string(id), "method": "溶解処理", "medium": "紙", "quantity": "段ボール2箱", "planned": "2026-12-10"])
        #expect(applied["entry"]?["disposals"]?.arrayValue?.element(0)?["request"] == "L-0001-D1")
        let early = await f.call(.lena, ["op": "disposal.done", "request": "L-0001-D1", "by": "山田"])
        #expect(early["error"]?["code"] == "conflict")
        #expect(early["error"]?["message"]?.stringValue?.contains("Article 15") == true)
        // The approval comes in the city's answer, twice (a retried delivery): recorded once.
        let now = Timestamp.format(Date())
        let answer = Array(#"{"approvals":[{"id":"AP-77","request":"L-0001-D1","approved_at":"\#(now)","by":"情報政策課"}]}"#.utf8)
        await f.desk.addApprovals(LedgerApproval.fromWebhookAnswer(answer, endpoint: "city"), answering: id, endpoint: "city")
        await f.desk.addApprovals(LedgerApproval.fromWebhookAnswer(answer, endpoint: "city"), answering: id, endpoint: "city")
        let got = await f.call(.audrey, ["op": "ledger.get", "id": .string(id)])
        #expect(got["events"]?.arrayValue?.filter { $0["type"] == "disposal.approved" }.count == 1)
        #expect(got["entry"]?["disposals"]?.arrayValue?.element(0)?["approval"]?["source"] == "webhook:city")
        let done = await f.call(
            .lena, ["op": "disposal.done", "request": "L-0001-D1", "by": "山田", "witness": "佐藤"])
        #expect(done["entry"]?["state"] == "disposed", "\(done.canonicalString)")
        let later = await f.call(.lena, ["op": "ledger.update", "id": .string(id), "fields": ["records": 1]])
        #expect(later["error"]?["code"] == "conflict")
        let types = try messages(f, subject: id).compactMap { $0["type"]?.stringValue }
        #expect(types == ["ledger.received", "disposal.requested", "disposal.completed"])
        let doc = DisposalCertificate.document(
            done["entry"] ?? .null, request: "L-0001-D1", style: DocumentStyle(japanese: true, zone: .fixed(seconds: 9 * 3600)),
            generatedAt: nil)
        let md = try #require(doc).markdown()
        #expect(md.contains("溶解処理") && md.contains("情報政策課") && md.contains("山田") && md.contains("佐藤"), "\(md)")
        #expect(try f.verify().problem == nil)
    }

    @Test("a lead's report that names entries takes its information and count from them; the first report carries them")
    func reportFromLedger() async throws {
        let f = try DeskFixture()
        let a = try await add(f, Self.paper)
        let b = try await add(f, Self.usb)
        var report = try #require(minimalReport().objectValue)
        report["information"] = nil
        report["assets"] = [.string(a), .string(b)]
        let r = await f.call(.lena, ["op": "report", "report": .object(report)])
        let c = try #require(r["case"], "\(r.canonicalString)")
        #expect(c["information"] == "住民票写し交付申請書、国保加入者一覧（USBメモリ）")
        #expect(c["count"] == 1500)
        #expect(c["count_unit"] == "枚")
        #expect(c["from_ledger"] == ["information", "count"])
        #expect(c["ledger_entries"]?.arrayValue?.count == 2)
        let id = try #require(c["id"]?.stringValue)
        let opened = try #require(try messages(f, subject: id).first)
        #expect(opened["data"]?["ledger_entries"]?.arrayValue?.element(1)?["category"] == "specific_personal")
        #expect(opened["data"]?["count_unit"] == "枚")
        let shown = await f.call(.audrey, ["op": "ledger.get", "id": .string(a)])
        #expect(shown["cases"] == [.string(id)])
        // The count is revised: count_history has both values, with who and when.
        _ = await f.call(.lena, ["op": "case.update", "id": .string(id), "fields": ["count": 1480, "count_precision": "approximate"]])
        let got = await f.call(.audrey, ["op": "case.get", "id": .string(id)])
        let history = try #require(got["count_history"]?.arrayValue)
        #expect(history.map { $0["count"] } == [1500, 1480])
        #expect(history.map { $0["source"] } == ["ledger", "update"])
        #expect(history.last?["by"]?["user"] == "lena")
        #expect(history.last?["count_unit"] == "枚")
        // The USB stick held My Number data: the national report is likely, and says why.
        #expect(got["national_report"]?["likely"] == true)
        #expect(got["national_report"]?["reasons"]?.arrayValue?.last?.stringValue?.contains("特定個人情報") == true)
        #expect(try f.verify().problem == nil)
    }

    @Test("a reporter may name an entry but reads nothing of it; unknown entries are refused by name")
    func reporterNamesEntries() async throws {
        let f = try DeskFixture()
        let a = try await add(f, Self.paper)
        var bare = try #require(minimalReport().objectValue)
        bare["information"] = nil
        bare["assets"] = [.string(a)]
        let refused = await f.call(.alice, ["op": "report", "report": .object(bare)])
        #expect(refused["error"]?["code"] == "missing_field")
        #expect(refused["error"]?["field"] == "information")
        let named = await f.call(.alice, ["op": "report", "report": minimalReport(["assets": [.string(a)]])])
        let c = try #require(named["case"], "\(named.canonicalString)")
        #expect(c["ledger_entries"] == [["id": .string(a)]], "a reporter sees ids only: \(c.canonicalString)")
        #expect(!named.canonicalString.contains("住民票写し"))
        let id = try #require(c["id"]?.stringValue)
        let own = await f.call(.alice, ["op": "case.get", "id": .string(id)])
        #expect(!own.canonicalString.contains("住民票写し"))
        let dossier = await f.call(.alice, ["op": "case.report", "id": .string(id)])
        #expect(dossier["ok"] == true)
        #expect(!dossier.canonicalString.contains("住民票写し"))
        // The lead sees the entry, and the city is told.
        let lead = await f.call(.lena, ["op": "case.get", "id": .string(id)])
        #expect(lead["case"]?["ledger_entries"]?.arrayValue?.element(0)?["name"] == "住民票写し交付申請書")
        let unknown = await f.call(.alice, ["op": "report", "report": minimalReport(["assets": ["L-0042"]])])
        #expect(unknown["error"]?["code"] == "not_found")
        #expect(unknown["error"]?["field"] == "assets[0]")
        #expect(try f.verify().problem == nil)
    }

    @Test("hostile input: controls, long units, too many entries, malformed ids and answers")
    func hostile() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        let cases: [(JSONValue, String)] = [
            (["op": "ledger.add", "entry": ["name": "a\u{1B}[2Jb", "category": "personal", "media": "paper", "storage": "x"]], "name"),
            (
                [
                    "op": "ledger.add",
                    "entry": ["name": "a", "category": "personal", "media": "paper", "storage": "x", "unit": "世帯世帯世帯世帯世帯世帯世帯世帯世帯"],
                ], "unit"
            ),
            (["op": "ledger.add", "entry": ["name": "a", "category": "secret", "media": "paper", "storage": "x"]], "category"),
            (["op": "ledger.add", "entry": ["name": "a", "category": "personal", "media": "paper", "storage": "x", "extra": 1]], "extra"),
            (["op": "ledger.get", "id": "L-0001'; DROP TABLE events;--"], "id"),
            (["op": "ledger.approve", "request": "L-0001-T99999999", "by": "x"], "request"),
            (["op": "ledger.approve", "request": "L-0001-X1", "by": "x"], "request"),
            (["op": "ledger.update", "id": .string(id), "fields": ["state": "disposed"]], "state"),
            (["op": "ledger.update", "id": .string(id), "fields": ["name": nil]], "name"),
            (["op": "report", "report": minimalReport(["assets": .array((1...33).map { .string(LedgerID.make(number: $0)) })])], "assets"),
            (["op": "report", "report": minimalReport(["count_unit": "\u{202E}件"])], "count_unit"),
        ]
        for (request, field) in cases {
            let r = await f.call(.lena, request)
            #expect(r["ok"] == false, "\(request.canonicalString.prefix(120))")
            #expect(r["error"]?["field"]?.stringValue?.hasPrefix(field) == true, "\(field): \(r.canonicalString)")
        }
        // Answers the city never sent in this shape record nothing.
        for junk in [
            #"{"approvals":"all"}"#, #"{"approvals":[{"id":"1","request":"L-0001-D1","approved_at":"yesterday","by":"x"}]}"#,
            #"{"approvals":[{"id":"\u001b[2J","request":"L-0001-D1","approved_at":"2026-12-01","by":"x"}]}"#, "not json",
        ] {
            #expect(LedgerApproval.fromWebhookAnswer(Array(junk.utf8), endpoint: "city").isEmpty, "\(junk)")
        }
        // An approval of a request that does not exist changes nothing and breaks nothing.
        let ghost = Array(#"{"approvals":[{"id":"A","request":"L-0009-D1","approved_at":"2026-12-01","by":"x"}]}"#.utf8)
        await f.desk.addApprovals(LedgerApproval.fromWebhookAnswer(ghost, endpoint: "city"), answering: "L-0009", endpoint: "city")
        #expect(try f.verify().problem == nil)
    }

    @Test("a reporter's case list shows their entries by id only")
    func reporterList() async throws {
        let f = try DeskFixture()
        let a = try await add(f, Self.paper)
        _ = await f.call(.alice, ["op": "report", "report": minimalReport(["assets": [.string(a)]])])
        let list = await f.call(.alice, ["op": "case.list"])
        #expect(list["count"] == 1)
        #expect(!list.canonicalString.contains("住民票写し") && list.canonicalString.contains(a), "\(list.canonicalString)")
        let lead = await f.call(.lena, ["op": "case.list"])
        #expect(lead.canonicalString.contains("住民票写し"))
    }

    @Test("one application at a time: a disposed or returned entry never comes back, nothing is disposed while out")
    func noResurrection() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        func call(_ r: JSONValue) async -> JSONValue { await f.call(.lena, r) }
        _ = await call(["op": "ledger.takeout", "id": .string(id), "purpose": "p", "until": "2099-01-10"])
        let both = await call([
            "op": "disposal.apply", "id": .string(id), "method": "m", "medium": "紙", "quantity": "1", "planned": "2026-12-10",
        ])
        #expect(both["error"]?["code"] == "conflict", "a disposal while a take-out waits")
        let returned = await call(["op": "ledger.update", "id": .string(id), "fields": ["state": "returned"]])
        #expect(returned["error"]?["code"] == "conflict", "handed back while a take-out waits")
        // The city refuses the take-out: withdrawn, and the disposal may be applied for.
        let w = await call(["op": "ledger.withdraw", "request": "L-0001-T1", "reason": "市が不承認"])
        #expect(w["entry"]?["takeouts"]?.arrayValue?.element(0)?["withdrawn_at"]?.isNull == false, "\(w.canonicalString)")
        _ = await call(["op": "disposal.apply", "id": .string(id), "method": "m", "medium": "紙", "quantity": "1", "planned": "2026-12-10"])
        _ = await call(["op": "ledger.approve", "request": "L-0001-D1", "by": "市"])
        let done = await call(["op": "disposal.done", "request": "L-0001-D1", "by": "山田"])
        #expect(done["entry"]?["state"] == "disposed")
        for r: JSONValue in [
            ["op": "ledger.approve", "request": "L-0001-T1", "by": "市"], ["op": "ledger.return", "request": "L-0001-T1"],
            ["op": "ledger.takeout", "id": .string(id), "purpose": "p", "until": "2099-01-10"],
            ["op": "ledger.withdraw", "request": "L-0001-D1", "reason": "x"],
        ] {
            let got = await call(r)
            #expect(got["error"]?["code"] == "conflict", "\(r.canonicalString): \(got.canonicalString)")
        }
        let after = await f.call(.audrey, ["op": "ledger.get", "id": .string(id)])
        #expect(after["entry"]?["state"] == "disposed")
        #expect(try f.verify().problem == nil)
    }

    @Test("approvals come only from the city, in answer to that entry's messages, each city id once, never dated before or after")
    func approvalsOnlyFromTheCity() async throws {
        let f = try DeskFixture()
        let id = try await add(f, Self.paper)
        let caseID = try await f.report(.lena)
        _ = await f.call(
            .lena, ["op": "disposal.apply", "id": .string(id), "method": "m", "medium": "紙", "quantity": "1", "planned": "2026-12-10"])
        let answer = LedgerApproval.fromWebhookAnswer(
            Array(#"{"approvals":[{"id":"AP-1","request":"L-0001-D1","approved_at":"2026-11-28T00:00:00Z","by":"x"}]}"#.utf8),
            endpoint: "lead")
        await f.desk.addApprovals(answer, answering: id, endpoint: "lead")  // not the city
        await f.desk.addApprovals(answer, answering: caseID, endpoint: "city")  // not about the entry
        await f.desk.addApprovals(answer, answering: "L-0002", endpoint: "city")  // another entry's message
        let still = await f.call(.audrey, ["op": "ledger.get", "id": .string(id)])
        #expect(still["entry"]?["disposals"]?.arrayValue?.element(0)?["approval"]?.isNull == true, "\(still.canonicalString)")
        // Times: not before the application, not in the future.
        let early = await f.call(.lena, ["op": "ledger.approve", "request": "L-0001-D1", "by": "市", "approved_at": "1970-01-02"])
        #expect(early["error"]?["field"] == "approved_at")
        let future = await f.call(.lena, ["op": "ledger.approve", "request": "L-0001-D1", "by": "市", "approved_at": "2099-01-01"])
        #expect(future["error"]?["field"] == "approved_at")
        let ok = await f.call(.lena, ["op": "ledger.approve", "request": "L-0001-D1", "by": "市", "approval_id": "CITY-9"])
        #expect(ok["ok"] == true)
        let before = await f.call(.lena, ["op": "disposal.done", "request": "L-0001-D1", "by": "山田", "at": "2001-01-01"])
        #expect(before["error"]?["field"] == "at", "done before it was approved")
        // A city id already used for one request does not approve another.
        let other = try await add(f, Self.usb)
        _ = await f.call(.lena, ["op": "ledger.takeout", "id": .string(other), "purpose": "p", "until": "2099-01-10", "encrypted": true])
        let reuse = await f.call(.lena, ["op": "ledger.approve", "request": "L-0001-D1", "by": "市", "approval_id": "CITY-9"])
        #expect(reuse["receipt"]?.isNull == true, "the same approval again changes nothing")
        #expect(try f.verify().problem == nil)
    }

    @Test("records that do not add up leave the count unknown; the daemon keeps running")
    func overflow() async throws {
        let f = try DeskFixture()
        var big = try #require(Self.paper.objectValue)
        big["records"] = .int(Int64.max)
        let a = try await add(f, .object(big))
        let b = try await add(f, Self.paper)
        var report = try #require(minimalReport().objectValue)
        report["assets"] = [.string(a), .string(b)]
        let r = await f.call(.lena, ["op": "report", "report": .object(report)])
        #expect(r["ok"] == true, "\(r.canonicalString)")
        #expect(r["case"]?["count"] == .null)
        #expect(try f.verify().problem == nil)
    }

    @Test("editing, deleting or dropping the ledger's rows, or the links of cases to entries, is found by the verifier")
    func tamper() async throws {
        for sql in [
            "UPDATE ledger_entries SET body = replace(body, '1200', '12') WHERE id = 'L-0001'",
            "DELETE FROM ledger_entries WHERE id = 'L-0001'", "UPDATE ledger_entries SET state = 'disposed'",
            "UPDATE ledger_entries SET number = 9000",
            "UPDATE ledger_entries SET category = 'confidential'", "DROP TABLE ledger_entries", "DROP TABLE case_assets",
            "DELETE FROM case_assets", "INSERT INTO case_assets VALUES ('L-0001', 'INC-2026-0009')",
        ] {
            let f = try DeskFixture()
            _ = try await add(f, Self.paper)
            _ = await f.call(.lena, ["op": "report", "report": minimalReport(["assets": ["L-0001"]])])
            #expect(try f.verify().problem == nil)
            _ = try shell("sqlite3 '\(f.dbPath)' \"\(sql)\"")
            let problem = try f.verify().problem
            #expect(problem?.kind == .edited, "\(sql): \(String(describing: problem))")
        }
    }
}

extension Array {
    /// The element at `i`, or nil past the end (a test must fail, not trap).
    fileprivate func element(_ i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
