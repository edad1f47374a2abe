import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The ledger end to end, as users do it: the real `sokuhod`, the `sokuho` CLI, and the city's
/// side — `sokuho receive` (which stores only messages whose signature verifies) or the Python
/// endpoint answering with approvals. `audit verify` passes after each test.
@Suite("Ledger end to end: entries, take-out, disposal and linked reports reach the city", .enabled(if: EndpointHarness.python != nil))
struct LedgerIntegrationTests {
    static let fast = "escalation:\n  retry_schedule: [200ms, 300ms, 400ms, 500ms, 1s, 1s, 1s, 1s, 1s, 1s]\n"

    func ok(_ run: DaemonHarness.Run, _ what: String) {
        #expect(run.status == 0, "\(what): \(run.stdout) \(run.stderr)")
    }

    @Test("a ledger entry added, taken out and returned, disposed after approval; a report that names it; all verified at the city")
    func lifecycle() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig + Self.fast)
        ok(
            try d.cli([
                "ledger", "add", "--name", "国保加入者一覧", "--category", "specific_personal", "--records", "300", "--unit", "人",
                "--media", "electronic", "--storage", "金庫B", "--user", "保険年金係", "--received-from", "保険年金課", "--received-at",
                "2026-04-01",
            ]), "ledger add")
        try waitFor { city.received.count == 1 }
        // Article 12: electronic information goes out only encrypted.
        let plain = try d.cli(["ledger", "takeout", "apply", "L-0001", "--purpose", "監査対応", "--until", "2099-01-10"])
        #expect(plain.status == 65)
        #expect(plain.stderr.contains("Article 12"), "\(plain.stderr)")
        ok(try d.cli(["ledger", "takeout", "apply", "L-0001", "--purpose", "監査対応", "--until", "2099-01-10", "--encrypted"]), "takeout")
        ok(try d.cli(["ledger", "takeout", "approve", "L-0001-T1", "--by", "情報政策課 佐藤"]), "approve")
        ok(try d.cli(["ledger", "takeout", "return", "L-0001-T1"]), "return")
        // Article 15: no disposal before the city approves it.
        ok(
            try d.cli([
                "disposal", "apply", "L-0001", "--method", "データ消去（上書き3回）", "--medium", "USBメモリ", "--quantity", "1本", "--planned",
                "2026-12-10",
            ]), "disposal apply")
        let early = try d.cli(["disposal", "done", "L-0001-D1", "--by", "山田"])
        #expect(early.status == 65)
        #expect(early.stderr.contains("Article 15"), "\(early.stderr)")
        ok(try d.cli(["disposal", "approve", "L-0001-D1", "--by", "情報政策課 佐藤"]), "disposal approve")
        ok(try d.cli(["disposal", "done", "L-0001-D1", "--by", "山田", "--witness", "佐藤"]), "disposal done")
        let shown = try d.cli(["ledger", "show", "L-0001", "--json"])
        #expect(try JSONParser.parse(shown.stdout)["entry"]?["state"] == "disposed")
        // A lead reports the lost medium by its entry: what and how many come from the ledger.
        ok(
            try d.cli([
                "ledger", "add", "--name", "窓口申請書", "--category", "personal", "--records", "1200", "--media", "paper", "--storage", "書庫A",
            ]), "add 2")
        let report = try d.cli([
            "report", "--kind", "loss", "--asset", "L-0002", "--location", "本社3階", "--circumstances", "書庫から持ち出した箱が見当たらない",
            "--no-prompt", "--json",
        ])
        let opened = try JSONParser.parse(report.stdout)
        let id = try #require(opened["case"]?["id"]?.stringValue, "\(report.stderr)")
        #expect(opened["case"]?["count"] == 1200)
        #expect(opened["case"]?["information"] == "窓口申請書")
        ok(try d.cli(["case", "update", id, "--count", "1150", "--count-precision", "approximate"]), "case update")
        ok(try d.cli(["ledger", "submit"]), "submit")
        let expected = [
            "ledger.received", "ledger.takeout_requested", "ledger.takeout_returned", "disposal.requested", "disposal.completed",
            "ledger.received", "incident.opened", "incident.updated", "ledger.submitted",
        ]
        try waitFor { city.received.count == expected.count }
        let got = city.received.map { $0["payload"] ?? .null }
        #expect(got.map { $0["type"]?.stringValue ?? "" }.sorted() == expected.sorted())
        let first = try #require(got.first { $0["type"] == "incident.opened" }?["data"])
        #expect(first["count"] == 1200)
        #expect(first["count_unit"] == "件")
        #expect(first["ledger_entries"]?.arrayValue?.first?["name"] == "窓口申請書")
        #expect(first["from_ledger"] == ["information", "count"])
        let disposed = try #require(got.first { $0["type"] == "disposal.completed" }?["data"])
        #expect(disposed["request"]?["witness"] == "佐藤")
        #expect(disposed["entry"]?["state"] == "disposed")
        let submitted = try #require(got.first { $0["type"] == "ledger.submitted" }?["data"])
        #expect(submitted["count"] == 2)
        for m in got { #expect(!m.canonicalString.contains("金庫B") && !m.canonicalString.contains("保険年金係"), "\(m["type"] ?? .null)") }
        // The count's history, in case show and in the incident report.
        let caseGet = try d.call(["op": "case.get", "id": .string(id)])
        #expect(caseGet["count_history"]?.arrayValue?.map { $0["count"] } == [1200, 1150])
        let human = try d.cli(["case", "show", id], environment: ["LANG": "ja_JP.UTF-8"])
        #expect(human.stdout.contains("件数の推移") && human.stdout.contains("1,150件（概数）"), "\(human.stdout)")
        let doc = try d.cli(["case", "report", id, "--lang", "ja"])
        #expect(doc.stdout.contains("件数の推移") && doc.stdout.contains("台帳の該当項目"), "\(doc.stdout)")
        // Documents for the city: the ledger, the receipt, the disposal record.
        let csv = try d.cli(["ledger", "export", "--format", "csv"])
        #expect(csv.stdout.hasPrefix("id,name,category,records,unit") && csv.stdout.contains("L-0002,窓口申請書,personal,1200,件"))
        let receipt = try d.cli(["ledger", "receipt", "L-0002", "--format", "html", "--lang", "ja"])
        #expect(receipt.stdout.contains("受領証") && receipt.stdout.contains("窓口申請書"))
        let certificate = try d.cli(["disposal", "certificate", "L-0001-D1", "--lang", "ja"])
        #expect(certificate.stdout.contains("データ消去") && certificate.stdout.contains("情報政策課"), "\(certificate.stdout)")
        // The Art. 16 status report has a ledger section.
        let status = try d.call(["op": "status.report", "from": "2020-01-01", "to": "2100-01-01"])
        #expect(status["ledger"]?["by_state"]?["disposed"] == 1)
        #expect(status["ledger"]?["disposals_done"] == 1)
        let statusDoc = try d.cli(["status-report", "--from", "2020-01-01", "--to", "2100-01-01", "--lang", "ja"])
        #expect(statusDoc.stdout.contains("秘密情報の管理台帳") && statusDoc.stdout.contains("期間中の廃棄"), "\(statusDoc.stdout)")
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("the city approves a disposal in its answer; the daemon records it once, and the disposal may then be done")
    func approvalFromTheCity() throws {
        let city = try EndpointHarness()
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig + Self.fast)
        ok(try d.cli(["ledger", "add", "--name", "申請書控え", "--category", "personal", "--media", "paper", "--storage", "書庫A"]), "add")
        // Dated a moment after the application (the city answers the disposal.requested delivery).
        let approvedAt = Timestamp.format(Date().addingTimeInterval(2))
        try #"{"approvals":[{"id":"CITY-AP-1","request":"L-0001-D1","approved_at":"\#(approvedAt)","by":"情報政策課"}]}"#
            .write(toFile: city.dir + "/answer", atomically: true, encoding: .utf8)
        ok(
            try d.cli(["disposal", "apply", "L-0001", "--method", "溶解", "--medium", "紙", "--quantity", "1箱", "--planned", "2026-12-10"]),
            "apply")
        try waitFor {
            let r = try d.call(["op": "ledger.get", "id": "L-0001"])
            return r["entry"]?["disposals"]?.arrayValue?.first?["approval"]?["source"] == "webhook:city"
        }
        ok(try d.cli(["disposal", "done", "L-0001-D1", "--by", "山田"]), "done")
        try waitFor { city.attempts.count >= 3 }
        #expect(city.attempts.allSatisfy { $0["verified"] == true || $0["verified"] == nil })
        let events = try d.call(["op": "ledger.get", "id": "L-0001"])["events"]?.arrayValue ?? []
        #expect(events.filter { $0["type"] == "disposal.approved" }.count == 1, "answered on every delivery, recorded once")
        d.stop()
        #expect(try d.cli(["audit", "verify", "--db", d.dbPath]).status == 0)
    }

    @Test("a reporter names an entry in a report but cannot read the ledger", .enabled(if: getuid() == 0))
    func reporterCannotRead() throws {
        let d = try DaemonHarness.started()
        ok(try d.cli(["ledger", "add", "--name", "住民票写し", "--category", "personal", "--media", "paper", "--storage", "書庫A"]), "add")
        let nobody: UInt32 = 65534
        let list = try d.cli(["ledger", "list"], asUID: nobody)
        #expect(list.status == 77, "\(list.stdout) \(list.stderr)")
        let show = try d.cli(["ledger", "show", "L-0001"], asUID: nobody)
        #expect(show.status == 77)
        let report = try d.cli(
            [
                "report", "--kind", "loss", "--asset", "L-0001", "--information", "申請書の箱", "--location", "本社", "--circumstances", "紛失",
                "--no-prompt", "--json",
            ],
            asUID: nobody)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(!report.stdout.contains("住民票写し"), "a reporter sees the entry's id only")
        let id = try #require(try JSONParser.parse(report.stdout)["case"]?["id"]?.stringValue)
        let own = try d.cli(["case", "show", id], asUID: nobody)
        #expect(own.status == 0 && own.stdout.contains("L-0001") && !own.stdout.contains("住民票写し"), "\(own.stdout)")
    }
}
