import Foundation

/// An RFC 3339 time (or full date) as given, validated, with its instant when it has one.
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (a space or lower-case `t`/`z` too, as RFC 3339
/// allows) and a bare `YYYY-MM-DD`, because incident notices often know only the day.
public struct Timestamp: Sendable, Hashable {
    /// The text as given.
    public let text: String
    /// Seconds since the Unix epoch; for a bare date, midnight UTC of that day.
    public let epochSeconds: Double
    public let isDateOnly: Bool

    public init?(rfc3339 s: String) {
        let b = Array(s.utf8)
        func num(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= b.count else { return nil }
            var v = 0
            for i in r {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard b.count >= 10, let y = num(0..<4), b[4] == UInt8(ascii: "-"), let mo = num(5..<7), b[7] == UInt8(ascii: "-"),
            let d = num(8..<10), (1...12).contains(mo), d >= 1, d <= Timestamp.daysInMonth(y, mo)
        else { return nil }
        let days = Timestamp.daysFromCivil(y, mo, d)
        if b.count == 10 {
            text = s
            epochSeconds = Double(days) * 86400
            isDateOnly = true
            return
        }
        guard b.count >= 20, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(b[10]),
            let h = num(11..<13), b[13] == UInt8(ascii: ":"), let mi = num(14..<16), b[16] == UInt8(ascii: ":"),
            let sec = num(17..<19), h < 24, mi < 60, sec <= 60
        else { return nil }
        var i = 19
        var frac = 0.0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            // At most nanoseconds: a time is never a way to store a long text.
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39, i - start < 9 {
                frac += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, let oh = num(i + 1..<i + 3), b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4..<i + 6),
                oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        text = s
        epochSeconds = Double(days) * 86400 + Double(h * 3600 + mi * 60 + sec - offset) + frac
        isDateOnly = false
    }

    /// Formats an instant as RFC 3339 in UTC with milliseconds: `2026-11-26T07:30:00.123Z`.
    public static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let millis = Int(((totalMillis % 1000) + 1000) % 1000)
        let secs = (totalMillis - Int64(millis)) / 1000
        let days = Int(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400)
        let rem = Int(secs - Int64(days) * 86400)
        let (y, m, d) = civilFromDays(days)
        func p(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(rem / 3600, 2)):\(p(rem % 3600 / 60, 2)):\(p(rem % 60, 2)).\(p(millis, 3))Z"
    }

    /// The calendar year of an instant at a UTC offset (seconds east of UTC).
    public static func year(of date: Date, utcOffset: Int) -> Int {
        let secs = Int(date.timeIntervalSince1970.rounded(.down)) + utcOffset
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        return civilFromDays(days).0
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// The source of the current wall-clock time. Injected into every component that needs the time
/// (the system's clock is read only by the implementation the daemon wires in), so the core never
/// reads the clock and tests can hold time still. Named so as not to shadow the standard
/// library's `Clock`, which measures durations.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
}
