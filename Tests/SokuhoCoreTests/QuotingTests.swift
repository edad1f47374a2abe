import Testing

@testable import SokuhoCore

/// What a message, a record or a log line quotes of a user's text is short whatever the text,
/// and an id is refused before it is quoted when it is longer than any real one.
@Suite struct QuotingTests {
    @Test func anIdIsOnlyEverShort() {
        #expect(CaseID.parse("INC-2026-0001")! == (2026, 1))
        #expect(CaseID.parse("INC-2026-123456789")! == (2026, 123_456_789))
        #expect(CaseID.parse("INC-2026-" + String(repeating: "0", count: 100_000) + "1") == nil)
        #expect(CaseID.parse("INC-2026-1234567890") == nil)
        #expect(CaseID.parse("INC-+202-0001") == nil)
        #expect(CaseID.parse("INC-2026-+001") == nil)
        #expect(CaseID.parse("INC-2026-0000") == nil)
        #expect(CaseID.parse("INC-２０２６-0001") == nil, "full-width digits are not ASCII")
    }

    @Test func combiningMarksDoNotEscapeTheBound() {
        let flood = "x" + String(repeating: "\u{0301}", count: 300_000)
        #expect(flood.count == 1, "one character of 300,001 scalars")
        let q = TerminalSafe.bounded(flood)
        #expect(q.unicodeScalars.count == 65, "64 scalars and the ellipsis")
        #expect(TerminalSafe.bounded("事案の報告") == "事案の報告")
    }

    @Test func aQuoteIsBoundedAndEscaped() {
        let q = TerminalSafe.quoted("\u{1b}]0;owned\u{07}" + String(repeating: "a", count: 1_000))
        #expect(!q.unicodeScalars.contains { $0.value < 0x20 })
        #expect(q.utf8.count < 300)
        #expect(q.hasPrefix("\\x1b"))
    }

    @Test func aDuplicateKeyIsQuotedBounded() {
        let key = "\u{1b}[2J" + String(repeating: "k", count: 500_000)
        let bytes = Array("{\"\(key)\":1,\"\(key)\":2}".utf8)
        do {
            _ = try JSONParser.parse(bytes)
            Issue.record("a duplicate key was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.utf8.count < 1_000)
            #expect(!message.unicodeScalars.contains { $0.value == 0x1b })
        }
    }

    @Test func aTimeIsNeverALongText() {
        #expect(Timestamp(rfc3339: "2026-11-28T10:00:00.123456789Z") != nil)
        #expect(Timestamp(rfc3339: "2026-11-28T10:00:00.1234567890Z") == nil)
        #expect(Timestamp(rfc3339: "2026-11-28T10:00:00." + String(repeating: "0", count: 1_000_000) + "Z") == nil)
    }

    @Test func instructionsFromTheCityKeepTheTextRules() {
        let answer = Array(
            #"{"instructions":[{"id":"C-1","text":"ok"},{"id":"C-2","text":"bad\u001b[2J"},{"id":"C\u001b-3","text":"fine","from":"市\u202e"}]}"#
                .utf8)
        let items = Instruction.fromWebhookAnswer(answer)
        #expect(items.map(\.text) == ["ok", "fine"], "a text with a control character is not recorded")
        #expect(items.last?.externalID == "C\\x1b-3", "ids are kept, escaped")
        #expect(items.last?.from == "市\\u{202e}")
    }
}
