import Testing

@testable import SokuhoCore

@Suite("Playbook conditions")
struct ConditionTests {
    func facts(_ extra: [String: JSONValue]) -> [String: JSONValue] {
        var f: [String: JSONValue] = [
            "kind": "leak", "suspected": false, "count": .null, "count_precision": .null, "state": "open",
            "subcontractor": .null, "information": "名簿",
        ]
        for (k, v) in extra { f[k] = v }
        return f
    }

    @Test(
        "comparisons, and/or/not, parentheses",
        arguments: [
            ("count > 100", ["count": JSONValue.int(101)], true),
            ("count > 100", ["count": .int(100)], false),
            ("count > 100", [:], false),  // unknown count: comparisons are false
            ("count == null", [:], true),
            ("count != null", ["count": .int(0)], true),
            ("count >= 1000 or count == null", [:], true),
            ("kind == leak and not suspected", [:], true),
            ("kind == leak and not suspected", ["suspected": .bool(true)], false),
            ("suspected", ["suspected": .bool(true)], true),
            ("subcontractor", [:], false),
            ("subcontractor", ["subcontractor": "株式会社テスト"], true),
            ("(kind == loss or kind == leak) and count < 10", ["count": .int(3)], true),
            ("kind == loss or kind == leak and count < 10", ["kind": "loss", "count": .int(30)], true),  // and binds tighter
            ("count_precision != exact", ["count_precision": "approximate"], true),
            ("information == '名簿'", [:], true),
            ("suspected == true", [:], false),
            ("state == open", [:], true),
            ("count > 1_000", ["count": .int(1001)], true),
        ] as [(String, [String: JSONValue], Bool)])
    func evaluates(text: String, extra: [String: JSONValue], expected: Bool) throws {
        let c = try Condition(parsing: text)
        #expect(c.evaluate(facts(extra)) == expected, "\(text)")
        #expect(c.source == text)
    }

    @Test(
        "errors name the problem and the column",
        arguments: [
            ("count > many", "number", 9),
            ("kind == leek", "did you mean \"leak\"", 9),
            ("cuont > 3", "did you mean \"count\"", 1),
            ("count >", "value expected", 8),
            ("count > 3 count < 5", "and / or", 11),
            ("(count > 3", "\")\" expected", 11),
            ("kind > leak", "== or !=", 8),
            ("count => 3", "unknown operator", 7),
            ("location == 'x", "not closed", 13),
            ("", "empty", 1),
            ("suspected == yes", "true or false", 14),
        ] as [(String, String, Int)])
    func errors(text: String, mentions: String, column: Int) {
        do {
            _ = try Condition(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(mentions), "\(text): \(error.message)")
            #expect(error.offset == column, "\(text): \(error)")
        }
    }
}
