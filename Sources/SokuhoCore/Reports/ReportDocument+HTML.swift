extension ReportDocument {
    /// HTML for a browser or `chromium --print-to-pdf --no-pdf-header-footer`, laid out for A4:
    /// - 15 mm margins; at the foot of every page `pageFooter` (the case id) and `page / pages`,
    ///   in CSS page-margin boxes (Chromium 131 and later print them);
    /// - tables as wide as the page and never wider (fixed layout, each column its share of the
    ///   width): long words and unbroken text wrap anywhere, rows do not split across pages,
    ///   a table's heading row repeats on each page, headings stay with what follows;
    /// - the `nowrap` columns of a table (times) are never broken across lines;
    /// - `footer` (the audit chain head) at the end, kept on one page, so it is on the last page;
    /// - nothing loaded from outside, no script: every text escaped (`escape`), and a content
    ///   security policy that lets the browser run no script and load nothing, should a text
    ///   ever get past the escaping.
    public func html(lang: String) -> String {
        let fonts = #""Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", sans-serif"#
        var out = """
            <!DOCTYPE html>
            <html lang="\(Self.escape(lang))">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
            <title>\(Self.escape(title))</title>
            <style>
            @page {
              size: A4; margin: 15mm 15mm 18mm 15mm;
              @bottom-left { content: \(Self.cssString(pageFooter)); font-family: \(fonts); font-size: 8pt; color: #333; }
              @bottom-right { content: counter(page) " / " counter(pages); font-family: \(fonts); font-size: 8pt; color: #333; }
            }
            html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
            body { font-family: \(fonts); font-size: 9.5pt; line-height: 1.45; color: #000; margin: 0; }
            h1 { font-size: 15pt; border-bottom: 2px solid #000; padding-bottom: 2mm; margin: 0 0 2mm; overflow-wrap: anywhere; }
            h2 { font-size: 11.5pt; margin: 5mm 0 1.5mm; border-left: 4px solid #000; padding-left: 2mm; break-after: avoid; page-break-after: avoid; }
            p { margin: 1.5mm 0; overflow-wrap: anywhere; }
            table { width: 100%; max-width: 100%; border-collapse: collapse; margin: 1.5mm 0; table-layout: fixed; }
            table.grid { font-size: 8.5pt; }
            th, td { border: 1px solid #666; padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; overflow-wrap: anywhere; word-break: normal; }
            th { background: #eee; font-weight: bold; }
            tr { break-inside: avoid; page-break-inside: avoid; }
            thead { display: table-header-group; }
            table.fields th { width: 30%; }
            .nw { white-space: nowrap; }
            .sub { color: #222; }
            footer { margin-top: 6mm; font-size: 8pt; color: #222; border-top: 1px solid #666; padding-top: 2mm; overflow-wrap: anywhere; break-inside: avoid; page-break-inside: avoid; }
            </style>
            </head>
            <body>
            <h1>\(Self.escape(title))</h1>
            <p class="sub">\(Self.escape(subtitle))</p>

            """
        for s in sections {
            out += "<h2>\(Self.escape(s.heading))</h2>\n"
            for b in s.blocks {
                switch b {
                case .fields(let rows):
                    out += "<table class=\"fields\">\n"
                    for (k, v) in rows { out += "<tr><th>\(Self.escape(k))</th><td>\(Self.escape(v))</td></tr>\n" }
                    out += "</table>\n"
                case .table(let columns, let rows):
                    if rows.isEmpty { out += "<p>—</p>\n"; continue }
                    func attr(_ i: Int) -> String { i < columns.count && columns[i].nowrap ? " class=\"nw\"" : "" }
                    out +=
                        "<table class=\"grid\">\n<colgroup>"
                        + columns.map { "<col style=\"width: \(max(1, min(100, $0.width)))%\">" }.joined() + "</colgroup>\n"
                    out += "<thead><tr>" + columns.map { "<th>\(Self.escape($0.title))</th>" }.joined() + "</tr></thead>\n"
                    for r in rows {
                        out += "<tr>" + r.enumerated().map { "<td\(attr($0.offset))>\(Self.escape($0.element))</td>" }.joined() + "</tr>\n"
                    }
                    out += "</table>\n"
                case .text(let t):
                    out += "<p>\(Self.escape(t))</p>\n"
                }
            }
        }
        if !footer.isEmpty { out += "<footer>\(Self.escape(footer))</footer>\n" }
        return out + "</body>\n</html>\n"
    }

    /// `s` as a CSS string literal: every character but letters, digits, space, `-`, `_` and
    /// `.` as a hex escape, so no text closes the string, the rule or the `<style>` element.
    static func cssString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            if u.isASCII, u.properties.isAlphabetic || ("0"..."9").contains(u) || [" ", "-", "_", "."].contains(u) {
                out.unicodeScalars.append(u)
            } else if TerminalSafe.isControlOrFormat(u) {
                continue
            } else {
                out += "\\" + String(u.value, radix: 16) + " "
            }
        }
        return out + "\""
    }
}
