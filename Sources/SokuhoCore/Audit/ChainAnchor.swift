/// A chain head someone outside the contractor received (Art. 17): every message to the city
/// carries the audit chain's position and hash at that moment (`data.audit.seq`, `.hash`), so
/// the city holds anchors the contractor cannot take back. A database rewritten after the fact —
/// even one whose chain was recomputed consistently — no longer has those hashes at those
/// positions.
public struct ChainAnchor: Sendable, Hashable {
    public var seq: Int64
    public var hash: String
    /// The installation that sent it (nil in messages from before installation ids).
    public var installation: String?
    /// Where it came from: the message's `webhook-id`.
    public var source: String

    public init(seq: Int64, hash: String, installation: String?, source: String) {
        (self.seq, self.hash, self.installation, self.source) = (seq, hash, installation, source)
    }

    /// The anchor in one stored message: a line of `sokuho receive`'s output
    /// (`{"webhook_id", "payload": {"data": {"audit": {"seq", "hash"}, "installation"}}}`), or
    /// nil when the line holds none (another kind of line, a torn line).
    public static func fromReceivedLine(_ line: JSONValue) -> ChainAnchor? {
        guard let data = line["payload"]?["data"] else { return nil }
        return from(data: data, source: line["webhook_id"]?.stringValue ?? "")
    }

    /// The anchor in a message's `data`.
    public static func from(data: JSONValue, source: String) -> ChainAnchor? {
        guard let seq = data["audit"]?["seq"]?.intValue, seq > 0, let hash = data["audit"]?["hash"]?.stringValue,
            hash.utf8.count == 64, hash.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return ChainAnchor(seq: seq, hash: hash, installation: data["installation"]?.stringValue, source: source)
    }
}
