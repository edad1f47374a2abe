import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Logs one line per message to standard error, as `key=value` fields.
///
/// Layout (docs/operations.md, "Logs"), fields in this order, separated by one space:
///
///     <N>level=LEVEL KEY=VALUE … msg=MESSAGE            under systemd ($JOURNAL_STREAM set)
///     time=RFC3339 level=LEVEL KEY=VALUE … msg=MESSAGE  elsewhere
///
/// `<N>` is the syslog priority, which journald turns into the entry's priority (journald adds
/// the time itself). Metadata follows sorted by key; the message is always the last field and
/// runs to the end of the line, unquoted. Every message, key and value is escaped with
/// `LogText` — controls, DEL, C1 and bidi controls as visible escapes, values with spaces,
/// quotes or `=` in double quotes — so one log call is always exactly one line, and nothing a
/// user supplied can start a line, set a priority or reach a terminal as a control sequence.
/// The user information of URLs (`https://user:secret@host`) is written as `***`.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let journald: Bool
    let output: @Sendable (String) -> Void
    let clock: @Sendable () -> Date

    /// - Parameter output: receives each complete line, ending in `\n`; writes to standard
    ///   error by default.
    public init(
        label: String, level: Logger.Level,
        journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        output: @escaping @Sendable (String) -> Void = StderrLogHandler.writeToStandardError,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.label = label
        self.logLevel = level
        self.journald = journald
        self.output = output
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        output(line(level: event.level, message: "\(event.message)", metadata: merged))
    }

    /// The complete line for one log call, ending in `\n`.
    func line(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line: String
        if journald {
            line = "<\(Self.priority(level))>"
        } else {
            let f = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            line = "time=\(clock().formatted(f)) "
        }
        line += "level=\(level.rawValue)"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let name = Self.reservedKeys.contains(key) ? "_" + key : key
            line += " \(LogText.key(name))=\(LogText.value(LogText.redactingUserinfo(Self.text(value))))"
        }
        return line + " msg=" + LogText.escape(LogText.redactingUserinfo(message)) + "\n"
    }

    /// The layout's own fields; metadata with these keys is written as `_time`, `_level`, `_msg`.
    static let reservedKeys: Set<String> = ["time", "level", "msg"]

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): s
        case .stringConvertible(let c): c.description
        case .array(let a): "[" + a.map(text).joined(separator: ", ") + "]"
        case .dictionary(let d): "[" + d.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ") + "]"
        }
    }

    /// Writes `line` to file descriptor 2 in as few `write` calls as it takes.
    @Sendable public static func writeToStandardError(_ line: String) {
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(2, buf.baseAddress! + off, buf.count - off)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                off += n
            }
        }
    }
}
