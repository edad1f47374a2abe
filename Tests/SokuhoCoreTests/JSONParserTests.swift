import Testing

@testable import SokuhoCore

@Suite("JSON parsing and canonical form")
struct JSONParserTests {
    @Test("values parse with their types; integers stay integers")
    func types() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":1.5,"c":true,"d":null,"e":"x","f":[1,"2"],"g":-0,"h":1e3}"#)
        #expect(v["a"] == .int(1))
        #expect(v["b"] == .double(1.5))
        #expect(v["c"] == .bool(true))
        #expect(v["d"] == .null)
        #expect(v["e"] == "x")
        #expect(v["f"] == [1, "2"])
        #expect(v["g"] == .int(0))
        #expect(v["h"] == .double(1000))
    }

    @Test("strings: escapes, surrogate pairs, Japanese text")
    func strings() throws {
        #expect(try JSONParser.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\né😀"))
        #expect(try JSONParser.parse("\"秘密情報　漏えい\"") == .string("秘密情報　漏えい"))
    }

    @Test(
        "errors name the problem and the byte",
        arguments: [
            ("", JSONError.Reason.empty),
            ("   ", .empty),
            ("{", .unexpectedEnd),
            ("{\"a\":1,}", .expectedKey),
            ("{\"a\" 1}", .expectedColon),
            ("[1 2]", .expectedCommaOrEnd),
            ("{\"a\":1,\"a\":2}", .duplicateKey("a")),
            ("\"abc", .unterminatedString),
            ("\"a\u{01}\"", .controlCharacterInString),
            ("\"\\x\"", .invalidEscape),
            ("\"\\ud800\"", .invalidEscape),
            ("01", .invalidNumber),
            ("1.", .invalidNumber),
            ("tru", .invalidLiteral),
            ("1 2", .trailingData),
            ("@", .unexpectedCharacter(UInt8(ascii: "@"))),
        ])
    func errors(_ input: String, _ reason: JSONError.Reason) {
        #expect(throws: JSONError.self) { try JSONParser.parse(input) }
        do { _ = try JSONParser.parse(input) } catch { #expect(error.reason == reason, "\(input)") }
    }

    @Test("invalid UTF-8 is reported with its offset")
    func invalidUTF8() {
        do {
            _ = try JSONParser.parse([0x22, 0x61, 0xC3, 0x28, 0x22])
            Issue.record("must fail")
        } catch {
            #expect(error.reason == .invalidUTF8)
            #expect(error.offset == 2)
        }
    }

    @Test("nesting is bounded")
    func depth() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        do { _ = try JSONParser.parse(deep); Issue.record("must fail") } catch { #expect(error.reason == .tooDeep) }
        #expect((try? JSONParser.parse(String(repeating: "[", count: 10) + String(repeating: "]", count: 10))) != nil)
    }

    @Test("canonical form: sorted keys by UTF-8, no whitespace, minimal escapes, stable round trip")
    func canonical() throws {
        let v: JSONValue = ["b": 1, "a": ["z": "\"\\\n\u{1}/é", "y": nil], "件数": 3, "A": true]
        #expect(v.canonicalString == #"{"A":true,"a":{"y":null,"z":"\"\\\n\u0001/é"},"b":1,"件数":3}"#)
        #expect(try JSONParser.parse(v.canonicalString) == v)
        #expect(try JSONParser.parse(v.canonicalString).canonicalBytes == v.canonicalBytes)
    }

    @Test("canonical bytes are stable: a number with an exponent becomes an integer once, then stays (found by fuzzing)")
    func canonicalIdempotent() throws {
        for text in ["{\"a\":-1.5e3}", "[1e2, 2.50, -0, 1E-2]", "{\"b\":{\"c\":[3.0,\"\\u00e9\"]}}"] {
            let v = try JSONParser.parse(text)
            let again = try JSONParser.parse(v.canonicalBytes)
            #expect(again.canonicalBytes == v.canonicalBytes, "\(text)")
        }
        #expect(try JSONParser.parse("{\"a\":-1.5e3}").canonicalString == "{\"a\":-1500}")
    }

    @Test("the fast paths agree with the rules: integer bounds, escapes at either end, keys by bytes")
    func fastPaths() throws {
        // Integers: up to 18 characters take the direct path, longer ones the checked one.
        let integers: [(String, Int64)] = [
            ("0", 0), ("-0", 0), ("7", 7), ("-7", -7), ("999999999999999999", 999_999_999_999_999_999),
            ("-99999999999999999", -99_999_999_999_999_999), ("9223372036854775807", .max), ("-9223372036854775808", .min),
        ]
        for (text, value) in integers {
            #expect(try JSONParser.parse(text) == .int(value), "\(text)")
            #expect(JSONValue.int(value).canonicalString == (text == "-0" ? "0" : text))
        }
        #expect(try JSONParser.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        // Escapes at the start, in the middle and at the end, and strings with none.
        for s in ["\"a", "a\\", "\n", "a\u{1F}b", "", "plain", "日本語\t"] {
            #expect(try JSONParser.parse(JSONValue.string(s).canonicalString) == .string(s))
        }
        #expect(JSONValue.string("\"\u{0}x\u{7F}").canonicalString == "\"\\\"\\u0000x\u{7F}\"")
        // By UTF-8 bytes: "Z" < "a" < "ab" < "é" (C3 A9) < "ﬁ" (EF AC 81) < "ｚ" (EF BD 9A).
        let v: JSONValue = ["ｚ": 1, "é": 2, "ab": 3, "a": 4, "Z": 5, "ﬁ": 6]
        #expect(v.canonicalString == #"{"Z":5,"a":4,"ab":3,"é":2,"ﬁ":6,"ｚ":1}"#)
        #expect(try JSONParser.parse(v.prettyString) == v)
        // A duplicate key is still refused, at the second occurrence.
        do {
            _ = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
            Issue.record("must fail")
        } catch {
            #expect(error.reason == .duplicateKey("a"))
            #expect(error.offset == 13)
        }
        // The first problem in the document is the one reported, as before objects were gathered.
        let firsts: [(String, JSONError.Reason, Int)] = [
            (#"{"a":1,"a":2,"b":}"#, .duplicateKey("a"), 7), (#"{"a":1,"a":2,"c":{"d":1,"d":2}}"#, .duplicateKey("a"), 7),
            (#"{"a":{"x":1,"x":2},"a":3}"#, .duplicateKey("x"), 12), (#"{"a":1,"a":{"x":1,"x":2}}"#, .duplicateKey("x"), 18),
            (#"{"a":1,"b":}"#, .unexpectedCharacter(UInt8(ascii: "}")), 11),
        ]
        for (text, reason, offset) in firsts {
            do {
                _ = try JSONParser.parse(text)
                Issue.record("must fail: \(text)")
            } catch {
                #expect(error.reason == reason, "\(text)")
                #expect(error.offset == offset, "\(text)")
            }
        }
    }
}
