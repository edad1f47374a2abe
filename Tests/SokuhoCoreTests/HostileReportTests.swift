import Foundation
import Testing

@testable import SokuhoCore

/// User text that tries to become HTML, links, images or block structure in the reports.
@Suite("Hostile text in the rendered reports")
struct HostileReportTests {
    static let hostile =
        "<script>alert(1)</script> <img src=x onerror=alert(1)> [click](javascript:alert(1)) ![i](http://evil/x.png) `code` *b* _i_ a|b ~~s~~ &amp; \\[x\\]"
    static let dossier: JSONValue = [
        "generated_at": "2026-12-20T09:00:00.000Z",
        "case": [
            "id": "INC-2026-0009", "state": "open", "kind": "leak", "suspected": false,
            "information": .string(hostile), "count": .null,
            "location": "# Heading\n- list\n1. item\n> quote\n=====\n---", "circumstances": "line\u{1b}]0;title\u{7}\u{202e}drows",
            "subcontractor": "<b>bold</b>",
            "reporter": ["name": "[me](javascript:x)", "organization": "a|b", "contact": "<x@evil>"],
            "publication": ["decision": "published", "date": "2026-12-01", "url": "javascript:alert(document.cookie)"],
            "instructions": [
                ["id": "I-1", "issued_at": "2026-11-26T01:30:00.000Z", "from": "<iframe>", "text": "[a](javascript:b)", "open": true]
            ],
        ],
        "events": [
            [
                "seq": 1, "at": "2026-11-26T00:05:00.000Z", "type": "case.updated", "hash": "a1", "actor": ["user": "<u>", "role": "lead"],
                "data": ["location": ["from": "x", "to": "<script>y</script>"]],
            ]
        ],
        "steps": [
            [
                "id": "s_1", "title": ["ja": "[t](javascript:t)", "en": "[t](javascript:t)"], "state": "done",
                "record": ["note": "<img src=x onerror=1>"],
            ]
        ],
        "audit": ["events": 1, "head_hash": "f0", "case_last_hash": "a1"],
    ]

    @Test("Markdown renders user text as text: no HTML, no links, no images, no block structure", arguments: [true, false])
    func markdown(_ ja: Bool) {
        let md = IncidentReport.document(Self.dossier, style: .japan(ja)).markdown()
        for raw in [
            "<script", "<img", "<b>", "<iframe", "<u>", "<x@", "[click]", "![i]", "`code`", "*b*", "_i_", "~~s~~",
            "\u{1b}", "\u{7}", "\u{202e}",
        ] {
            #expect(!md.contains(raw), "\(raw) in markdown")
        }
        #expect(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(md.contains("\\[click\\](javascript:alert(1))"))
        #expect(md.contains("&amp;amp;"))
        #expect(md.contains("a\\|b"))
        // in a cell no block can start; "&gt;" keeps a quote out anyway
        #expect(md.contains("# Heading<br>- list<br>1. item<br>&gt; quote<br>=====<br>---"))
        #expect(md.contains("line\\x1b\\]0;title\\x07\\u{202e}drows"))
        // a link needs an unescaped "](": every "]" is escaped
        #expect(!md.replacingOccurrences(of: "\\]", with: "").contains("]"))
        #expect(!md.replacingOccurrences(of: "\\[", with: "").contains("["))
        #expect(md.contains("javascript:alert(document.cookie)"))  // as text, never as a link target
        // user text adds no table cells: every row of the first table has the two cells of its header
        let section1 = md.components(separatedBy: "## ")[1]
        for line in section1.split(separator: "\n") where line.hasPrefix("|") {
            #expect(line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 3, "\(line)")
        }
    }

    @Test("in free text, line starts cannot open a heading, a list, a quote or a rule")
    func lineStarts() {
        #expect(
            ReportDocument.markdownText("# h\n- l\n+ p\n12. o\n3) p\n> q\n===\n---\n  # indented")
                == "\\# h\n\\- l\n\\+ p\n12\\. o\n3\\) p\n&gt; q\n\\===\n\\---\n  \\# indented")
        #expect(ReportDocument.markdownText("a # b - c 1. d", blocks: true) == "a # b - c 1. d")
        #expect(ReportDocument.markdownText("# x", blocks: false) == "# x")
    }

    @Test("HTML escapes the same input, and bidi and controls are visible", arguments: [true, false])
    func html(_ ja: Bool) {
        let html = IncidentReport.document(Self.dossier, style: .japan(ja)).html(lang: ja ? "ja" : "en")
        for raw in ["<script", "<img", "<b>", "<iframe", "<u>", "href=", "\u{1b}", "\u{202e}"] { #expect(!html.contains(raw), "\(raw)") }
        #expect(html.contains("&lt;script&gt;"))
    }

    @Test("the status report CSV defuses formulas and the notice shows controls escaped")
    func csvAndNotice() {
        let r: JSONValue = [
            "from": "2026-11-01", "to": "2026-12-01",
            "cases": [["id": "=HYPERLINK(\"http://evil\")", "kind": "+1", "state": "@SUM(A1)", "resolution": "-2"]],
        ]
        let csv = StatusReport.csv(r)
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")\",'+1,,'@SUM(A1),'-2,"))
        let notice = PublicNotice.draft(Self.dossier["case"]!, style: .japan(true))
        #expect(!notice.contains("\u{1b}") && !notice.contains("\u{202e}"))
        #expect(notice.contains("line\\x1b]0;title\\x07\\u{202e}drows"))
    }

    @Test("the page footer is a CSS string nothing can close: no quote, brace or tag gets out")
    func pageFooter() {
        let doc = ReportDocument(
            title: "t", subtitle: "s", footer: "", pageFooter: "INC\"; } </style><script>alert(1)</script>\\\u{202e}\n")
        let html = doc.html(lang: "ja")
        let rule = html.components(separatedBy: "\n").first { $0.contains("@bottom-left") } ?? ""
        #expect(
            rule.hasPrefix("  @bottom-left { content: \"INC\\22 \\3b  \\7d  \\3c \\2f style\\3e \\3c script\\3e alert\\28 1\\29 "),
            "\(rule)")
        #expect(!html.contains("<script") && !html.contains("\u{202e}"))
        #expect(html.components(separatedBy: "</style>").count == 2)
    }
}
