import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The whole way of a case, as a new security lead would walk it (docs/walkthrough.md), with the
/// real daemon, the real CLI, and a city endpoint that answers with instructions.
@Suite("To closure and publication", .enabled(if: EndpointHarness.python != nil))
struct ClosureTests {
    func daemon(city: EndpointHarness, clocks: String = "") throws -> DaemonHarness {
        let d = try DaemonHarness(extra: city.cityConfig + EscalationTests.fastRetries + clocks)
        try FileManager.default.createDirectory(atPath: d.dir + "/playbooks", withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: PlaybookIntegrationTests.shipped) {
            try FileManager.default.copyItem(atPath: PlaybookIntegrationTests.shipped + "/" + f, toPath: d.dir + "/playbooks/" + f)
        }
        try d.start()
        return d
    }

    func ok(_ r: DaemonHarness.Run, _ what: String) {
        #expect(r.status == 0, "\(what): \(r.stderr)")
    }

    @Test(
        "report → playbook → instruction from the city → count confirmed → close refused with reasons → gates met → closed → publication → report printed"
    )
    func walkthrough() throws {
        let city = try EndpointHarness()
        // The city answers deliveries with an instruction (docs/escalation.md).
        try
            #"{"instructions": [{"id": "tokoro-2026-17", "from": "情報政策課", "text": "対象者の一覧を本日17時までに提出すること", "issued_at": "2026-11-26T10:30:00+09:00"}]}"#
            .write(toFile: city.dir + "/answer", atomically: true, encoding: .utf8)
        try city.start()
        let d = try daemon(city: city)
        let report = try d.cli([
            "report", "--kind", "leak", "--suspected", "--information", "顧客名簿（氏名・住所・電話番号）",
            "--location", "本社3階 共有フォルダ", "--circumstances", "アクセス権の設定誤りで全社員が閲覧可能だった",
            "--reporter-name", "山田 太郎", "--reporter-contact", "03-0000-0000", "--no-prompt", "--json",
        ])
        ok(report, "report")
        let id = try #require(try JSONParser.parse(report.stdout)["case"]?["id"]?.stringValue)

        // The instruction in the city's answer is recorded once, however many answers repeat it.
        try waitFor { (try d.call(["op": "case.get", "id": .string(id)])["case"]?["instructions"]?.arrayValue?.count ?? 0) == 1 }
        let list = try d.cli(["instruction", "list", id])
        #expect(list.stdout.contains("I-1") && list.stdout.contains("OPEN") && list.stdout.contains("webhook:city"), "\(list.stdout)")

        // Closing too early: every gate, in plain words, and nothing changes.
        let early = try d.cli(["case", "close", id])
        #expect(early.status == 65)
        for words in ["resolve it first", "count (件数) is still unknown", "mandatory steps", "instructions are still open: I-1"] {
            #expect(early.stderr.contains(words), "\(words): \(early.stderr)")
        }
        let ja = try d.cli(["case", "close", id, "--check"], environment: ["LANG": "ja_JP.UTF-8"])
        #expect(ja.stdout.contains("件数が未確定です"), "\(ja.stdout)")

        // The lead works the case.
        ok(
            try d.cli([
                "case", "update", id, "--count", "1200", "--count-precision", "approximate", "--persons", "1150",
                "--summary", "共有フォルダのアクセス権設定の誤り", "--data-items", "氏名、住所、電話番号", "--cause", "権限変更時の確認漏れ",
                "--secondary-harm", "no", "--notice-to-persons", "市が本人へ通知", "--recurrence-prevention", "権限変更の二重確認",
                "--sensitive", "false", "--financial-harm", "false", "--malicious", "false",
            ]), "update")
        ok(try d.cli(["case", "contain", id, "--reason", "アクセス権を修正"]), "contain")
        ok(try d.cli(["instruction", "done", id, "I-1", "--response", "11/26 16:30 一覧を提出"]), "instruction done")
        ok(try d.cli(["case", "submit", id, "preliminary"]), "preliminary")
        ok(try d.cli(["case", "submit", id, "confirmed"]), "confirmed")
        let steps = try d.call(["op": "case.steps", "id": .string(id)])["steps"]?.arrayValue ?? []
        for s in steps where s["mandatory"] == true && s["type"] == "manual" {
            let sid = s["id"]!.stringValue!
            let r = try d.cli(["step", "done", id, sid, "--note", "実施済み"])
            if r.status != 0 { ok(try d.cli(["step", "skip", id, sid, "--reason", "テスト"]), "skip \(sid)") }
        }
        // Steps done out of dependency order above may have been skipped; all mandatory ones are closed now.
        try waitFor {
            (try d.call(["op": "case.gates", "id": .string(id)])["gates"]?.arrayValue ?? []).map { $0["gate"]?.stringValue ?? "" } == [
                "resolved"
            ]
        }
        ok(try d.cli(["case", "resolve", id]), "resolve")
        let close = try d.cli(["case", "close", id])
        ok(close, "close")
        #expect(close.stdout.contains("final report (incident.closed)"))
        ok(
            try d.cli([
                "case", "publication", id, "--decision", "published", "--date", "2026-12-01", "--url",
                "https://www.city.example.jp/news/123",
            ]), "publication")

        // The city received every step of the way, in order, ending with the final report and the publication.
        try waitFor(timeout: 15) { city.attempts.contains { ($0["body"]?.stringValue ?? "").contains("\"incident.publication\"") } }
        let types = city.attempts.compactMap { try? JSONParser.parse($0["body"]?.stringValue ?? "") }.map { $0["type"]?.stringValue ?? "" }
        for t in [
            "incident.opened", "incident.updated", "incident.state_changed", "incident.instruction_done", "incident.preliminary_report",
            "incident.confirmed_report", "incident.closed", "incident.publication",
        ] {
            #expect(types.contains(t), "\(t) in \(types)")
        }
        #expect(types.firstIndex(of: "incident.closed")! < types.firstIndex(of: "incident.publication")!)
        let closed = try #require(
            city.attempts.compactMap { try? JSONParser.parse($0["body"]?.stringValue ?? "") }.first { $0["type"] == "incident.closed" })
        #expect(closed["data"]?["appi"]?["persons"] == 1150)
        #expect(closed["data"]?["state"] == "closed")

        // The repeated instruction in later answers was not recorded twice.
        #expect(try d.call(["op": "case.get", "id": .string(id)])["case"]?["instructions"]?.arrayValue?.count == 1)

        // Reports: the incident report in both languages, HTML for A4, the public notice without personal data.
        let md = try d.cli(["case", "report", id, "--lang", "ja"])
        ok(md, "report md")
        for words in ["事故報告書", "件数", "1,200件（概数）", "3 本人の数", "1,150人", "必要と見込まれる", "対象者の一覧を本日17時までに提出すること", "最終報告", "監査チェーン"] {
            #expect(md.stdout.contains(words), "\(words)")
        }
        let html = try d.cli(["case", "report", id, "--format", "html", "--lang", "en", "--output", d.dir + "/report.html"])
        ok(html, "report html")
        let page = try String(contentsOfFile: d.dir + "/report.html", encoding: .utf8)
        #expect(page.contains("size: A4;") && page.contains("Information security incident report"))
        let notice = try d.cli(["case", "notice", id, "--lang", "ja"])
        #expect(notice.stdout.contains("顧客名簿") && !notice.stdout.contains("山田") && !notice.stdout.contains("03-0000-0000"))
        let status = try d.cli(["status-report", "--from", "2026-01-01", "--to", "2100-01-01", "--format", "csv"])
        #expect(status.stdout.contains("\(id),leak,true,closed,incident,1200,1150"), "\(status.stdout)")

        // Reopening needs a reason; the city hears it.
        #expect(try d.cli(["case", "reopen", id, "--reason", ""]).status == 65)
        ok(try d.cli(["case", "reopen", id, "--reason", "別の共有フォルダでも同じ設定誤りが見つかった"]), "reopen")
        d.stop()
        ok(try d.cli(["audit", "verify", "--db", d.dbPath]), "audit verify")
    }

    @Test("a missed clock raises one alarm and tells the city", .enabled(if: EndpointHarness.python != nil))
    func missedClock() throws {
        let city = try EndpointHarness()
        try city.start()
        try city.setMode("500")  // the first report cannot be delivered
        let d = try daemon(city: city, clocks: "clocks:\n  first_report: 1s\n")
        let r = try d.call(["op": "report", "report": minimalReport()])
        let id = try #require(r["case"]?["id"]?.stringValue)
        try waitFor(timeout: 30) { d.log.contains("ALARM: deadline missed") }
        let shown = try d.call(["op": "case.get", "id": .string(id)])
        let first = shown["clocks"]?.arrayValue?.first { $0["clock"] == "first_report" }
        #expect(first?["state"] == "missed")
        #expect(shown["case"]?["clocks_missed"] == nil)  // internal; the event is the record
        try city.setMode("ok")
        _ = try d.call(["op": "outbox.retry"])
        try waitFor(timeout: 15) { city.attempts.contains { ($0["body"]?.stringValue ?? "").contains("incident.clock_missed") } }
        let human = try d.cli(["case", "show", id])
        #expect(human.stdout.contains("met late") || human.stdout.contains("MISSED"), "\(human.stdout)")
        d.stop()
        let count = try DaemonHarness.shell("sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM events WHERE type = 'clock.missed'\"")
        #expect(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}

@Suite("The status report on a schedule")
struct ScheduledStatusReportTests {
    @Test("status_report.every sends the signed handling-status report to the city, period after period")
    func scheduled() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig + EscalationTests.fastRetries + "status_report:\n  every: 2s\n")
        let r = try d.call(["op": "report", "report": minimalReport()])
        let id = try #require(r["case"]?["id"]?.stringValue)
        try waitFor(timeout: 20) { city.received.filter { $0["payload"]?["type"] == "status.report" }.count >= 2 }
        let reports = city.received.filter { $0["payload"]?["type"] == "status.report" }.compactMap { $0["payload"]?["data"] }
        #expect(reports[0]["cases"]?.arrayValue?.contains { $0["case_id"]?.stringValue == id } == true, "\(reports[0])")
        #expect(reports[1]["from"] == reports[0]["to"])  // no gap between periods
        #expect(reports.map { $0["sequence"]?.intValue ?? 0 }.prefix(2) == [1, 2])
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}
