/// One event of the audit chain as stored: the row of the `events` table.
public struct StoredEvent: Sendable, Hashable {
    /// Position in the chain, from 1, without gaps.
    public var seq: Int64
    /// When it happened (RFC 3339, UTC).
    public var at: String
    /// The case it belongs to; `nil` for events about the system (e.g. `access.denied` without a case).
    public var caseID: String?
    public var type: String
    public var actor: JSONValue
    public var data: JSONValue
    /// `hash` of the previous event; 64 zeros for the first.
    public var prevHash: String
    /// SHA-256 (hex) of this event's canonical bytes, which include `prevHash`.
    public var hash: String

    public init(
        seq: Int64, at: String, caseID: String?, type: String, actor: JSONValue, data: JSONValue,
        prevHash: String, hash: String
    ) {
        (self.seq, self.at, self.caseID, self.type) = (seq, at, caseID, type)
        (self.actor, self.data, self.prevHash, self.hash) = (actor, data, prevHash, hash)
    }

    /// Creates the next event of the chain, computing its hash.
    public static func chained(
        after previous: (seq: Int64, hash: String)?, at: String, caseID: String?, type: String,
        actor: JSONValue, data: JSONValue
    ) -> StoredEvent {
        let seq = (previous?.seq ?? 0) + 1
        let prev = previous?.hash ?? AuditChain.genesisHash
        var e = StoredEvent(seq: seq, at: at, caseID: caseID, type: type, actor: actor, data: data, prevHash: prev, hash: "")
        e.hash = AuditChain.hash(of: e)
        return e
    }

    /// The bytes hashed for this event. See `AuditChain`.
    public var canonicalBytes: [UInt8] {
        let o: JSONValue = [
            "seq": .int(seq), "at": .string(at), "case_id": .optional(caseID), "type": .string(type),
            "actor": actor, "data": data, "prev_hash": .string(prevHash),
        ]
        return o.canonicalBytes
    }

    public var json: JSONValue {
        [
            "seq": .int(seq), "at": .string(at), "case_id": .optional(caseID), "type": .string(type),
            "actor": actor, "data": data, "prev_hash": .string(prevHash), "hash": .string(hash),
        ]
    }
}
