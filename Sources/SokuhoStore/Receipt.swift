import SokuhoCore

/// Proof that an event is durably stored: the case, the event's position and its chain hash.
public struct Receipt: Sendable, Hashable {
    public var caseID: String?
    public var seq: Int64
    public var hash: String
    public var at: String

    public var json: JSONValue {
        ["case_id": .optional(caseID), "seq": .int(seq), "hash": .string(hash), "at": .string(at)]
    }
}

/// The result of a report: the case, the receipt of its opening event, and whether the
/// `report_id` had been seen before (then nothing new was written).
public struct OpenResult: Sendable {
    public var `case`: Case
    public var receipt: Receipt
    public var duplicate: Bool
    /// The outbox messages the opening queued, as committed with it (none for a duplicate): what
    /// the delivery worker is handed without reading them back (`DeliveryHandoff`).
    public var queued: [OutboxMessage] = []
    /// The case row's `last_seq` as this opening committed it (nil for a duplicate).
    var lastSeq: Int64?
}

/// The result of an update; `receipt` is `nil` when nothing changed.
public struct UpdateResult: Sendable {
    public var `case`: Case
    public var changes: [String: JSONValue]
    public var receipt: Receipt?
}

/// Filters for `listCases`.
public struct CaseFilter: Sendable {
    public var kind: IncidentKind?
    public var state: CaseState?
    /// Only cases reported by this Unix user id.
    public var reporterUID: UInt32?
    public var limit: Int
    public init(kind: IncidentKind? = nil, state: CaseState? = nil, reporterUID: UInt32? = nil, limit: Int = 100) {
        self.kind = kind
        self.state = state
        self.reporterUID = reporterUID
        self.limit = limit
    }
}

/// Counts for `status`.
public struct StoreStats: Sendable {
    public var cases: Int
    public var events: Int64
    public var headHash: String
}
