import Foundation
import SokuhoCore

// Everything the CLI prints for people goes through here: `print` below shadows the standard
// library's in this module, so no line reaches a terminal with a control sequence in it. Values
// the CLI did not write itself are escaped where they are formatted (`shown`, `shownBlock`),
// so a newline in a file name or an id cannot start a line of its own either; this is the
// last line of defence for anything a formatter missed.

/// Prints text for people: every control character except newline and tab, DEL, C1 controls and
/// bidi controls are written as visible escapes (`TerminalSafe`).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    Swift.print(TerminalSafe.escape(text, allowNewlines: true), terminator: terminator)
}

/// `print` for formatters that have a `print` of their own.
func printLine(_ text: String) { print(text) }

/// A value from the daemon or a file, for one line of human-readable output: controls,
/// newlines included, as visible escapes.
func shown(_ s: String?) -> String { TerminalSafe.escape(s ?? "") }

/// A multi-line value printed under a label: escaped, newlines kept, each continuation line
/// indented by `indent` spaces so it cannot pass for a line of its own.
func shownBlock(_ s: String, indent: Int) -> String { TerminalSafe.block(s, indent: String(repeating: " ", count: indent)) }

/// JSON text with DEL, C1 and bidi controls inside strings written as `\uXXXX` escapes (C0
/// controls are escaped by the encoder already): the same JSON value, safe on a terminal.
func terminalSafeJSON(_ json: String) -> String {
    guard json.unicodeScalars.contains(where: { TerminalSafe.isControlOrFormat($0) && $0 != "\n" }) else { return json }
    var out = String.UnicodeScalarView()
    for u in json.unicodeScalars {
        if TerminalSafe.isControlOrFormat(u) && u != "\n" {
            let hex = String(u.value, radix: 16)
            out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
        } else {
            out.append(u)
        }
    }
    return String(out)
}

/// A rendered document (Markdown, HTML, CSV, a notice) for standard output: controls other than
/// newline, tab and the CR of a CR LF line end as visible escapes; JSON with `\u` escapes.
func terminalSafeDocument(_ text: String, json: Bool) -> String {
    if json { return terminalSafeJSON(text) }
    var out = String.UnicodeScalarView()
    let scalars = Array(text.unicodeScalars)
    for (i, u) in scalars.enumerated() {
        if u == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { out.append(u); continue }
        if TerminalSafe.isUnsafe(u, allowNewlines: true) {
            out.append(contentsOf: TerminalSafe.escape(String(u)).unicodeScalars)
        } else {
            out.append(u)
        }
    }
    return String(out)
}

/// Removes `user:password@` from a URL before it is shown.
func redactingUserinfo(_ url: String) -> String {
    guard let scheme = url.range(of: "://") else { return url }
    let rest = url[scheme.upperBound...]
    let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
    return String(url[..<scheme.upperBound]) + "***@" + String(rest[rest.index(after: at)...])
}
