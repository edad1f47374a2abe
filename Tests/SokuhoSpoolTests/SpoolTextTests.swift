import SokuhoCore
import Testing

@testable import SokuhoSpool

@Suite("Reading spool text: UTF-8, BOMs, Shift_JIS/CP932, and refusing what cannot be read")
struct SpoolTextTests {
    // 「顧客名簿①」 in CP932 (① is an NEC special character that plain Shift_JIS lacks).
    let cp932: [UInt8] = [0x8C, 0xDA, 0x8B, 0x71, 0x96, 0xBC, 0x95, 0xEB, 0x87, 0x40]

    @Test("plain UTF-8")
    func utf8() throws {
        let d = try SpoolText.decode(Array("kind: leak # 漏えい".utf8)).get()
        #expect(d.encoding == "utf-8")
        #expect(d.text == "kind: leak # 漏えい")
    }

    @Test("UTF-8 with a BOM: the BOM is dropped and recorded")
    func utf8BOM() throws {
        let d = try SpoolText.decode([0xEF, 0xBB, 0xBF] + Array("{\"a\":\"名簿\"}".utf8)).get()
        #expect(d.encoding == "utf-8-bom")
        #expect(d.text == "{\"a\":\"名簿\"}")
    }

    @Test("UTF-16 with a BOM, as Windows Notepad saves \"Unicode\"")
    func utf16() throws {
        let text = "kind: loss\ninformation: 名簿"
        var le: [UInt8] = [0xFF, 0xFE]
        for u in text.utf16 { le += [UInt8(u & 0xFF), UInt8(u >> 8)] }
        var be: [UInt8] = [0xFE, 0xFF]
        for u in text.utf16 { be += [UInt8(u >> 8), UInt8(u & 0xFF)] }
        #expect(try SpoolText.decode(le).get() == .init(text: text, encoding: "utf-16le"))
        #expect(try SpoolText.decode(be).get() == .init(text: text, encoding: "utf-16be"))
        let odd = Array(le.dropLast())
        #expect(throws: ValidationError.self) { try SpoolText.decode(odd).get() }
    }

    @Test("Shift_JIS / CP932, including NEC special characters")
    func shiftJIS() throws {
        let bytes = Array("information: ".utf8) + cp932
        let d = try SpoolText.decode(bytes).get()
        #expect(d.encoding == "shift_jis")
        #expect(d.text == "information: 顧客名簿①")
        // Backslash and tilde stay ASCII in CP932 (not yen sign / overline).
        #expect(try SpoolText.decode(Array("a\\b~".utf8) + cp932).get().text == "a\\b~顧客名簿①")
    }

    @Test(
        "damaged UTF-8 is refused with the offset, never read as Shift_JIS mojibake",
        arguments: [
            [UInt8]([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D]),  // {"a":"\xC3("}
            Array("{\"information\":\"顧客".utf8) + [0xE5, 0x90],  // Japanese cut off mid-character
            Array("名簿".utf8) + [0xFF] + Array("住所".utf8),
            [0x80, 0x81, 0xFF],
        ])
    func damagedUTF8(bytes: [UInt8]) {
        let result = SpoolText.decode(bytes)
        guard case .failure(let e) = result else { Issue.record("accepted \(result)"); return }
        #expect(e.code == .invalidUTF8)
        #expect(e.message.contains("offset"))
        #expect(!e.messageJa.isEmpty)
    }

    @Test("a BOM followed by damaged UTF-8 is refused")
    func bomThenDamaged() {
        guard case .failure(let e) = SpoolText.decode([0xEF, 0xBB, 0xBF, 0x41, 0xC3]) else { Issue.record("accepted"); return }
        #expect(e.code == .invalidUTF8)
        #expect(e.message.contains("byte order mark"))
    }

    @Test("binary data (NUL bytes) is named as such")
    func binary() {
        guard case .failure(let e) = SpoolText.decode([0x50, 0x4B, 0x03, 0x04, 0x00, 0x00, 0x08]) else { Issue.record("accepted"); return }
        #expect(e.code == .unsupportedFormat)
        #expect(e.message.contains("binary"))
    }
}

@Suite("Decoding spool files: format by extension, one report object")
struct SpoolDecoderTests {
    @Test("JSON, YAML and sniffed .txt become the same fields")
    func formats() throws {
        let json = try SpoolDecoder.decode(Array("{\"kind\": \"leak\", \"count\": 3}".utf8), name: "a.JSON").get()
        let yaml = try SpoolDecoder.decode(Array("kind: leak\ncount: 3\n".utf8), name: "a.yml").get()
        let txt = try SpoolDecoder.decode(Array("kind: leak\ncount: 3\n".utf8), name: "report.txt").get()
        let bare = try SpoolDecoder.decode(Array(" {\"kind\":\"leak\",\"count\":3}".utf8), name: "report").get()
        #expect(json.fields == yaml.fields)
        #expect(txt.fields == json.fields && bare.fields == json.fields)
        #expect(json.format == "json" && yaml.format == "yaml" && txt.format == "yaml" && bare.format == "json")
    }

    @Test("a base-60 number too big for 64 bits is read as text, not a crash (found by fuzzing)")
    func sexagesimalOverflow() throws {
        let c = try SpoolDecoder.decode(Array("kind: leak\ncount: 1666666600090104801:08\n".utf8), name: "a.yaml").get()
        #expect(c.fields["count"]?.stringValue == "1666666600090104801:08")
        #expect(throws: ValidationError.self) { _ = try Report.validate(c.fields) }
    }

    @Test("YAML keeps quoted and time-like values as text")
    func yamlStrings() throws {
        let c = try SpoolDecoder.decode(Array("occurred_at: 2026-11-26T09:00:00+09:00\nreport_id: \"0012\"\n".utf8), name: "a.yaml").get()
        #expect(c.fields["occurred_at"]?.stringValue == "2026-11-26T09:00:00+09:00")
        #expect(c.fields["report_id"]?.stringValue == "0012")
    }

    @Test(
        "each problem names itself",
        arguments: [
            ("report.docx", "PK", ErrorCode.unsupportedFormat, "docx"),
            ("a.json", "", .emptyFile, "empty"),
            ("a.json", " \n\t ", .emptyFile, "empty"),
            ("a.json", "{\"kind\": \"leak\",\n \"count\": }", .invalidJSON, "line 2"),
            ("a.yaml", "kind: [leak\n", .invalidYAML, "line"),
            ("a.json", "[1, 2]", .wrongType, "array"),
            ("a.yaml", "just words", .wrongType, "string"),
        ])
    func problems(name: String, text: String, code: ErrorCode, mentions: String) {
        let result = SpoolDecoder.decode(Array(text.utf8), name: name)
        guard case .failure(let e) = result else { Issue.record("accepted \(result)"); return }
        #expect(e.code == code)
        #expect(e.message.contains(mentions), "\(e.message)")
        #expect(!e.messageJa.isEmpty)
    }

    @Test("extensions are read case-insensitively; dotfiles have none")
    func extensions() {
        #expect(SpoolDecoder.fileExtension("A.YAML") == "yaml")
        #expect(SpoolDecoder.fileExtension("report") == "")
        #expect(SpoolDecoder.fileExtension(".hidden") == "")
        #expect(SpoolLayout.isIgnored(".x.json") && SpoolLayout.isIgnored("x.json.tmp") && !SpoolLayout.isIgnored("x.json"))
    }
}
