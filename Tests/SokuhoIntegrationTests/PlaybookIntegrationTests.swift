import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Playbooks with the real daemon, the real CLI and `sokuho receive` as the city.
@Suite("Playbooks: checklists, automatic steps exactly once, reminders, safe reloads")
struct PlaybookIntegrationTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("playbooks").path

    func installShipped(_ d: DaemonHarness) throws {
        try FileManager.default.createDirectory(atPath: d.dir + "/playbooks", withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: Self.shipped) {
            try FileManager.default.copyItem(atPath: Self.shipped + "/" + f, toPath: d.dir + "/playbooks/" + f)
        }
    }

    func steps(_ d: DaemonHarness, _ id: String) throws -> [String: JSONValue] {
        let r = try d.call(["op": "case.steps", "id": .string(id)])
        var out: [String: JSONValue] = [:]
        for s in r["steps"]?.arrayValue ?? [] { out[s["id"]?.stringValue ?? ""] = s }
        return out
    }

    func types(_ city: EndpointHarness) -> [String] { city.received.map { $0["payload"]?["type"]?.stringValue ?? "" } }

    @Test(
        "a leak gets the leak playbook; completing steps unlocks the next; the automatic step reaches the city once, also across restarts")
    func leakCase() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let d = try DaemonHarness(extra: city.cityConfig)
        try installShipped(d)
        try d.start()
        let r = try d.call(["op": "report", "report": minimalReport(["suspected": true])])
        let id = try #require(r["case"]?["id"]?.stringValue)
        #expect(r["case"]?["playbook"]?["id"]?.stringValue == "leak")

        // The first automatic step ran at once (no notify endpoint: recorded, logged).
        try waitFor { try self.steps(d, id)["alert_lead"]?["state"]?.stringValue == "done" }
        var s = try steps(d, id)
        #expect(s["contain"]?["state"]?.stringValue == "ready")
        #expect(s["tell_city_contained"]?["waiting_on"] == ["contain"])
        #expect(s["subcontractor"]?["state"]?.stringValue == "not_applicable")

        // Out of order: refused, naming what it waits on.
        let early = try d.cli(["step", "done", id, "establish_scope"])
        #expect(early.status == 65)
        #expect(early.stderr.contains("waiting on preserve_evidence"), "\(early.stderr)")

        // The checklist as a lead reads it, in both languages.
        let en = try d.cli(["steps", id])
        #expect(en.stdout.contains("[>] ★ contain"), "\(en.stdout)")
        #expect(en.stdout.contains("Stop the spread (containment)"))
        let ja = try d.cli(["steps", id], environment: ["LANG": "ja_JP.UTF-8"])
        #expect(ja.stdout.contains("拡大を止める（封じ込め）"), "\(ja.stdout)")
        #expect(ja.stdout.contains("待ち: contain"))

        let done = try d.cli(["step", "done", id, "contain", "--note", "共有フォルダの権限を修正"])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(done.stdout.contains("now ready: tell_city_contained"), "\(done.stdout)")
        try waitFor { self.types(city).contains("incident.contained") }
        let contained = try #require(city.received.first { $0["payload"]?["type"] == "incident.contained" })
        #expect(contained["payload"]?["data"]?["step"]?["id"] == "tell_city_contained")
        #expect(contained["payload"]?["data"]?["case_id"]?.stringValue == id)
        s = try steps(d, id)
        #expect(s["contain"]?["record"]?["note"]?.stringValue == "共有フォルダの権限を修正")
        #expect(s["tell_city_contained"]?["record"]?["auto"] == true)

        // Restarts (clean and SIGKILL) do not repeat it. A clean stop does not wait for the
        // runner's sleep to end (it used to take up to a minute).
        let stopping = Date()
        #expect(d.stop() == 0)
        #expect(Date().timeIntervalSince(stopping) < 10)
        try d.start()
        d.stop(signal: SIGKILL)
        try d.start()
        usleep(500_000)
        #expect(types(city).filter { $0 == "incident.contained" }.count == 1, "\(types(city))")
        let dump = try DaemonHarness.shell(
            "sqlite3 \(d.dbPath) \"SELECT COUNT(*) FROM events WHERE type = 'step.done' AND data LIKE '%tell_city_contained%'\"")
        #expect(dump.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1")

        // Skip needs a reason and unlocks what waits.
        let skip = try d.cli(["step", "skip", id, "preserve_evidence", "--reason", "ログは自動保存されている"])
        #expect(skip.status == 0, "\(skip.stderr)")
        #expect(try steps(d, id)["establish_scope"]?["state"]?.stringValue == "ready")
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
    }

    @Test("only leads complete or skip steps", .enabled(if: getuid() == 0))
    func leadsOnly() throws {
        let d = try DaemonHarness()
        try installShipped(d)
        try d.start()
        let r = try d.call(["op": "report", "report": minimalReport()])
        let id = try #require(r["case"]?["id"]?.stringValue)
        let run = try d.cli(["step", "done", id, "contain"], asUID: 65534)
        #expect(run.status == 77, "\(run.stderr)")
        #expect(run.stderr.contains("lead role"))
    }

    static let quick = """
        playbook: quick
        title: {ja: 速い手順, en: Quick steps}
        applies_to: {kinds: [loss]}
        steps:
          - id: page_lead
            title: {ja: 責任者へ通知, en: Page the lead}
            guide: {ja: 自動通知, en: Automatic notice}
            type: auto
            action: {type: notify}
          - id: act
            title: {ja: 直ちに対応, en: Act now}
            guide: {ja: すぐに, en: At once}
            due: 1s
            mandatory: true
        """

    @Test("notices and overdue reminders go to playbooks.notify; a reminder is an event", .enabled(if: EndpointHarness.python != nil))
    func reminders() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let lead = try EndpointHarness(useReceive: true)
        try lead.start()
        let d = try DaemonHarness(
            extra: city.cityConfig + """
                escalation:
                  endpoints:
                    - name: lead-chat
                      url: \(lead.url)
                      secret_file: \(lead.secretPath)
                """)
        // playbooks.notify goes into the existing playbooks section.
        try
            (try String(contentsOfFile: d.configPath, encoding: .utf8)
            .replacingOccurrences(of: "  dir: playbooks\n", with: "  dir: playbooks\n  notify: lead-chat\n"))
            .write(toFile: d.configPath, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: d.dir + "/playbooks", withIntermediateDirectories: true)
        try Self.quick.write(toFile: d.dir + "/playbooks/quick.yaml", atomically: true, encoding: .utf8)
        try d.start()
        let r = try d.call(["op": "report", "report": minimalReport(["kind": "loss"])])
        let id = try #require(r["case"]?["id"]?.stringValue)
        try waitFor(timeout: 10) { self.types(lead).contains("incident.step_overdue") }
        #expect(types(lead).filter { $0 == "incident.step_notice" }.count == 1)
        let overdue = try #require(lead.received.first { $0["payload"]?["type"] == "incident.step_overdue" })
        #expect(overdue["payload"]?["data"]?["step"]?["id"] == "act")
        #expect(overdue["payload"]?["data"]?["step"]?["title"]?["ja"] == "直ちに対応")
        // The city gets the case's own messages, not the lead's notices.
        #expect(!types(city).contains("incident.step_overdue") && !types(city).contains("incident.step_notice"))
        let s = try steps(d, id)
        #expect(s["act"]?["overdue"] == true)
        #expect(s["act"]?["record"]?["reminders"] == 1)
        #expect(d.log.contains("step overdue"))
        // Once: not again within playbooks.remind_every (1 h by default), not after a restart.
        d.stop()
        try d.start()
        usleep(700_000)
        #expect(types(lead).filter { $0 == "incident.step_overdue" }.count == 1)
        let list = try d.cli(["steps", id])
        #expect(list.stdout.contains("OVERDUE"), "\(list.stdout)")
    }

    @Test("broken playbooks: refused at start with the line at fault; on reload the previous set stays in force")
    func brokenSets() throws {
        let d = try DaemonHarness()
        try installShipped(d)
        let leak = d.dir + "/playbooks/leak.yaml"
        let good = try String(contentsOfFile: leak, encoding: .utf8)
        let broken = good.replacingOccurrences(
            of: "    after: [preserve_evidence]\n    due: 1d", with: "    after: [preserve_evidense]\n    due: 1d")
        #expect(broken != good)
        try broken.write(toFile: leak, atomically: true, encoding: .utf8)
        let refused = #expect(throws: HarnessError.self) { try d.start() }
        #expect(refused?.description.contains("exited with 78") == true, "\(String(describing: refused))")
        #expect(d.log.contains("leak.yaml:"), "\(d.log)")
        #expect(d.log.contains("did you mean \"preserve_evidence\""))
        let check = try d.cli(["playbook", "check", "--dir", d.dir + "/playbooks"])
        #expect(check.status == 65)
        #expect(check.stderr.contains("steps[5].after[0]"), "\(check.stderr)")

        try good.write(toFile: leak, atomically: true, encoding: .utf8)
        try d.start()
        let first = try d.call(["op": "report", "report": minimalReport()])
        let firstHash = try #require(first["case"]?["playbook"]?["hash"]?.stringValue)

        // Broken on reload: refused, the running set stays.
        try broken.write(toFile: leak, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        try waitFor { d.log.contains("playbooks NOT reloaded") }
        let second = try d.call(["op": "report", "report": minimalReport()])
        #expect(second["case"]?["playbook"]?["hash"]?.stringValue == firstHash)

        // A good edit is taken for new cases; running cases keep their version.
        try good.replacingOccurrences(of: "en: Information leak response", with: "en: Leak response (v2)").write(
            toFile: leak, atomically: true, encoding: .utf8)
        kill(d.process!.processIdentifier, SIGHUP)
        try waitFor { d.log.contains("playbooks reloaded") }
        let third = try d.call(["op": "report", "report": minimalReport()])
        let thirdHash = try #require(third["case"]?["playbook"]?["hash"]?.stringValue)
        #expect(thirdHash != firstHash)
        let old = try d.call(["op": "case.steps", "id": first["case"]!["id"]!])
        #expect(old["playbook"]?["hash"]?.stringValue == firstHash)
        #expect(old["playbook"]?["title"]?["en"]?.stringValue == "Information leak response")
        let list = try d.cli(["playbook", "list"])
        #expect(list.stdout.contains("Leak response (v2)"), "\(list.stdout)")
    }
}
