import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// What flows back from the city to a contractor's `sokuhod`: instructions for any of its
/// cases and the city's publication decisions, in the answer to a delivery or to the
/// `instructions.poll` it sends every `city.poll_every`.
@Suite("The city's answers: instructions and publication decisions flow back", .enabled(if: EndpointHarness.python != nil))
struct CityAnswerTests {
    @Test("a poll brings the city's instruction and publication decision to the right case, as the city's, once")
    func pollBringsInstructionsAndDecisions() throws {
        let city = try EndpointHarness()
        try city.start()
        let d = try DaemonHarness.started(extra: city.cityConfig.replacingOccurrences(of: "city:\n", with: "city:\n  poll_every: 1s\n"))
        let first = try #require(try d.call(["op": "report", "report": minimalReport()])["case"]?["id"]?.stringValue)
        let second = try #require(try d.call(["op": "report", "report": minimalReport()])["case"]?["id"]?.stringValue)
        try waitFor { city.attempts.count >= 2 }
        // From now on the city answers everything with an instruction for the second case and a
        // decision for the first.
        try """
        {"ok":true,"instructions":[{"id":"CI-7","case_id":"\(second)","from":"情報政策課","text":"対象者一覧を提出すること"}],
         "publications":[{"id":"CP-3","case_id":"\(first)","decision":"planned","date":"2026-12-05"}]}
        """.write(toFile: city.dir + "/answer", atomically: true, encoding: .utf8)
        try waitFor {
            let a = try d.call(["op": "case.get", "id": .string(second)])
            let b = try d.call(["op": "case.get", "id": .string(first)])
            return a["case"]?["instructions"]?.arrayValue?.count == 1 && b["case"]?["publication"]?["decided_by"] == "city"
        }
        let polls = city.attempts.filter { ($0["body"]?.stringValue ?? "").contains("instructions.poll") }
        #expect(!polls.isEmpty)
        #expect(polls.allSatisfy { $0["verified"] == true || $0["verified"] == nil })
        // The next poll says they were recorded; answered again, they are recorded once.
        try waitFor {
            city.attempts.contains { a in
                let body = a["body"]?.stringValue ?? ""
                return body.contains("instructions.poll") && body.contains("CI-7") && body.contains("CP-3")
            }
        }
        let got = try d.call(["op": "case.get", "id": .string(second)])
        #expect(got["case"]?["instructions"]?.arrayValue?.count == 1)
        #expect(got["case"]?["instructions"]?.arrayValue?.first?["external_id"] == "CI-7")
        #expect(try d.call(["op": "case.get", "id": .string(first)])["case"]?["instructions"]?.arrayValue?.isEmpty == true)
        // The open instruction blocks closure.
        _ = try d.call(["op": "case.transition", "id": .string(second), "to": "contained"])
        _ = try d.call(["op": "case.transition", "id": .string(second), "to": "resolved", "resolution": "fixed"])
        let close = try d.call(["op": "case.transition", "id": .string(second), "to": "closed"])
        #expect(close["ok"] == false)
        #expect(closureGates(close).contains("instructions"), "\(close.canonicalString)")
        d.stop()
        #expect(try d.cli(["audit", "verify", "--db", d.dbPath]).status == 0)
    }
}
