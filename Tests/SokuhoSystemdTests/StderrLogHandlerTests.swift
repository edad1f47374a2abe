import Foundation
import Logging
import Synchronization
import Testing

@testable import SokuhoSystemd

/// Collects what the handler writes.
final class Sink: Sendable {
    let lines = Mutex<[String]>([])
    var all: String { lines.withLock { $0.joined() } }
    func write(_ s: String) { lines.withLock { $0.append(s) } }
}

func logger(journald: Bool, _ sink: Sink) -> Logger {
    Logger(label: "test") { label in
        StderrLogHandler(
            label: label, level: .trace, journald: journald, output: { sink.write($0) },
            clock: { Date(timeIntervalSince1970: 1_790_000_000) })
    }
}

/// Every scalar that must never reach a log line raw.
let hostileScalars: [Unicode.Scalar] =
    (0x00...0x1F).map { Unicode.Scalar($0)! } + [Unicode.Scalar(0x7F)!]
    + (0x80...0x9F).map { Unicode.Scalar($0)! }
    + (0x202A...0x202E).map { Unicode.Scalar($0)! } + (0x2066...0x2069).map { Unicode.Scalar($0)! }

func assertOneSafeLine(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(text.hasSuffix("\n"), sourceLocation: sourceLocation)
    let body = text.dropLast()
    #expect(
        !body.unicodeScalars.contains { hostileScalars.contains($0) }, "raw control in \(body.debugDescription)",
        sourceLocation: sourceLocation)
}

@Suite struct StderrLogHandlerTests {
    @Test func spoolFileNameWithNewlineAndPriorityIsOneEscapedLine() {
        let sink = Sink()
        let name = "evil\n<0>FAKE emergency \u{1b}[2J\u{7}"
        logger(journald: true, sink).warning("spool file rejected", metadata: ["file": "\(name)", "error": "bad"])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<4>level=warning error=bad file="evil\n<0>FAKE emergency \x1b[2J\x07" msg=spool file rejected"# + "\n")
        #expect(out.split(separator: "\n").count == 1)
    }

    @Test func messageAndKeysAreEscapedToo() {
        let sink = Sink()
        logger(journald: true, sink).critical("hello\r\n<0>forged", metadata: ["k\n<0>x y=z\"": "v"])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<2>level=critical k\n<0>x\x20y\x3dz\x22=v msg=hello\r\n<0>forged"# + "\n")
    }

    @Test func everyHostileScalarIsVisiblyEscaped() {
        let sink = Sink()
        let log = logger(journald: true, sink)
        for u in hostileScalars {
            var s = "a"
            s.unicodeScalars.append(u)
            s += "b"
            log.info("m", metadata: ["v": "\(s)"])
        }
        let lines = sink.lines.withLock { $0 }
        #expect(lines.count == hostileScalars.count)
        for line in lines { assertOneSafeLine(line) }
        #expect(lines[0x1b] == #"<6>level=info v=a\x1bb msg=m"# + "\n")
        #expect(lines[0x09] == #"<6>level=info v=a\tb msg=m"# + "\n")
        #expect(lines.contains(#"<6>level=info v=a\x7fb msg=m"# + "\n"))
        #expect(lines.contains(#"<6>level=info v=a\u{9b}b msg=m"# + "\n"))
        #expect(lines.contains(#"<6>level=info v=a\u{202e}b msg=m"# + "\n"))
        #expect(lines.contains(#"<6>level=info v=a\u{2069}b msg=m"# + "\n"))
    }

    @Test func backslashesAndQuotesCannotForgeEscapesOrFields() {
        let sink = Sink()
        logger(journald: true, sink).info("m", metadata: ["a": #"x\n" b=c"#, "b": "", "c": "日本語 テキスト"])
        #expect(sink.all == #"<6>level=info a="x\\n\" b=c" b="" c="日本語 テキスト" msg=m"# + "\n")
    }

    @Test func nestedMetadataIsEscaped() {
        let sink = Sink()
        logger(journald: true, sink).info("m", metadata: ["l": ["a\nb", "c"], "d": ["k\u{1b}": "v\r"]])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<6>level=info d="[k\x1b: v\r]" l="[a\nb, c]" msg=m"# + "\n")
    }

    @Test func outsideJournaldLinesStartWithTheTime() {
        let sink = Sink()
        logger(journald: false, sink).notice("case opened", metadata: ["case": "INC-2026-0001"])
        #expect(sink.all.hasPrefix("time=2026-"))
        #expect(sink.all.hasSuffix(#"Z level=notice case=INC-2026-0001 msg=case opened"# + "\n"))
        #expect(!sink.all.hasPrefix("<"))
    }

    @Test func priorities() {
        let sink = Sink()
        let log = logger(journald: true, sink)
        log.debug("d"); log.info("i"); log.notice("n"); log.warning("w"); log.error("e"); log.critical("c")
        #expect(sink.lines.withLock { $0.map { String($0.prefix(3)) } } == ["<7>", "<6>", "<5>", "<4>", "<3>", "<2>"])
    }

    @Test func theMessageIsLastAndKeepsItsQuotes() {
        let sink = Sink()
        logger(journald: true, sink).critical(#"cannot start: did you mean "x"? a=b \ c"#, metadata: ["msg": "m=1", "level": "x"])
        #expect(sink.all == #"<2>level=critical _level=x _msg="m=1" msg=cannot start: did you mean "x"? a=b \\ c"# + "\n")
    }

    @Test func credentialsInURLsAreRedacted() {
        let sink = Sink()
        logger(journald: true, sink).info(
            "escalation endpoints",
            metadata: [
                "endpoints": "city=https://user:s3cret@city.example.jp/hook other=http://tok@h:8080/x?a=b@c plain=https://h/p@q"
            ])
        #expect(
            sink.all
                == #"<6>level=info endpoints="city=https://***@city.example.jp/hook other=http://***@h:8080/x?a=b@c plain=https://h/p@q" msg=escalation endpoints"#
                + "\n")
        #expect(!sink.all.contains("s3cret") && !sink.all.contains("tok@"))
    }
}

@Suite("Log values are bounded")
struct LogValueBoundTests {
    @Test("a value longer than 1,024 characters is cut, so one call never exceeds journald's line limit")
    func bounded() {
        let v = LogText.value(String(repeating: "a", count: 100_000))
        #expect(v.count <= LogText.maxValueLength + 1)
        #expect(v.hasSuffix("…"))
    }
}
