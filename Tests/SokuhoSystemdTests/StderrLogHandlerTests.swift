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
        StderrLogHandler(label: label, level: .trace, journald: journald, output: { sink.write($0) },
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
    #expect(!body.unicodeScalars.contains { hostileScalars.contains($0) }, "raw control in \(body.debugDescription)",
            sourceLocation: sourceLocation)
}

@Suite struct StderrLogHandlerTests {
    @Test func spoolFileNameWithNewlineAndPriorityIsOneEscapedLine() {
        let sink = Sink()
        let name = "evil\n<0>FAKE emergency \u{1b}[2J\u{7}"
        logger(journald: true, sink).warning("spool file rejected", metadata: ["file": "\(name)", "error": "bad"])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<4>level=warning msg="spool file rejected" error=bad file="evil\n<0>FAKE emergency \x1b[2J\x07""# + "\n")
        #expect(out.split(separator: "\n").count == 1)
    }

    @Test func messageAndKeysAreEscapedToo() {
        let sink = Sink()
        logger(journald: true, sink).critical("hello\r\n<0>forged", metadata: ["k\n<0>x y=z\"": "v"])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<2>level=critical msg=hello\r\n<0>forged k\n<0>x\x20y\x3dz\x22=v"# + "\n")
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
        #expect(lines[0x1b] == #"<6>level=info msg=m v=a\x1bb"# + "\n")
        #expect(lines[0x09] == #"<6>level=info msg=m v=a\tb"# + "\n")
        #expect(lines.contains(#"<6>level=info msg=m v=a\x7fb"# + "\n"))
        #expect(lines.contains(#"<6>level=info msg=m v=a\u{9b}b"# + "\n"))
        #expect(lines.contains(#"<6>level=info msg=m v=a\u{202e}b"# + "\n"))
        #expect(lines.contains(#"<6>level=info msg=m v=a\u{2069}b"# + "\n"))
    }

    @Test func backslashesAndQuotesCannotForgeEscapesOrFields() {
        let sink = Sink()
        logger(journald: true, sink).info("m", metadata: ["a": #"x\n" b=c"#, "b": "", "c": "日本語 テキスト"])
        #expect(sink.all == #"<6>level=info msg=m a="x\\n\" b=c" b="" c="日本語 テキスト""# + "\n")
    }

    @Test func nestedMetadataIsEscaped() {
        let sink = Sink()
        logger(journald: true, sink).info("m", metadata: ["l": ["a\nb", "c"], "d": ["k\u{1b}": "v\r"]])
        let out = sink.all
        assertOneSafeLine(out)
        #expect(out == #"<6>level=info msg=m d="[k\x1b: v\r]" l="[a\nb, c]""# + "\n")
    }

    @Test func outsideJournaldLinesStartWithTheTime() {
        let sink = Sink()
        logger(journald: false, sink).notice("case opened", metadata: ["case": "INC-2026-0001"])
        #expect(sink.all.hasPrefix("time=2026-"))
        #expect(sink.all.hasSuffix(#"Z level=notice msg="case opened" case=INC-2026-0001"# + "\n"))
        #expect(!sink.all.hasPrefix("<"))
    }

    @Test func priorities() {
        let sink = Sink()
        let log = logger(journald: true, sink)
        log.debug("d"); log.info("i"); log.notice("n"); log.warning("w"); log.error("e"); log.critical("c")
        #expect(sink.lines.withLock { $0.map { String($0.prefix(3)) } } == ["<7>", "<6>", "<5>", "<4>", "<3>", "<2>"])
    }

    @Test func credentialsInURLsAreRedacted() {
        let sink = Sink()
        logger(journald: true, sink).info("escalation endpoints", metadata: [
            "endpoints": "city=https://user:s3cret@city.example.jp/hook other=http://tok@h:8080/x?a=b@c plain=https://h/p@q"])
        #expect(sink.all == #"<6>level=info msg="escalation endpoints" endpoints="city=https://***@city.example.jp/hook other=http://***@h:8080/x?a=b@c plain=https://h/p@q""# + "\n")
        #expect(!sink.all.contains("s3cret") && !sink.all.contains("tok@"))
    }
}
