/// One entry of the ledger of confidential information (台帳, Art. 10(3)): what is held, how much,
/// where, by whom, and its take-outs and disposals. Derived from its events only
/// (`LedgerEntry+Events.swift`), like a `Case`.
public struct LedgerEntry: Sendable, Hashable {
    /// `L-<number>`.
    public var id: String
    public var fields: LedgerFields
    public var state: LedgerState
    public var createdAt: String
    public var updatedAt: String
    /// The number of events applied.
    public var version: Int
    public var takeOuts: [TakeOut] = []
    public var disposals: [Disposal] = []

    public init(id: String, fields: LedgerFields, at: String) {
        self.id = id
        self.fields = fields
        self.state = .held
        self.createdAt = at
        self.updatedAt = at
        self.version = 1
    }

    /// The entry as stored and answered (`docs/ledger.md`).
    public var json: JSONValue {
        guard case .object(var o) = fields.json else { return .null }
        o["id"] = .string(id)
        o["state"] = .string(state.rawValue)
        o["created_at"] = .string(createdAt)
        o["updated_at"] = .string(updatedAt)
        o["version"] = .int(Int64(version))
        o["takeouts"] = .array(takeOuts.map(\.json))
        o["disposals"] = .array(disposals.map(\.json))
        return .object(o)
    }

    /// What the city is told about the entry (no users, no storage location).
    public var summaryJSON: JSONValue {
        guard case .object(var o) = fields.summaryJSON else { return .null }
        o["id"] = .string(id)
        o["state"] = .string(state.rawValue)
        return .object(o)
    }

    /// The take-out with this request id.
    public func takeOut(_ request: String) -> TakeOut? { takeOuts.first { $0.request == request } }
    /// The disposal with this request id.
    public func disposal(_ request: String) -> Disposal? { disposals.first { $0.request == request } }
}

/// Errors of the ledger model.
public enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformedEvent(entry: String, type: String, reason: String)

    public var description: String {
        switch self {
        case .malformedEvent(let id, let type, let reason): "event \(type) of ledger entry \(id) is malformed: \(reason)"
        }
    }
}
