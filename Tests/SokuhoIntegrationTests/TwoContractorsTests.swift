import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// A city hears from many contractors, who all number their cases from INC-<year>-0001.
@Suite(
    "Two contractors escalate to one city: every first report is stored",
    .enabled(if: EndpointHarness.python != nil))
struct TwoContractorsTests {
    @Test("two real daemons, one sokuho receive: both INC-…-0001 first reports are stored, with different webhook-ids (isolation defect 0)")
    func bothFirstReportsStored() throws {
        let city = try EndpointHarness(useReceive: true)
        try city.start()
        let a = try DaemonHarness(extra: city.cityConfig + EscalationTests.fastRetries)
        let b = try DaemonHarness(extra: city.cityConfig + EscalationTests.fastRetries)
        try a.start()
        try b.start()
        let ra = try a.call(["op": "report", "report": minimalReport(["information": "契約者A の名簿"])])
        let rb = try b.call(["op": "report", "report": minimalReport(["information": "契約者B の名簿"])])
        #expect(ra["case"]?["id"] == rb["case"]?["id"], "both contractors number from 0001")
        try waitFor { city.received.count == 2 }
        let got = city.received
        let infos = Set(got.compactMap { $0["payload"]?["data"]?["information"]?.stringValue })
        #expect(infos == ["契約者A の名簿", "契約者B の名簿"])
        let installations = Set(got.compactMap { $0["payload"]?["data"]?["installation"]?.stringValue })
        #expect(installations.count == 2, "each message names its installation")
        let ids = got.compactMap { $0["webhook_id"]?.stringValue }
        #expect(Set(ids).count == ids.count, "webhook-ids are unique across contractors: \(ids)")
        // Both outboxes say delivered, and the city stored each once.
        for d in [a, b] {
            try waitFor { try d.call(["op": "outbox.list"])["messages"]?.arrayValue?.allSatisfy { $0["state"] == "delivered" } == true }
        }
    }

    @Test("the installation id is stable across restarts, so a retried message keeps its webhook-id")
    func installationStable() throws {
        let d = try DaemonHarness.started()
        _ = try d.call(["op": "report", "report": minimalReport()])
        d.stop()
        let before = try DaemonHarness.shell("sqlite3 \(d.dbPath) 'SELECT installation_id FROM installation'").stdout
        try d.start()
        _ = try d.call(["op": "report", "report": minimalReport()])
        d.stop()
        let after = try DaemonHarness.shell("sqlite3 \(d.dbPath) 'SELECT installation_id FROM installation'").stdout
        #expect(before == after)
        #expect(before.trimmingCharacters(in: .whitespacesAndNewlines).count == 16)
    }
}
