/// Text that is safe to show on a terminal: whatever a user supplied, it prints as what it is.
///
/// Every human-readable output of the CLI passes values it did not write itself (report fields,
/// spool file names, JSON keys, notes, error texts quoting input) through `escape`. Controls
/// cannot move the cursor, rewrite a line, set the window title or ring the bell, and bidi
/// controls cannot reorder what follows. The daemon's log handler (`LogText` in SokuhoSystemd)
/// applies the same rules.
public enum TerminalSafe {
    /// `s` with every unsafe character as a visible escape: C0 controls (U+0000–U+001F), DEL,
    /// C1 controls (U+0080–U+009F), bidi embeddings, overrides, isolates and marks (U+061C,
    /// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and the line and paragraph separators
    /// (U+2028, U+2029): `\r`, `\x1b`, `\x7f`, `\u{9b}`, `\u{202e}`. A backslash stays as it is,
    /// so Windows paths such as `\\nas01\share` read naturally; the log handler, whose lines
    /// are parsed, escapes it.
    ///
    /// `allowNewlines` keeps `\n` and `\t` (for multi-line fields printed on lines of their own).
    public static func escape(_ s: String, allowNewlines: Bool = false) -> String {
        guard s.unicodeScalars.contains(where: { isUnsafe($0, allowNewlines: allowNewlines) }) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if isUnsafe(u, allowNewlines: allowNewlines) { out += escaped(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// `s` escaped, with each line after the first indented by `indent` (for multi-line
    /// values printed under a label).
    public static func block(_ s: String, indent: String) -> String {
        escape(s, allowNewlines: true).split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: "\n" + indent)
    }

    /// True for a character that `escape` rewrites.
    public static func isUnsafe(_ u: Unicode.Scalar, allowNewlines: Bool = false) -> Bool {
        if allowNewlines, u == "\n" || u == "\t" { return false }
        return isControlOrFormat(u)
    }

    /// C0 controls, DEL, C1 controls, bidi controls and the Unicode line separators: the
    /// characters that change how a terminal shows what follows them.
    public static func isControlOrFormat(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The visible escape `escape` writes for `u`: `\n`, `\t`, `\r`, `\x1b`, `\u{202e}`.
    public static func escapeSequence(_ u: Unicode.Scalar) -> String { escaped(u) }

    static func escaped(_ u: Unicode.Scalar) -> String {
        switch u {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default:
            let hex = String(u.value, radix: 16)
            return u.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{" + hex + "}"
        }
    }

    /// `s` cut to `limit` characters (with "…" when cut): what a message or a record quotes of
    /// text a user sent, so no request can make an answer, a log line or an event large.
    /// Counted in Unicode scalars, not characters: a character can hold any number of combining
    /// scalars, so a bound by characters would bound nothing.
    public static func bounded(_ s: String, limit: Int = 64) -> String {
        var kept = String.UnicodeScalarView()
        for (i, u) in s.unicodeScalars.enumerated() {
            if i == limit { return String(kept) + "…" }
            kept.append(u)
        }
        return s
    }

    /// `s` as a message quotes text a user sent: bounded (`bounded`), then escaped (`escape`),
    /// so the quote is short and cannot move a terminal's cursor or reorder what follows it.
    public static func quoted(_ s: String, limit: Int = 64) -> String { escape(bounded(s, limit: limit)) }
}
