/// A document as sections of fields and tables, rendered to Markdown or to HTML that prints
/// on A4. Every report Sokuho writes (incident report, status report) is built as one.
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case fields([(String, String)])
        case table(header: [String], rows: [[String]])
        case text(String)
    }

    public struct Section: Sendable {
        public var heading: String
        public var blocks: [Block]
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section] = []
    public var footer: String

    /// Markdown in which every text renders as exactly that text (`markdownText`): what a user
    /// wrote cannot become HTML, a link, an image, a heading or a table cell of its own.
    public func markdown() -> String {
        var out = "# \(Self.markdownText(title, blocks: false))\n\n\(Self.markdownText(subtitle))\n"
        for s in sections {
            out += "\n## \(Self.markdownText(s.heading, blocks: false))\n\n"
            for b in s.blocks {
                switch b {
                case .fields(let rows):
                    out += "| | |\n|---|---|\n"
                    for (k, v) in rows { out += "| \(Self.cell(k)) | \(Self.cell(v)) |\n" }
                    out += "\n"
                case .table(let header, let rows):
                    if rows.isEmpty { out += "—\n\n"; continue }
                    out += "| " + header.map(Self.cell).joined(separator: " | ") + " |\n"
                    out += "|" + String(repeating: "---|", count: header.count) + "\n"
                    for r in rows { out += "| " + r.map(Self.cell).joined(separator: " | ") + " |\n" }
                    out += "\n"
                case .text(let t):
                    out += Self.markdownText(t) + "\n\n"
                }
            }
        }
        return out + "---\n\n" + Self.markdownText(footer) + "\n"
    }

    /// A table cell: Markdown-escaped text on one line, line breaks as `<br>`.
    static func cell(_ s: String) -> String {
        markdownText(s, blocks: false).replacingOccurrences(of: "\n", with: "<br>")
    }

    /// `s` as Markdown (CommonMark / GitHub) that renders as this very text:
    /// - `&`, `<`, `>` as entities, so no HTML (`<script>`, `<img onerror>`) and no autolink;
    /// - `\`, backquote, `*`, `_`, `[`, `]`, `|`, `~` backslash-escaped, so no link, image, code
    ///   span, emphasis, strike-through or extra table cell (without `[` no `(…)` and no `!`
    ///   makes a link or an image, so those stay as they are);
    /// - at the start of a line, `#`, `-`, `+`, `=` and the `.` or `)` after digits escaped, so
    ///   no heading, list, rule or setext underline (`blocks: false` for text inside a heading or
    ///   a table cell, where no block can start);
    /// - controls, DEL, C1 and bidi controls as visible escapes (`TerminalSafe`); newlines kept.
    public static func markdownText(_ s: String, blocks: Bool = true) -> String {
        var out = ""
        var lineStart = blocks
        var leadingDigits = false
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~": out += "\\"; out.append(ch)
            case "#", "-", "+", "=":
                if lineStart { out += "\\" }
                out.append(ch)
            case ".", ")":
                if leadingDigits { out += "\\" }
                out.append(ch)
            default: out.append(ch)
            }
            let isDigit = ch.isASCII && ch.isNumber
            leadingDigits = isDigit && (lineStart || leadingDigits)
            lineStart = blocks && (ch == "\n" || ch == "\r\n") || (lineStart && (ch == " " || ch == "\t"))
        }
        return TerminalSafe.escape(out, allowNewlines: true)
    }

    /// HTML for a browser or `chromium --print-to-pdf`: A4, 15 mm margins, tables that do not
    /// split rows across pages, nothing loaded from outside.
    public func html(lang: String) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="\(lang)">
            <head>
            <meta charset="utf-8">
            <title>\(Self.escape(title))</title>
            <style>
            @page { size: A4; margin: 15mm; }
            body { font-family: "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif; font-size: 10pt; line-height: 1.45; color: #000; max-width: 180mm; margin: 0 auto; }
            h1 { font-size: 16pt; border-bottom: 2px solid #000; padding-bottom: 2mm; margin-bottom: 2mm; }
            h2 { font-size: 12pt; margin-top: 6mm; border-left: 4px solid #000; padding-left: 2mm; page-break-after: avoid; }
            table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
            th, td { border: 1px solid #666; padding: 1mm 2mm; vertical-align: top; text-align: left; word-break: break-word; }
            th { background: #eee; }
            tr { page-break-inside: avoid; }
            table.fields th { width: 32%; }
            .sub { color: #333; }
            footer { margin-top: 8mm; font-size: 8pt; color: #333; border-top: 1px solid #666; padding-top: 2mm; word-break: break-all; }
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
                case .table(let header, let rows):
                    if rows.isEmpty { out += "<p>—</p>\n"; continue }
                    out += "<table>\n<tr>" + header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
                    for r in rows { out += "<tr>" + r.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
                    out += "</table>\n"
                case .text(let t):
                    out += "<p>\(Self.escape(t))</p>\n"
                }
            }
        }
        return out + "<footer>\(Self.escape(footer))</footer>\n</body>\n</html>\n"
    }

    /// Text for HTML content: `& < > "` as entities, newlines as `<br>`, controls, DEL, C1 and
    /// bidi controls as visible escapes (`TerminalSafe`), so nothing reorders the printed report.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in TerminalSafe.escape(s, allowNewlines: true) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "<br>"
            default: out.append(ch)
            }
        }
        return out
    }
}
