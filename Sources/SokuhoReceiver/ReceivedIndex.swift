import SokuhoCore

/// What the receiver remembers of each stored message, to tell a re-delivery from a different
/// message that reuses a `webhook-id`.
///
/// - same id, same body → a duplicate (answered 200, not stored again) — whichever secret
///   verified it, so a re-delivery signed with a rotated secret is still recognised;
/// - same id, different body, verified by the same secret → a conflict (answered 409, not
///   stored): a sender reused an id for another message;
/// - same id, different body, verified by another secret → another sender: stored, so one
///   holder of a secret cannot claim the ids of another and have their messages refused.
///
/// Lines written before the body digest was kept (no `body_sha256`) are compared by the SHA-256
/// of their canonical payload, and, having no `key_id`, conflict with every secret.
struct ReceivedIndex {
    struct Record: Equatable, Sendable {
        /// SHA-256 of the body as received (nil for old lines).
        var bodySHA256: String?
        /// SHA-256 of the canonical JSON of the payload.
        var payloadSHA256: String
        /// `Secret.keyID` of the secret that verified it (nil for old lines).
        var keyID: String?

        func sameMessage(as other: Record) -> Bool {
            if let a = bodySHA256, let b = other.bodySHA256 { return a == b }
            return payloadSHA256 == other.payloadSHA256
        }

        func sameSender(as other: Record) -> Bool {
            guard let a = keyID, let b = other.keyID else { return true }
            return a == b
        }
    }

    enum Verdict: Equatable {
        case new
        case duplicate
        /// The digest of the body already stored under this id by the same sender.
        case conflict(storedSHA256: String)
    }

    private(set) var records: [String: [Record]] = [:]

    static func classify(_ record: Record, against stored: [Record]) -> Verdict {
        if stored.contains(where: { $0.sameMessage(as: record) }) { return .duplicate }
        if let other = stored.first(where: { $0.sameSender(as: record) }) {
            return .conflict(storedSHA256: other.bodySHA256 ?? other.payloadSHA256)
        }
        return .new
    }

    func classify(id: String, _ record: Record) -> Verdict {
        Self.classify(record, against: records[id] ?? [])
    }

    mutating func insert(id: String, _ record: Record) {
        records[id, default: []].append(record)
    }

    /// The id and record of one stored line; nil for a line that is not one (torn, or not JSON).
    static func parse(line: [UInt8]) -> (String, Record)? {
        guard let v = try? JSONParser.parse(line), let id = v["webhook_id"]?.stringValue, let payload = v["payload"] else { return nil }
        return (
            id,
            Record(
                bodySHA256: v["body_sha256"]?.stringValue,
                payloadSHA256: WebhookSignature.sha256Hex(payload.canonicalBytes),
                keyID: v["key_id"]?.stringValue)
        )
    }

    /// The index of a whole output file's bytes.
    static func load(_ bytes: [UInt8]) -> ReceivedIndex {
        var index = ReceivedIndex()
        for line in bytes.split(separator: 0x0A) {
            if let (id, r) = parse(line: Array(line)) { index.insert(id: id, r) }
        }
        return index
    }
}
