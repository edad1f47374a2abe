import SokuhoCore

/// Escaping for log lines: whatever a log call carries, it becomes exactly one line of
/// printable text that cannot pass for another entry, change a terminal, or reorder text.
///
/// The rules of `TerminalSafe` in SokuhoCore (one table of unsafe characters), plus the backslash:
/// C0 controls, DEL, C1 controls (U+0080–U+009F), bidi embeddings, overrides, isolates and marks
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph
/// separators (U+2028, U+2029) become visible escapes (`\n`, `\t`, `\r`, `\x1b`, `\u{202e}`),
/// and a backslash becomes `\\`, so an escape in the output is always one the logger wrote.
public enum LogText {
    /// Characters of one metadata value written at most.
    public static let maxValueLength = 1024

    /// `s` with every unsafe character written as a visible escape.
    public static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if needsEscape(u) { out += escaped(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// A value of a `key=value` field: escaped, and in double quotes (with `"` as `\"`) when it
    /// is empty or contains a space, `"` or `=`, so fields always split at the spaces between them.
    ///
    /// At most `maxValueLength` characters of a value are written (then `…`): a log line stays
    /// far below journald's line limit, so it is never split into a second entry.
    public static func value(_ s: String) -> String {
        let e = escape(s.count > maxValueLength ? String(s.prefix(maxValueLength)) + "…" : s)
        let needsQuotes =
            e.isEmpty
            || e.unicodeScalars.contains {
                $0 == " " || $0 == "\"" || $0 == "=" || $0.properties.isWhitespace
            }
        guard needsQuotes else { return e }
        var out = "\""
        for u in e.unicodeScalars {
            if u == "\"" { out += "\\\"" } else { out.unicodeScalars.append(u) }
        }
        return out + "\""
    }

    /// A key of a `key=value` field: escaped, with space, `"` and `=` (and other whitespace)
    /// written as `\xNN` / `\u{N}` so a key never contains a field separator; `_` when empty.
    public static func key(_ s: String) -> String {
        if s.isEmpty { return "_" }
        var out = ""
        for u in escape(s).unicodeScalars {
            if u == " " || u == "\"" || u == "=" || u.properties.isWhitespace { out += escaped(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// `s` with the user information of every URL in it (`https://user:secret@host/…`)
    /// replaced by `***`, so credentials in a configured URL never reach a log.
    public static func redactingUserinfo(_ s: String) -> String {
        guard s.contains("://"), s.contains("@") else { return s }
        var out = ""
        var rest = Substring(s)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let end = rest.firstIndex { "/?# \"'<>".contains($0) || $0.isNewline } ?? rest.endIndex
            if let at = rest[..<end].lastIndex(of: "@") {
                out += "***"
                rest = rest[at...]
            }
        }
        return out + rest
    }

    /// What `TerminalSafe` escapes, and the backslash (log lines are parsed: an escape in them
    /// is always one the logger wrote).
    static func needsEscape(_ u: Unicode.Scalar) -> Bool {
        u == "\\" || TerminalSafe.isControlOrFormat(u)
    }

    static func escaped(_ u: Unicode.Scalar) -> String {
        u == "\\" ? "\\\\" : TerminalSafe.escapeSequence(u)
    }
}
