import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoTestSupport
import Testing

@Suite("Bad input gets a clear error; the daemon keeps serving; nothing is half-written")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var code: String
        var field: String?
        var testDescription: String { name }
    }

    static func line(_ s: String) -> [UInt8] { Array(s.utf8) + [0x0A] }
    static func report(_ body: String) -> [UInt8] { line("{\"op\":\"report\",\"report\":\(body)}") }
    static let valid = "\"kind\":\"leak\",\"information\":\"i\",\"location\":\"l\",\"circumstances\":\"c\""

    static let cases: [Case] = [
        Case(name: "line over 1 MiB", bytes: Array(repeating: UInt8(ascii: "a"), count: (1 << 20) + 10) + [0x0A], code: "line_too_long"),
        Case(name: "invalid UTF-8", bytes: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D, 0x0A], code: "invalid_utf8"),
        Case(name: "invalid JSON", bytes: line("{\"op\":\"report\","), code: "invalid_json"),
        Case(name: "empty line", bytes: line(""), code: "invalid_json"),
        Case(name: "not an object", bytes: line("[1,2]"), code: "invalid_request"),
        Case(name: "missing op", bytes: line("{\"report\":{}}"), code: "missing_field", field: "op"),
        Case(name: "op not a string", bytes: line("{\"op\":7}"), code: "wrong_type", field: "op"),
        Case(name: "unknown op", bytes: line("{\"op\":\"case.delete\",\"id\":\"INC-2026-0001\"}"), code: "unknown_op", field: "op"),
        Case(name: "unknown request member", bytes: line("{\"op\":\"status\",\"verbose\":true}"), code: "unknown_field", field: "verbose"),
        Case(name: "missing report", bytes: line("{\"op\":\"report\"}"), code: "missing_field", field: "report"),
        Case(name: "report not an object", bytes: report("\"leak\""), code: "wrong_type", field: "report"),
        Case(
            name: "missing kind", bytes: report("{\"information\":\"i\",\"location\":\"l\",\"circumstances\":\"c\"}"),
            code: "missing_field", field: "kind"),
        Case(
            name: "bad kind", bytes: report("{\(valid.replacingOccurrences(of: "leak", with: "leek"))}"), code: "invalid_value",
            field: "kind"),
        Case(
            name: "empty information",
            bytes: report("{\"kind\":\"leak\",\"information\":\"   \",\"location\":\"l\",\"circumstances\":\"c\"}"), code: "empty_field",
            field: "information"),
        Case(
            name: "full-width blank location",
            bytes: report("{\"kind\":\"leak\",\"information\":\"i\",\"location\":\"\u{3000}\",\"circumstances\":\"c\"}"),
            code: "empty_field", field: "location"),
        Case(
            name: "null circumstances",
            bytes: report("{\"kind\":\"leak\",\"information\":\"i\",\"location\":\"l\",\"circumstances\":null}"), code: "missing_field",
            field: "circumstances"),
        Case(name: "count as string", bytes: report("{\(valid),\"count\":\"12\"}"), code: "wrong_type", field: "count"),
        Case(name: "negative count", bytes: report("{\(valid),\"count\":-1}"), code: "invalid_value", field: "count"),
        Case(name: "fractional count", bytes: report("{\(valid),\"count\":1.5}"), code: "wrong_type", field: "count"),
        Case(name: "suspected as string", bytes: report("{\(valid),\"suspected\":\"yes\"}"), code: "wrong_type", field: "suspected"),
        Case(name: "bad time", bytes: report("{\(valid),\"occurred_at\":\"yesterday\"}"), code: "invalid_value", field: "occurred_at"),
        Case(name: "unknown field near miss", bytes: report("{\(valid),\"locaton\":\"x\"}"), code: "unknown_field", field: "locaton"),
        Case(
            name: "unknown reporter field", bytes: report("{\(valid),\"reporter\":{\"mail\":\"a@b\"}}"), code: "unknown_field",
            field: "reporter.mail"),
        Case(name: "duplicate key", bytes: report("{\(valid),\"kind\":\"loss\"}"), code: "invalid_json"),
        Case(
            name: "precision without count", bytes: report("{\(valid),\"count_precision\":\"approximate\"}"), code: "invalid_value",
            field: "count_precision"),
        Case(name: "bad case id", bytes: line("{\"op\":\"case.get\",\"id\":\"42\"}"), code: "invalid_value", field: "id"),
        Case(name: "limit out of range", bytes: line("{\"op\":\"case.list\",\"limit\":0}"), code: "invalid_value", field: "limit"),
    ]

    @Test("each bad input gets its error code and field", arguments: cases)
    func badInput(_ c: Case) throws {
        let d = try DaemonHarness.started()
        // A second client stays connected throughout: it must keep being served.
        let bystander = try d.client()
        let before = try bystander.call(["op": "status"])
        let conn = try d.client()
        let r = try d.raw(c.bytes, on: conn)
        #expect(r["ok"] == false)
        #expect(r["error"]?["code"]?.stringValue == c.code, "\(r)")
        if let field = c.field { #expect(r["error"]?["field"]?.stringValue == field, "\(r)") }
        #expect((r["error"]?["message"]?.stringValue ?? "").count > 0)
        #expect((r["error"]?["message_ja"]?.stringValue ?? "").count > 0)
        // The same connection carries on.
        let next = try conn.call(["op": "report", "report": minimalReport()])
        #expect(next["ok"] == true)
        let after = try bystander.call(["op": "status"])
        // Nothing was written for the bad input: exactly one new event, the good report's.
        #expect(after["status"]?["events"]?.intValue == (before["status"]?["events"]?.intValue ?? -9) + 1)
        if c.code == "unknown_field", c.field == "locaton" {
            #expect(r["error"]?["message"]?.stringValue?.contains("did you mean \"location\"") == true)
        }
    }

    @Test("a client that disconnects mid-line or floods does not disturb others")
    func abruptClients() throws {
        let d = try DaemonHarness.started()
        for _ in 0..<20 {
            let c = try d.client()
            try c.send(Array("{\"op\":\"report\",\"report\":{\"kind\":".utf8))
        }
        let r = try d.call(["op": "report", "report": minimalReport()])
        #expect(r["ok"] == true)
        #expect(try d.call(["op": "status"])["status"]?["events"] == 1)
    }
}
