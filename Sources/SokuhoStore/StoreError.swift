import SokuhoCore

/// Errors of the store module, with the context an operator needs.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The database file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The file is not a Sokuho database or is damaged.
    case corrupt(path: String, reason: String)
    /// The database was written by a newer Sokuho.
    case newerSchema(path: String, found: Int, supported: Int)
    /// The disk or file system is full; nothing was written.
    case diskFull(reason: String)
    /// Another process holds a lock on the database for too long.
    case busy(reason: String)
    /// The request is invalid (e.g. a bad `case.update`).
    case invalid(ValidationError)
    /// No case with this id.
    case notFound(id: String)
    /// Stored data cannot be read back.
    case malformed(reason: String)
    /// Any other SQLite failure.
    case io(reason: String)
    /// The caller's decision in `mutateCase` refused the change (its own error, unchanged).
    case declined(any Error & Sendable)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason):
            "cannot open the case database \(path): \(reason). Check that the directory exists and is writable by the daemon's user."
        case .corrupt(let path, let reason):
            "the case database \(path) is damaged or not a Sokuho database (\(reason)). Stop the daemon, keep a copy of the file, run `sokuho audit verify --db \(path)` and restore the last good backup."
        case .newerSchema(let path, let found, let supported):
            "the case database \(path) has schema version \(found), newer than this sokuhod supports (\(supported)); run the newer sokuhod."
        case .diskFull(let reason): "the disk is full; nothing was written (\(reason))"
        case .busy(let reason): "the database is locked by another process (\(reason))"
        case .invalid(let e): e.message
        case .notFound(let id): "no case \(id)"
        case .malformed(let reason): "stored data cannot be read: \(reason)"
        case .io(let reason): "database error: \(reason)"
        case .declined(let e): "\(e)"
        }
    }
}
