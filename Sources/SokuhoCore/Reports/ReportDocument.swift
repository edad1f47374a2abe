/// A document as sections of fields and tables, rendered to Markdown or to HTML that prints
/// on A4 (`ReportDocument+HTML.swift`). Every document Sokuho writes for people (incident
/// report, public notice, status report) is built as one, its values already in words by a
/// `DocumentStyle`; the renderers escape every text, since none of it is trusted.
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case fields([(String, String)])
        /// A table of `columns`, each row one cell per column.
        case table(columns: [Column], rows: [[String]])
        case text(String)
    }

    /// A column of a table: its heading, its share of the page width (percent; a table's
    /// columns add up to 100, so a table is as wide as the page and never wider), and whether
    /// its values (times, figures, ids) must never be broken across lines.
    public struct Column: Sendable {
        public var title: String
        public var width: Int
        public var nowrap: Bool

        public init(_ title: String, width: Int, nowrap: Bool = false) {
            self.title = title
            self.width = width
            self.nowrap = nowrap
        }
    }

    public struct Section: Sendable {
        public var heading: String
        public var blocks: [Block]
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section] = []
    /// The closing lines, after every section (on the last printed page).
    public var footer: String
    /// The line printed at the foot of every page next to the page number (the case id).
    public var pageFooter: String = ""

    public init(title: String, subtitle: String, sections: [Section] = [], footer: String, pageFooter: String = "") {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.footer = footer
        self.pageFooter = pageFooter
    }

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
                case .table(let columns, let rows):
                    if rows.isEmpty { out += "—\n\n"; continue }
                    out += "| " + columns.map { Self.cell($0.title) }.joined(separator: " | ") + " |\n"
                    out += "|" + String(repeating: "---|", count: columns.count) + "\n"
                    for r in rows { out += "| " + r.map(Self.cell).joined(separator: " | ") + " |\n" }
                    out += "\n"
                case .text(let t):
                    out += Self.markdownText(t) + "\n\n"
                }
            }
        }
        return footer.isEmpty ? out : out + "---\n\n" + Self.markdownText(footer) + "\n"
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

    /// Text for HTML content: `& < > "` as entities, newlines as `<br>`, controls, DEL, C1 and
    /// bidi controls as visible escapes (`TerminalSafe`), so nothing reorders the printed report.
    public static func escape(_ s: String) -> String {
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
