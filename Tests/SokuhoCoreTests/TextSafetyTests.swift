import Foundation
import Testing

@testable import SokuhoCore

/// Characters that forge lines, rewrite terminals or reorder text, in report fields and in
/// what the reports and the CLI print.
@Suite("Control and bidi characters in texts")
struct TextSafetyTests {
    static let minimal: [String: JSONValue] = [
        "kind": "leak", "information": "顧客名簿", "location": "本社", "circumstances": "誤送信",
    ]

    func error(_ extra: [String: JSONValue], stored: Bool = false) -> ValidationError? {
        var o = Self.minimal
        for (k, v) in extra { o[k] = v }
        do { _ = try Report.validate(.object(o), stored: stored); return nil } catch { return error }
    }

    static let textFields = ["information", "location", "circumstances", "subcontractor", "report_id"]
    static let refused: [(String, String)] = [
        ("a\rstate: closed (FORGED)", "U+000D"), ("a\u{7f}b", "U+007F"), ("a\u{9b}2Jb", "U+009B"), ("a\u{85}b", "U+0085"),
        ("a\u{80}b", "U+0080"), ("a\u{9f}b", "U+009F"), ("a\u{1b}[2Jb", "U+001B"), ("a\u{7}b", "U+0007"),
        ("evil\u{202e}txt.exe", "U+202E"), ("a\u{202a}b", "U+202A"), ("a\u{2066}b", "U+2066"), ("a\u{2069}b", "U+2069"),
    ]

    @Test("CR, DEL, C1 and bidi controls are refused in every text field, naming it", arguments: textFields)
    func refusedEverywhere(_ field: String) {
        for (value, code) in Self.refused {
            let e = error([field: .string(value)])
            #expect(e?.code == .invalidValue, "\(field) \(value.debugDescription)")
            #expect(e?.field == field)
            #expect(e?.message.contains(code) == true, "\(e?.message ?? "")")
            #expect(e?.messageJa.contains(code) == true)
            #expect(e?.messageJa.contains(field) == true)
        }
        let nested = error(["reporter": ["name": "山田\u{202e}"]])
        #expect(nested?.field == "reporter.name")
    }

    @Test("APPI texts and other FieldReader texts follow the same rule")
    func appiTexts() {
        #expect(throws: ValidationError.self) { try AppiItems.validate(["cause": "a\u{9b}b"]) }
        #expect(throws: ValidationError.self) { try FieldReader(object: ["note": "x\ry"]).optionalText("note") }
    }

    @Test("newline and tab stay allowed in multi-line texts; CR LF becomes LF; report_id is one line")
    func newlines() throws {
        let r = try Report.validate(.object(Self.minimal.merging(["circumstances": "一行目\r\n二行目\tタブ", "location": "a\nb"]) { _, n in n }))
        #expect(r.circumstances == "一行目\n二行目\tタブ")
        #expect(r.location == "a\nb")
        #expect(error(["report_id": "abc\n<0>x"])?.field == "report_id")
        #expect(error(["report_id": "abc\tx"])?.field == "report_id")
        #expect(error(["circumstances": "a\r\r\nb"])?.field == "circumstances")  // a lone CR stays refused
    }

    @Test("stored reports replay with the rules of their time")
    func stored() throws {
        #expect(error(["circumstances": "a\rb\u{9b}\u{202e}", "report_id": "x\ny"], stored: true) == nil)
        let r = try Report.validate(.object(Self.minimal.merging(["circumstances": "a\r\nb"]) { _, n in n }), stored: true)
        #expect(r.circumstances == "a\r\nb")
        #expect(error(["circumstances": "a\u{1b}b"], stored: true)?.field == "circumstances")  // refused then too
    }

    @Test("error messages that quote input show controls escaped")
    func quotedInput() {
        #expect(error(["kind": "leak\u{1b}]0;owned\u{7}"])?.message.contains("leak\\x1b]0;owned\\x07") == true)
        #expect(error(["x\u{1b}[2J": 1])?.message.contains("x\\x1b[2J") == true)
        #expect(error(["occurred_at": "2026\r\u{9b}"])?.message.contains("2026\\r\\u{9b}") == true)
    }

    @Test("TerminalSafe.escape leaves text alone and makes every control visible")
    func terminalSafe() {
        #expect(TerminalSafe.escape("顧客名簿 \\\\nas01\\share (x)") == "顧客名簿 \\\\nas01\\share (x)")
        #expect(
            TerminalSafe.escape("a\rb\nc\td\u{1b}[0m\u{7f}\u{9b}\u{202e}\u{2066}\u{2028}")
                == "a\\rb\\nc\\td\\x1b[0m\\x7f\\u{9b}\\u{202e}\\u{2066}\\u{2028}")
        #expect(TerminalSafe.escape("a\nb\tc\r", allowNewlines: true) == "a\nb\tc\\r")
        #expect(TerminalSafe.block("a\nb", indent: "  ") == "a\n  b")
        for v in Array(0...0x1F) + Array(0x7F...0x9F) + Array(0x202A...0x202E) + Array(0x2066...0x2069) {
            let out = TerminalSafe.escape("x" + String(Unicode.Scalar(UInt32(v))!) + "y")
            #expect(!out.unicodeScalars.contains { TerminalSafe.isControlOrFormat($0) }, "U+\(String(v, radix: 16))")
        }
    }
}
