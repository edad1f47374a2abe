/// A problem with input from outside (socket, spool, CLI), naming the field at fault.
///
/// `code` is one of the stable error codes of the protocol (see `ErrorCode`); `message` is
/// English, `messageJa` Japanese.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var field: String?
    public var message: String
    public var messageJa: String
    /// Where in a file the problem is (1-based line and column, in characters), when it is a
    /// problem of the file's text rather than of a field (invalid JSON, YAML or UTF-8).
    public var line: Int?
    public var column: Int?

    public init(_ code: ErrorCode, field: String?, _ message: String, ja: String, line: Int? = nil, column: Int? = nil) {
        (self.code, self.field, self.message, self.messageJa, self.line, self.column) = (code, field, message, ja, line, column)
    }

    public var description: String { message }
}

/// The stable error codes seen by clients. A contract: add, never rename.
public enum ErrorCode: String, Sendable, CaseIterable {
    case invalidJSON = "invalid_json"
    case invalidUTF8 = "invalid_utf8"
    case lineTooLong = "line_too_long"
    case invalidRequest = "invalid_request"
    case unknownOp = "unknown_op"
    case missingField = "missing_field"
    case emptyField = "empty_field"
    case wrongType = "wrong_type"
    case unknownField = "unknown_field"
    case invalidValue = "invalid_value"
    case notFound = "not_found"
    case forbidden = "forbidden"
    case shuttingDown = "shutting_down"
    /// Too many connections (in all, or of this user): the connection is closed.
    case tooManyConnections = "too_many_connections"
    /// Too many unfinished requests held: the connection is closed.
    case tooBusy = "too_busy"
    /// A request line was not finished in time: the connection is closed.
    case timeout = "timeout"
    case storageFailure = "storage_failure"
    case `internal` = "internal"
    /// The request conflicts with the case's current state (e.g. a step that is not ready yet);
    /// the message says what stands in the way.
    case conflict = "conflict"
    // Spool files (docs/spool.md).
    /// Not `.json`, `.yaml`, `.yml` (or `.txt` / no extension holding JSON or YAML).
    case unsupportedFormat = "unsupported_format"
    /// A symbolic link, FIFO, device, socket or directory: set aside without being followed or read.
    case unsafeFile = "unsafe_file"
    /// Larger than `spool.max_file_size`: set aside unread.
    case fileTooLarge = "file_too_large"
    case emptyFile = "empty_file"
    case invalidYAML = "invalid_yaml"
    /// The daemon may not read the file (its permissions).
    case unreadableFile = "unreadable_file"
}
