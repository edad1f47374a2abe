import SokuhoCore

/// One file taken from `incoming/`, as handed to the daemon's application layer.
public struct SpoolDrop: Sendable {
    /// The name in `incoming/`.
    public var name: String
    /// Hex SHA-256 of the bytes; for entries not read (unsafe, too large, unreadable) a
    /// stand-in naming the entry (`unread:<kind>:<device>:<inode>:<size>:<mtime>`).
    public var key: String
    public var size: Int
    /// The file's owner, from the kernel: the reporter's Unix identity.
    public var owner: PeerIdentity
    /// What the file holds, or why it cannot be read as a report.
    public var content: Result<SpoolDecoder.Content, ValidationError>
}

/// What became of a drop.
public enum SpoolDecision: Sendable, Equatable {
    /// A case holds the report (`duplicate`: the same file was taken before, or its `report_id`
    /// belongs to an existing case).
    case accepted(caseID: String, duplicate: Bool)
    /// Set aside, with the reason and the `spool.rejected` event that records it.
    case rejected(ValidationError, eventSeq: Int64, at: String)
    /// Not decided now: its owner has had too many files rejected in a row (nobody may fill the
    /// record with junk). Nothing was recorded; the entry stays in `incoming/` and is tried again
    /// after `retryAfter` seconds.
    case deferred(retryAfter: Double)
}

/// The daemon's side of the spool: decides about one drop, durably, before the file is moved.
public protocol SpoolIntakeHandler: Sendable {
    /// Opens the case or records the rejection — the decision and the file's name and key are
    /// committed together — and returns it. A file decided before returns the same decision
    /// and writes nothing. Throws only when nothing could be recorded (e.g. the disk is full):
    /// the file then stays in `incoming/` and is tried again later.
    func intake(_ drop: SpoolDrop) async throws -> SpoolDecision
}
