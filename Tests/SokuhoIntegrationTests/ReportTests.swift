import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

@Suite("Reports through the socket open Article 18 cases")
struct ReportTests {
    @Test("a report opens a case whose fields match what was reported, Japanese text included")
    func reportOpensCase() throws {
        let d = try DaemonHarness.started()
        for (i, sample) in SampleIncidents.all.enumerated() {
            let r = try d.call(["op": "report", "report": sample])
            #expect(r["ok"] == true, "sample \(i): \(r)")
            let c = try #require(r["case"])
            for key in Report.fieldNames where key != "discovered_at" && key != "count_precision" {
                // count_unit and assets are left out of a case that has none (docs/protocol.md).
                #expect((c[key] ?? .null) == (sample[key] ?? .null), "sample \(i) field \(key)")
            }
            if !(sample["discovered_at"]?.isNull ?? true) { #expect(c["discovered_at"] == sample["discovered_at"]) }
            #expect(c["id"]?.stringValue == CaseID.make(year: Calendar.current.component(.year, from: Date()), number: i + 1))
            #expect(c["state"] == "open")
            #expect(c["reported_by"]?["uid"]?.intValue == Int64(getuid()))
            #expect(c["reported_by"]?["pid"]?.intValue ?? 0 > 0)
            #expect(r["receipt"]?["hash"]?.stringValue?.count == 64)
            #expect(r["receipt"]?["hash"] == c["opening_hash"])
            // Read back through case.get: the case is derived from its events.
            let got = try d.call(["op": "case.get", "id": c["id"]!])
            #expect(got["case"] == c)
        }
        #expect(SampleIncidents.all.count == 20)
    }

    @Test("unknown count is accepted and listed as missing; discovered_at defaults to receipt time")
    func unknownCount() throws {
        let d = try DaemonHarness.started()
        let r = try d.call(["op": "report", "report": minimalReport(["count": nil, "suspected": true])])
        #expect(r["ok"] == true)
        #expect(r["case"]?["missing"] == ["count"])
        #expect(r["case"]?["count_precision"] == .null)
        #expect(r["case"]?["suspected"] == true)
        #expect(r["case"]?["discovered_at"] == r["case"]?["reported_at"])
        let withCount = try d.call(["op": "report", "report": minimalReport(["count": 460517])])
        #expect(withCount["case"]?["missing"] == [])
        #expect(withCount["case"]?["count_precision"] == "exact")
    }

    @Test("the same report_id returns the same case, never a second one")
    func idempotentReportID() throws {
        let d = try DaemonHarness.started()
        let report = minimalReport(["report_id": "form-2026-11-26-0001"])
        let first = try d.call(["op": "report", "report": report])
        let second = try d.call(["op": "report", "report": report])
        #expect(first["duplicate"] == false)
        #expect(second["duplicate"] == true)
        #expect(first["case"]?["id"] == second["case"]?["id"])
        #expect(first["receipt"] == second["receipt"])
        let status = try d.call(["op": "status"])
        #expect(status["status"]?["cases"] == 1)
        #expect(status["status"]?["events"] == 1)
    }

    @Test("case.update completes facts as an event with who and when; case.list filters")
    func updateAndList() throws {
        let d = try DaemonHarness.started()
        let opened = try d.call(["op": "report", "report": minimalReport()])
        let id = try #require(opened["case"]?["id"])
        _ = try d.call(["op": "report", "report": minimalReport(["kind": "loss"])])
        let u = try d.call(["op": "case.update", "id": id, "fields": ["count": 1200, "count_precision": "approximate"]])
        #expect(u["ok"] == true, "\(u)")
        #expect(u["case"]?["count"] == 1200)
        #expect(u["case"]?["missing"] == [])
        #expect(u["changes"]?["count"] == ["from": nil, "to": 1200])
        #expect(u["receipt"]?["seq"] == 3)
        let same = try d.call(["op": "case.update", "id": id, "fields": ["count": 1200]])
        #expect(same["changes"] == [:])
        #expect(same["receipt"] == .null)
        let got = try d.call(["op": "case.get", "id": id])
        let events = try #require(got["events"]?.arrayValue)
        #expect(events.count == 2)
        #expect(events[1]["type"] == "case.updated")
        #expect(events[1]["actor"]?["uid"]?.intValue == Int64(getuid()))
        let leaks = try d.call(["op": "case.list", "kind": "leak"])
        #expect(leaks["count"] == 1)
        let all = try d.call(["op": "case.list", "limit": 10])
        #expect(all["count"] == 2)
        #expect(all["cases"]?.arrayValue?.first?["kind"] == "loss")  // newest first
        let bad = try d.call(["op": "case.update", "id": id, "fields": ["information": "  "]])
        #expect(bad["error"]?["code"] == "empty_field")
        #expect(bad["error"]?["field"] == "information")
        let missing = try d.call(["op": "case.get", "id": "INC-2026-9999"])
        #expect(missing["error"]?["code"] == "not_found")
    }
}
