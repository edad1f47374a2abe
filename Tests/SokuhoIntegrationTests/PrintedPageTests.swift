import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// Every document a city official files, printed to PDF by headless Chromium from what the real
/// CLI renders for a case the real daemon worked through (the walkthrough's case), and read back
/// from the PDF: no wire times, no JSON, no English state words in Japanese, times whole, the
/// page footer on every page, the chain head on the last page, nothing past the right margin.
///
/// `SOKUHO_DOC_IMAGES=DIR` also writes each document's PDF and its first page as a PNG into DIR
/// (the pictures in docs/images/, made with `pdftoppm -png -r 60 -f 1 -l 1`).
@Suite(
    "Documents as printed pages",
    .enabled(if: PrintedPages.available, "needs Debian's chromium and poppler-utils: run scripts/system-packages.sh --with-test-tools"),
    .enabled(if: EndpointHarness.python != nil, "needs python3 for the city's endpoint"))
struct PrintedPageTests {
    static let japan = DocumentStyle(japanese: true, zone: .fixed(seconds: 9 * 3600))

    /// The walkthrough's case (docs/walkthrough.md), closed and published, on a daemon whose
    /// `time_zone_offset` is +09:00.
    static func walkthroughCase(_ city: EndpointHarness, report extra: [String] = []) throws -> (DaemonHarness, String) {
        try
            #"{"instructions": [{"id": "tokoro-2026-17", "from": "情報政策課", "text": "対象者の一覧を本日17時までに提出すること", "issued_at": "2026-11-26T10:30:00+09:00"}]}"#
            .write(toFile: city.dir + "/answer", atomically: true, encoding: .utf8)
        try city.start()
        let d = try ClosureTests().daemon(city: city, clocks: "time_zone_offset: \"+09:00\"\n")
        func ok(_ args: [String]) throws {
            let r = try d.cli(args)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        let report = try d.cli(
            [
                "report", "--kind", "leak", "--suspected", "--information", "顧客名簿（氏名・住所・電話番号）",
                "--location", "本社3階 共有フォルダ", "--circumstances", "アクセス権の設定誤りで全社員が閲覧可能だった",
                "--reporter-name", "山田 太郎", "--reporter-contact", "03-0000-0000", "--no-prompt", "--json",
            ] + extra)
        let id = try #require(try JSONParser.parse(report.stdout)["case"]?["id"]?.stringValue, "\(report.stderr)")
        try waitFor { (try d.call(["op": "case.get", "id": .string(id)])["case"]?["instructions"]?.arrayValue?.count ?? 0) == 1 }
        try ok(["case", "update", id, "--count", "1200", "--count-precision", "approximate"])
        try ok([
            "case", "update", id, "--persons", "1150", "--summary", "共有フォルダのアクセス権設定の誤り", "--data-items", "氏名、住所、電話番号",
            "--cause", "権限変更時の確認漏れ", "--secondary-harm", "no", "--sensitive", "false", "--financial-harm", "false", "--malicious", "false",
        ])
        try ok(["case", "contain", id, "--reason", "アクセス権を修正"])
        try ok(["instruction", "done", id, "I-1", "--response", "11/26 16:30 一覧を提出"])
        try ok(["case", "update", id, "--notice-to-persons", "市が本人へ通知", "--recurrence-prevention", "権限変更の二重確認"])
        try ok(["case", "submit", id, "preliminary"])
        try ok(["case", "submit", id, "confirmed"])
        for s in try d.call(["op": "case.steps", "id": .string(id)])["steps"]?.arrayValue ?? []
        where s["mandatory"] == true && s["type"] == "manual" {
            let sid = s["id"]?.stringValue ?? ""
            if try d.cli(["step", "done", id, sid, "--note", "実施済み"]).status != 0 {
                try ok(["step", "skip", id, sid, "--reason", "市の指示により不要"])
            }
        }
        try waitFor {
            (try d.call(["op": "case.gates", "id": .string(id)])["gates"]?.arrayValue ?? []).map { $0["gate"]?.stringValue ?? "" } == [
                "resolved"
            ]
        }
        try ok(["case", "resolve", id])
        try ok(["case", "close", id])
        try ok([
            "case", "publication", id, "--decision", "published", "--date", "2026-12-01", "--url", "https://www.city.example.jp/news/123",
        ])
        try waitFor(timeout: 30) { city.attempts.contains { ($0["body"]?.stringValue ?? "").contains("\"incident.publication\"") } }
        return (d, id)
    }

    /// Renders one document with the real CLI (configuration read for the zone, as on a real
    /// host) and prints it.
    static func printed(_ d: DaemonHarness, _ args: [String], name: String) throws -> PrintedPages.Printed {
        let html = d.dir + "/\(name).html"
        let r = try d.cli(args + ["--format", "html", "--output", html], environment: ["SOKUHO_CONFIG": d.configPath, "TZ": "UTC"])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        let printed = try PrintedPages.print(html)
        if let dir = ProcessInfo.processInfo.environment["SOKUHO_DOC_IMAGES"], !dir.isEmpty {
            try PrintedPages.firstPagePNG(printed.pdf, to: dir + "/\(name).png")
            try? FileManager.default.removeItem(atPath: dir + "/\(name).pdf")
            try FileManager.default.copyItem(atPath: printed.pdf, toPath: dir + "/\(name).pdf")
        }
        return printed
    }

    /// What every printed document must hold.
    static func checkPage(_ p: PrintedPages.Printed, _ name: String, japanese: Bool, pages: ClosedRange<Int>, footer: String) {
        #expect(pages.contains(p.pages), "\(name): \(p.pages) pages")
        #expect(p.pageSize.contains("A4"), "\(name): \(p.pageSize)")
        let text = p.text
        #expect(text.range(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"#, options: .regularExpression) == nil, "\(name): a wire time")
        #expect(text.range(of: #"\d{2}:\d{2}:\d{2}(\.\d+)?Z"#, options: .regularExpression) == nil, "\(name): a wire time")
        // Braces only in the visible escape of a control a document did not write (`\u{202e}`).
        let unescaped = text.replacingOccurrences(of: #"\\u\{[0-9a-f]+\}"#, with: "", options: .regularExpression)
        #expect(!unescaped.contains("{") && !unescaped.contains("}"), "\(name): JSON")
        #expect(text.range(of: #"\bnull\b"#, options: .regularExpression) == nil, "\(name): null")
        if japanese {
            let english =
                #"\b(done|ready|waiting|skipped|not_applicable|pending|delivered|open|contained|resolved|closed|met|met_late|missed|unknown|yes|no|true|false)\b"#
            let hit = text.range(of: english, options: [.regularExpression, .caseInsensitive]).map { String(text[$0]) }
            #expect(hit == nil, "\(name): English word \(hit ?? "") in the Japanese document")
            #expect(!text.contains("?"), "\(name): ? for an unknown")
        }
        // Nothing past the right margin (1 pt of slack for rounding).
        #expect(p.rightmostWord <= PrintedPages.pageWidth - PrintedPages.sideMargin + 1, "\(name): a word ends at \(p.rightmostWord) pt")
        // The page footer: what the document is, and page i / n, on every page.
        for (i, page) in p.pageTexts.enumerated() {
            #expect(page.contains(footer), "\(name) page \(i + 1): no \(footer) in the footer")
            #expect(
                page.range(of: "\\b\(i + 1) ?/ ?\(p.pages)\\b", options: .regularExpression) != nil, "\(name) page \(i + 1): no page number"
            )
        }
    }

    /// Text without its layout: line breaks and spaces the printer made are not there.
    static func squeezed(_ s: String) -> String { s.filter { !$0.isWhitespace } }

    @Test("the walkthrough's documents print on A4 as a city official reads them")
    func walkthroughDocuments() throws {
        let city = try EndpointHarness()
        let (d, id) = try Self.walkthroughCase(city)
        let dossier = try d.call(["op": "case.report", "id": .string(id)])

        let ja = try Self.printed(d, ["case", "report", id, "--lang", "ja"], name: "incident-report-ja")
        Self.checkPage(ja, "incident report (ja)", japanese: true, pages: 2...8, footer: "事故報告書 \(id)")
        let jaText = Self.squeezed(ja.text)
        for words in [
            "件数を1,200件（概数）に更新", "1,200件（概数）", "1,150人", "本人の数1,150人が100人を超える", "時刻は日本時間（UTC+09:00）で表示しています。",
            "状態を「対応中」から「封じ込め済み」に変更", "第一報", "最終報告", "到達", "完了",
        ] {
            #expect(jaText.contains(Self.squeezed(words)), "incident report (ja): \(words)")
        }
        // Every time of the timeline printed whole, in Japan time, on one line.
        for e in dossier["events"]?.arrayValue ?? [] {
            let when = Self.japan.time(e["at"])
            #expect(ja.text.contains(when), "incident report (ja): \(when) not printed whole")
        }
        // Step titles, not ids.
        for st in dossier["steps"]?.arrayValue ?? [] where st["state"] != "not_applicable" {
            let sid = st["id"]?.stringValue ?? ""
            #expect(!ja.text.contains(sid), "incident report (ja): step id \(sid)")
        }
        // The chain head on the last page.
        let head = dossier["audit"]?["head_hash"]?.stringValue ?? "?"
        #expect(Self.squeezed(ja.pageTexts.last ?? "").contains(head), "incident report (ja): chain head not on the last page")

        let en = try Self.printed(d, ["case", "report", id, "--lang", "en"], name: "incident-report-en")
        Self.checkPage(en, "incident report (en)", japanese: false, pages: 2...8, footer: "Incident report \(id)")
        for words in ["Number of items set to about 1,200 items", "Times are in Japan time (UTC+09:00).", "1,150 persons"] {
            #expect(Self.squeezed(en.text).contains(Self.squeezed(words)), "incident report (en): \(words)")
        }

        let notice = try Self.printed(d, ["case", "notice", id, "--lang", "ja"], name: "notice-ja")
        Self.checkPage(notice, "notice (ja)", japanese: true, pages: 1...1, footer: "公表文案 \(id)")
        #expect(notice.text.contains("約1,200件") && !notice.text.contains("山田") && !notice.text.contains("03-0000-0000"))

        let status = try Self.printed(
            d, ["status-report", "--from", "2026-01-01", "--to", "2100-01-01", "--lang", "ja"], name: "status-report-ja")
        Self.checkPage(status, "status report (ja)", japanese: true, pages: 1...2, footer: "取扱状況報告")
        #expect(status.text.contains("1,200件") && status.text.contains("1,150人"), "\(status.text)")
        #expect(status.text.contains(id))
    }

    @Test("hostile report text prints as text, escaped, and stays within the page")
    func hostileText() throws {
        let city = try EndpointHarness()
        try city.start()
        let d = try ClosureTests().daemon(city: city, clocks: "time_zone_offset: \"+09:00\"\n")
        let long = String(repeating: "A", count: 4096)  // one unbroken 4 KiB line
        // Controls and bidi overrides never get in: the daemon refuses them, naming the field.
        for bad in ["赤\u{1b}[31m", "\u{202e}逆順", "ベル\u{7}"] {
            let r = try d.call(["op": "report", "report": minimalReport(["location": .string(bad)])])
            #expect(r["error"]?["field"] == "location", "\(r)")
        }
        let opened = try d.call([
            "op": "report",
            "report": minimalReport([
                "information": "<script>alert(1)</script></td></tr></table><h1>偽の見出し</h1>",
                "location": "</td><td>偽の列",
                "circumstances": .string("タブ\tと改行\nの後に長い行: " + long),
                "subcontractor": "<img src=x onerror=alert(1)>",
                "reporter": ["name": "<u>名前</u>", "organization": "a|b", "contact": "<x@evil>"],
            ]),
        ])
        let id = try #require(opened["case"]?["id"]?.stringValue, "\(opened)")
        #expect(try d.cli(["instruction", "add", id, "--from", "<b>市</b>", "--text", "</td></tr><script>x</script>"]).status == 0)
        let steps = try d.call(["op": "case.steps", "id": .string(id)])["steps"]?.arrayValue ?? []
        let ready = try #require(
            steps.first { $0["state"] == "ready" && $0["type"] == "manual" }?["id"]?.stringValue, "a manual step ready: \(steps)")
        let done = try d.cli(["step", "done", id, ready, "--note", "<i>メモ</i> " + long])
        #expect(done.status == 0, "\(done.stderr)")

        func checkHostile(_ p: PrintedPages.Printed, html: String, _ name: String, controls: Bool) {
            #expect(
                html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"),
                "\(name): no content security policy")
            for raw in ["<script", "<img", "<h1>偽", "</td><td>偽", "<b>市", "<i>", "<u>", "\u{1b}", "\u{7}", "\u{202e}"] {
                #expect(!html.contains(raw), "\(name): \(raw) unescaped in the HTML")
            }
            let text = p.text
            #expect(Self.squeezed(text).contains("<script>alert(1)</script>"), "\(name): the text is printed as text")
            #expect(
                !text.unicodeScalars.contains { $0 == "\u{202e}" || $0 == "\u{1b}" || $0 == "\u{7}" },
                "\(name): a raw control in the printed text")
            if controls { #expect(text.contains("\\x1b") && text.contains("\\u{202e}"), "\(name): controls as visible escapes") }
            #expect(text.filter { $0 == "A" }.count >= 2 * 4096, "\(name): part of a 4 KiB line is cut off")
        }
        for (lang, footer) in [("ja", "事故報告書 \(id)"), ("en", "Incident report \(id)")] {
            let p = try Self.printed(d, ["case", "report", id, "--lang", lang], name: "hostile-\(lang)")
            Self.checkPage(p, "hostile report (\(lang))", japanese: lang == "ja", pages: 1...12, footer: footer)
            checkHostile(
                p, html: try String(contentsOfFile: d.dir + "/hostile-\(lang).html", encoding: .utf8), "hostile report (\(lang))",
                controls: false)
        }
        let notice = try Self.printed(d, ["case", "notice", id, "--lang", "ja"], name: "hostile-notice")
        Self.checkPage(notice, "hostile notice", japanese: true, pages: 1...4, footer: "公表文案 \(id)")
        #expect(notice.text.filter { $0 == "A" }.count >= 4096)

        // A value stored before the daemon refused controls (or written into the database by
        // hand) still prints as visible escapes: the document escapes what it did not write.
        var dossier = try d.call(["op": "case.report", "id": .string(id)])
        guard case .object(var c)? = dossier["case"], case .object(var o) = dossier else { Issue.record("no dossier"); return }
        c["location"] = .string("赤\u{1b}[31m文字\u{7}と\u{202e}逆順")
        o["case"] = .object(c)
        dossier = .object(o)
        let html = d.dir + "/hostile-stored.html"
        let page = IncidentReport.document(dossier, style: Self.japan).html(lang: "ja")
        try page.write(toFile: html, atomically: true, encoding: .utf8)
        let stored = try PrintedPages.print(html)
        Self.checkPage(stored, "stored controls", japanese: true, pages: 1...12, footer: "事故報告書 \(id)")
        checkHostile(stored, html: page, "stored controls", controls: true)
    }
}
