/// The ledger's messages to the city (docs/ledger.md). They carry what an entry is and how much
/// — name, category, records, unit, media, state — and the take-out or disposal concerned; never
/// who uses it, where it is kept, or any personal data.
extension EscalationMessage {
    /// Every ledger message type (the wire name is the raw value).
    public enum LedgerKind: String, Sendable, CaseIterable {
        /// 受領: an entry was added to the ledger (the electronic receipt, Art. 10(6)).
        case received = "ledger.received"
        /// A take-out is applied for and needs the city's approval (Art. 12).
        case takeOutRequested = "ledger.takeout_requested"
        /// What was taken out came back.
        case takeOutReturned = "ledger.takeout_returned"
        /// A disposal is applied for and needs the city's approval (Art. 15).
        case disposalRequested = "disposal.requested"
        /// A disposal was done.
        case disposalCompleted = "disposal.completed"
        /// A take-out or disposal application was withdrawn (or the city refused it).
        case withdrawn = "ledger.request_withdrawn"
        /// The whole ledger, on the city's request (Art. 10(3)).
        case submitted = "ledger.submitted"
    }

    /// The outbox key (`case_id` column) of `ledger.submitted` messages.
    public static let ledgerOutboxKey = "ledger"

    /// The payload of a message about one entry.
    public static func ledgerPayload(
        kind: LedgerKind, entry: LedgerEntry, request: JSONValue?, sequence: Int, chainSeq: Int64, chainHash: String, at: String,
        installation: String
    ) -> JSONValue {
        var data: [String: JSONValue] = [
            "entry_id": .string(entry.id), "entry": entry.summaryJSON, "sequence": .int(Int64(sequence)),
            "audit": ["seq": .int(chainSeq), "hash": .string(chainHash)], "installation": .string(installation),
        ]
        if kind == .received {
            data["received_from"] = .optional(entry.fields.receivedFrom)
            data["received_at"] = .optional(entry.fields.receivedAt)
        }
        if let request { data["request"] = request }
        return ["type": .string(kind.rawValue), "timestamp": .string(at), "data": .object(data)]
    }

    /// One entry of `ledger.submitted`, from its stored row: the summary plus retention and the
    /// state of its take-outs and disposals (the full record stays with the contractor).
    public static func ledgerSubmissionRow(_ row: JSONValue) -> JSONValue {
        var o: [String: JSONValue] = [:]
        for key in ["id", "name", "category", "records", "unit", "media", "state", "received_from", "received_at", "retain_until"] {
            o[key] = row[key] ?? .null
        }
        o["takeouts"] = .int(Int64(row["takeouts"]?.arrayValue?.count ?? 0))
        o["disposals"] = .int(Int64(row["disposals"]?.arrayValue?.count ?? 0))
        return .object(o)
    }
}
