/// How a report reached the daemon, recorded in the `case.opened` event (`"source"`).
///
/// For the spool it names the file as dropped, its SHA-256 and size, and the format and text
/// encoding it was read in (`utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, `shift_jis`), so that
/// what the daemon understood can always be traced back to the exact bytes received.
public struct ReportSource: Sendable, Hashable {
    /// `socket` or `spool`.
    public var channel: String
    /// The file name in `incoming/` (spool only).
    public var file: String?
    /// Hex SHA-256 of the file's bytes (spool only).
    public var sha256: String?
    public var size: Int?
    /// `json` or `yaml` (spool only).
    public var format: String?
    /// The text encoding the file was read in (spool only).
    public var encoding: String?

    public init(
        channel: String, file: String? = nil, sha256: String? = nil, size: Int? = nil,
        format: String? = nil, encoding: String? = nil
    ) {
        (self.channel, self.file, self.sha256, self.size, self.format, self.encoding) = (channel, file, sha256, size, format, encoding)
    }

    public static let socket = ReportSource(channel: "socket")

    public var json: JSONValue {
        var o: [String: JSONValue] = ["channel": .string(channel)]
        if let file { o["file"] = .string(file) }
        if let sha256 { o["sha256"] = .string(sha256) }
        if let size { o["size"] = .int(Int64(size)) }
        if let format { o["format"] = .string(format) }
        if let encoding { o["encoding"] = .string(encoding) }
        return .object(o)
    }

    /// Reads the `source` of an opening event; events written before it existed carry only `channel`.
    public init(openingData data: JSONValue) {
        let s = data["source"] ?? .null
        self.init(
            channel: s["channel"]?.stringValue ?? data["channel"]?.stringValue ?? "socket",
            file: s["file"]?.stringValue, sha256: s["sha256"]?.stringValue,
            size: s["size"]?.intValue.map { Int($0) }, format: s["format"]?.stringValue,
            encoding: s["encoding"]?.stringValue)
    }
}
