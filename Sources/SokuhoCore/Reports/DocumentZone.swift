/// The time zone a document shows its times in: the configured `time_zone_offset`, or the
/// system's zone, chosen by whoever renders the document (the core never asks the system).
///
/// Contract: `offset(at:)` is the number of seconds east of UTC in force at an instant (seconds
/// since the epoch); `name` is how the zone is stated on the page, once, next to the offset in
/// force when the document was generated.
public struct DocumentZone: Sendable {
    /// The zone's name (`Asia/Tokyo`), or nil for a fixed offset such as `+09:00`.
    public let name: String?
    let offsetAt: @Sendable (Double) -> Int

    /// A zone whose offset may change over the year (daylight saving time).
    public init(name: String?, offsetAt: @escaping @Sendable (Double) -> Int) {
        self.name = name
        self.offsetAt = offsetAt
    }

    /// A fixed offset, in seconds east of UTC (`time_zone_offset: "+09:00"` is 32400).
    public static func fixed(seconds: Int) -> DocumentZone {
        DocumentZone(name: nil, offsetAt: { _ in seconds })
    }

    public static let utc = DocumentZone.fixed(seconds: 0)

    /// Seconds east of UTC at the instant `epochSeconds`.
    public func offset(at epochSeconds: Double) -> Int { offsetAt(epochSeconds) }

    /// `UTC+09:00`, `UTC-05:30`, `UTC` for the offset at an instant.
    public func utcLabel(at epochSeconds: Double) -> String {
        let seconds = offset(at: epochSeconds)
        if seconds == 0 { return "UTC" }
        let minutes = abs(seconds) / 60
        let h = minutes / 60, m = minutes % 60
        return "UTC" + (seconds < 0 ? "-" : "+") + (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// How the page states its zone, once: `日本時間（UTC+09:00）` / `Japan time (UTC+09:00)` for
    /// +09:00 without another name, `Europe/Berlin（UTC+01:00）`, `UTC`.
    public func label(at epochSeconds: Double, japanese: Bool) -> String {
        let utc = utcLabel(at: epochSeconds)
        let japanTime = offset(at: epochSeconds) == 9 * 3600 && (name == nil || name == "Asia/Tokyo" || name == "Japan")
        let named = japanTime ? (japanese ? "日本時間" : "Japan time") : name
        guard let named, named != utc else { return utc }
        return japanese ? "\(named)（\(utc)）" : "\(named) (\(utc))"
    }
}
