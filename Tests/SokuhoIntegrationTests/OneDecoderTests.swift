import Foundation
import SokuhoCore
import Testing

/// `sokuho report --file` and the spool read report files with one decoder: the same file is
/// accepted by both, or refused by both with the same error code, field and position.
@Suite("One decoder: the spool and sokuho report --file agree on every file")
struct OneDecoderTests {
    struct Fixture: Sendable {
        var name: String
        var bytes: [UInt8]
        /// Whether standard input (no name, so no extension: sniffed) must give the same answer.
        var viaStdin = true
    }

    static func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        var out: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for u in text.utf16 { out += littleEndian ? [UInt8(u & 0xFF), UInt8(u >> 8)] : [UInt8(u >> 8), UInt8(u & 0xFF)] }
        return out
    }

    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Valid reports in every format and encoding the spool takes.
    static var valid: [Fixture] {
        let yaml = SpoolTests.yaml
        return [
            Fixture(name: "a.json", bytes: Array(SpoolTests.report.utf8)),
            Fixture(name: "b.yaml", bytes: Array(yaml.utf8)),
            Fixture(name: "c.yml", bytes: bom + Array(yaml.utf8)),
            Fixture(name: "d.yaml", bytes: SpoolTests.shiftJIS),
            Fixture(name: "e.yaml", bytes: utf16(yaml, littleEndian: true)),
            Fixture(name: "f.yaml", bytes: utf16(yaml, littleEndian: false)),
            Fixture(name: "g.txt", bytes: Array(SpoolTests.report.replacingOccurrences(of: "spool-json-1", with: "txt-1").utf8)),
            Fixture(name: "h", bytes: Array(yaml.replacingOccurrences(of: "kind: loss", with: "kind: damage").utf8)),
            Fixture(name: "i.json", bytes: bom + Array(SpoolTests.report.replacingOccurrences(of: "spool-json-1", with: "bom-1").utf8)),
        ]
    }

    /// Broken files: the spool's own malformed fixtures (but the size limit, which is the
    /// spool's alone) and more with positions to agree on.
    static var broken: [Fixture] {
        var out = SpoolTests.bad.filter { $0.code != "file_too_large" }.map {
            // A .json name with YAML or binary content, or a .docx, is read differently when
            // nameless (sniffed); those are compared through --file only.
            Fixture(name: $0.name, bytes: $0.bytes, viaStdin: !["junk.json", "report.docx", "empty.json"].contains($0.name))
        }
        out += [
            Fixture(name: "late.json", bytes: Array("\n\n{\"kind\": \"leak\",\n  \"information\": \"名簿\", \"count\": ,\n}".utf8)),
            Fixture(name: "crlf.json", bytes: Array("{\"kind\": \"leak\",\r\n\"information\": \"名簿\",\r\n  \"count\": }".utf8)),
            Fixture(name: "bad.yaml", bytes: Array("kind: leak\ninformation: [名簿\nlocation: 本社\n".utf8)),
            Fixture(name: "tab.yaml", bytes: Array("kind: leak\n\tinformation: 名簿\n".utf8)),
            Fixture(name: "utf8.yaml", bytes: Array("kind: leak\ninformation: 顧客".utf8) + [0xE5, 0x90] + Array("\nlocation: 本社\n".utf8)),
            Fixture(
                name: "bom-utf8.json",
                bytes: bom + Array("{\"kind\": \"leak\",\n \"information\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)),
            Fixture(name: "odd-utf16.yaml", bytes: Array(utf16(SpoolTests.yaml, littleEndian: true).dropLast())),
            Fixture(
                name: "unknown.yaml",
                bytes: Array("kind: leak\ninformation: 名簿\nlocation: 本社\ncircumstances: 誤送信\nreporter_name: 山田\n".utf8)),
            Fixture(
                name: "nested.yaml",
                bytes: Array("kind: leak\ninformation: 名簿\nlocation: 本社\ncircumstances: 誤送信\nreporter:\n  nmae: 山田\n".utf8)),
        ]
        return out
    }

    /// What one side made of a file.
    struct Verdict: Equatable, CustomStringConvertible {
        var accepted: Bool
        var code: String?
        var field: String?
        var line: Int?
        var column: Int?
        var description: String {
            accepted
                ? "accepted" : "\(code ?? "?") field=\(field ?? "-") at \(line.map(String.init) ?? "-"):\(column.map(String.init) ?? "-")"
        }
    }

    /// `line N[, column M]` in the spool's reason message.
    static func spoolPosition(_ message: String) throws -> (Int?, Int?) {
        let regex = try Regex(#"\bline (\d+)(?:, column (\d+))?"#)
        guard let m = message.firstMatch(of: regex) else { return (nil, nil) }
        let line = m.output[1].substring.flatMap { Int($0) }
        let column = m.output.count > 2 ? m.output[2].substring.flatMap { Int($0) } : nil
        return (line, column)
    }

    /// `sokuho: FILE[:line[:column]]: message [field: F] (code)` on the CLI's standard error.
    static func cliVerdict(_ run: DaemonHarness.Run, file: String) throws -> Verdict {
        if run.status == 0 { return Verdict(accepted: true) }
        var text = run.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("sokuho: ") { text = String(text.dropFirst("sokuho: ".count)) }
        var v = Verdict(accepted: false)
        if let m = text.firstMatch(of: try Regex(#"\(([a-z_0-9]+)\)$"#)) { v.code = m.output[1].substring.map(String.init) }
        if let m = text.firstMatch(of: try Regex(#"\[field: ([^\]]+)\]"#)) { v.field = m.output[1].substring.map(String.init) }
        if text.hasPrefix(file + ":") {
            let rest = text.dropFirst(file.count)
            if let m = rest.prefixMatch(of: try Regex(#":(\d+)(?::(\d+))?:"#)) {
                v.line = m.output[1].substring.flatMap { Int($0) }
                v.column = m.output.count > 2 ? m.output[2].substring.flatMap { Int($0) } : nil
            }
        }
        return v
    }

    @Test("every fixture: accepted by both, or refused by both with the same code, field and position")
    func agree() throws {
        let d = try DaemonHarness.started()
        let fixtures = Self.valid + Self.broken
        for f in fixtures { try d.drop(f.name, f.bytes) }
        #expect(
            d.wait(timeout: 60) { d.files("accepted").count + d.rejectedFiles.count == fixtures.count && d.files("incoming").isEmpty },
            "\(d.files("incoming")) \(d.files("accepted")) \(d.rejectedFiles)")

        let cliDir = d.dir + "/cli"
        try FileManager.default.createDirectory(atPath: cliDir, withIntermediateDirectories: true)
        for f in fixtures {
            let spool: Verdict
            if d.files("accepted").contains(where: { $0.hasSuffix("--" + f.name) }) {
                spool = Verdict(accepted: true)
            } else {
                let r = try d.reason(f.name)
                let (line, column) = try Self.spoolPosition(r["message"]?.stringValue ?? "")
                spool = Verdict(accepted: false, code: r["code"]?.stringValue, field: r["field"]?.stringValue, line: line, column: column)
            }
            let path = cliDir + "/" + f.name
            try Data(f.bytes).write(to: URL(fileURLWithPath: path))
            let run = try d.cli(["report", "--file", path, "--json", "--no-prompt"])
            let cli = try Self.cliVerdict(run, file: path)
            #expect(cli == spool, "\(f.name): spool \(spool), sokuho report --file \(cli): \(run.stderr)")
            if !spool.accepted { #expect(run.status == 65, "\(f.name): \(run.stderr)") }

            if f.viaStdin {
                let piped = try DaemonHarness.shell(
                    "SOKUHO_SOCKET='\(d.socketPath)' LANG=C.UTF-8 '\(DaemonHarness.sokuho)' report --file - --json --no-prompt < '\(path)'")
                let viaStdin = try Self.cliVerdict(piped, file: "<stdin>")
                #expect(viaStdin == spool, "\(f.name): spool \(spool), sokuho report --file - \(viaStdin): \(piped.stderr)")
            }
        }
        // The valid ones were all accepted, in every encoding, and the broken ones all refused.
        #expect(d.files("accepted").count == Self.valid.count, "\(d.rejectedFiles)")
    }

    @Test("the fields read from a file are the same through the spool and through sokuho report --file")
    func sameFields() throws {
        let d = try DaemonHarness.started()
        let names = ["d.yaml", "e.yaml", "h"]
        for f in Self.valid where names.contains(f.name) { try d.drop(f.name, f.bytes) }
        #expect(d.wait { d.files("accepted").count == names.count })
        for f in Self.valid where names.contains(f.name) {
            let fromSpool = try #require(try d.caseFromFile(f.name))
            let path = d.dir + "/" + f.name
            try Data(f.bytes).write(to: URL(fileURLWithPath: path))
            let run = try d.cli(["report", "--file", path, "--json", "--no-prompt"])
            #expect(run.status == 0, "\(run.stderr)")
            let fromCLI = try JSONParser.parse(run.stdout)["case"] ?? .null
            for key in ["kind", "information", "count", "count_precision", "location", "circumstances", "reporter", "subcontractor"] {
                #expect(fromCLI[key] == fromSpool[key], "\(f.name): \(key)")
            }
        }
    }
}
