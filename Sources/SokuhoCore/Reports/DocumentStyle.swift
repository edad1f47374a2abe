/// How a document says things in its language: times in the document's zone, numbers with
/// separators and units, unknowns in words, and user text quoted. Every document Sokuho renders
/// for people (incident report, public notice, status report) formats values through one style,
/// so the same value reads the same everywhere and nothing raw from the wire reaches the page.
///
/// Pure: the zone is given (`DocumentZone`), the clock is never read.
public struct DocumentStyle: Sendable {
    public var japanese: Bool
    public var zone: DocumentZone

    public init(japanese: Bool, zone: DocumentZone = .utc) {
        self.japanese = japanese
        self.zone = zone
    }

    /// The document's language code for HTML: `ja` or `en`.
    public var lang: String { japanese ? "ja" : "en" }

    /// The English or the Japanese text, by the document's language.
    public func t(_ en: String, _ ja: String) -> String { japanese ? ja : en }

    /// What is not known yet: 未確認 / not yet known.
    public var unknown: String { t("not yet known", "未確認") }

    /// An empty cell.
    public static let dash = "—"

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// An RFC 3339 time in the document's zone, to the minute: `2026年11月28日 12:53` /
    /// `28 Nov 2026 12:53`. A bare date stays that day: `2026年11月20日` / `20 Nov 2026`.
    /// Text that is not an RFC 3339 time is returned as given (the renderer escapes it); nil
    /// and empty text give nil.
    public func time(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard let (day, clock) = local(text) else { return text }
        return clock.map { day + " " + $0 } ?? day
    }

    /// `time(_:)` of a JSON value, or `—` when it is null or missing.
    public func time(_ value: JSONValue?) -> String { time(value?.stringValue) ?? Self.dash }

    /// Only the day of a time, in the document's zone: `2026年11月26日` / `26 Nov 2026`.
    public func day(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return local(text)?.day ?? text
    }

    /// The day and the `HH:MM` (nil for a bare date) of an RFC 3339 time in the zone.
    private func local(_ text: String) -> (day: String, clock: String?)? {
        guard let ts = Timestamp(rfc3339: text) else { return nil }
        if ts.isDateOnly {
            let (y, m, d) = Timestamp.civilFromDays(Int((ts.epochSeconds / 86400).rounded(.down)))
            return (date(y, m, d), nil)
        }
        let local = Int(ts.epochSeconds.rounded(.down)) + zone.offset(at: ts.epochSeconds)
        let days = local >= 0 ? local / 86400 : (local - 86399) / 86400
        let rem = local - days * 86400
        let (y, m, d) = Timestamp.civilFromDays(days)
        return (date(y, m, d), Self.two(rem / 3600) + ":" + Self.two(rem % 3600 / 60))
    }

    private func date(_ y: Int, _ m: Int, _ d: Int) -> String {
        japanese ? "\(y)年\(m)月\(d)日" : "\(d) \(Self.months[m - 1]) \(y)"
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// The sentence stating the page's zone, once: `時刻は日本時間（UTC+09:00）で表示しています。`
    public func zoneNote(at generatedAt: String?) -> String {
        let at = generatedAt.flatMap { Timestamp(rfc3339: $0)?.epochSeconds } ?? 0
        let label = zone.label(at: at, japanese: japanese)
        return t("Times are in \(label).", "時刻は\(label)で表示しています。")
    }

    /// A whole number with thousands separators: `1,200`, `-3,000`.
    public func number(_ n: Int64) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// What a count counts.
    public enum Unit: Sendable {
        case items, persons, events, attempts
        var ja: String {
            switch self {
            case .items: "件"
            case .persons: "人"
            case .events: "件"
            case .attempts: "回"
            }
        }
        func en(_ n: Int64) -> String {
            let one = n == 1
            return switch self {
            case .items: one ? "item" : "items"
            case .persons: one ? "person" : "persons"
            case .events: one ? "event" : "events"
            case .attempts: one ? "attempt" : "attempts"
            }
        }
    }

    /// A count with its unit and precision: `1,200件（概数）`, `1,200件以上`, `1,150人` /
    /// `about 1,200 items`, `at least 1,200 items`, `1,150 persons`; `unknown` when nil.
    public func count(_ n: Int64?, _ unit: Unit, precision: CountPrecision? = nil) -> String {
        guard let n else { return unknown }
        let figure = number(n)
        if japanese {
            switch precision {
            case .approximate?: return "\(figure)\(unit.ja)（概数）"
            case .at_least?: return "\(figure)\(unit.ja)以上"
            default: return "\(figure)\(unit.ja)"
            }
        }
        let base = "\(figure) \(unit.en(n))"
        switch precision {
        case .approximate?: return "about " + base
        case .at_least?: return "at least " + base
        default: return base
        }
    }

    /// A count from JSON values (`count` and `count_precision` of a case or a change).
    public func count(of value: JSONValue?, _ unit: Unit, precision: JSONValue? = nil) -> String {
        count(value?.intValue, unit, precision: precision?.stringValue.flatMap(CountPrecision.init(rawValue:)))
    }

    /// User text in the document's quotation marks, on one line, cut to `limit` characters
    /// (with `…`): 「…」 / “…”. The document's own marks inside the text become the nested ones
    /// (『』 / ‘’), so no text closes the quotation early and reads as the document's words
    /// after it. The renderer escapes it.
    public func quoted(_ s: String, limit: Int = 80) -> String {
        let flat = s.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).joined(separator: " ")
        let cut = flat.count > limit ? String(flat.prefix(limit)) + "…" : flat
        let nested = String(
            cut.map { ch -> Character in
                switch (japanese, ch) {
                case (true, "「"): "『"
                case (true, "」"): "』"
                case (false, "“"): "‘"
                case (false, "”"): "’"
                default: ch
                }
            })
        return japanese ? "「\(nested)」" : "“\(nested)”"
    }

    /// Text of a JSON value for a cell: the string, a number with separators, yes/no, or `—`.
    /// Never JSON syntax: an object or an array that is not text gives `—`.
    public func text(_ v: JSONValue?) -> String {
        guard let v else { return Self.dash }
        switch v {
        case .string(let s): return s.isEmpty ? Self.dash : s
        case .bool(let b): return yesNo(b)
        default:
            if let n = v.intValue { return number(n) }
            return Self.dash
        }
    }

    public func yesNo(_ b: Bool) -> String { b ? t("yes", "あり") : t("no", "なし") }
}
