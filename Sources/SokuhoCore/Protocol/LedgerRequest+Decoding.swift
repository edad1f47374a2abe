/// The ledger's requests as the daemon reads them (see `ControlRequest+Decoding.swift`).
extension LedgerRequest {
    /// The request of ledger op `op` (a `ledger.*` or `disposal.*` op) from its members. Any
    /// other op is a programming error, answered as an unknown op.
    public init(ledger op: ControlOperation, decoding o: [String: JSONValue]) throws(ValidationError) {
        let r = FieldReader(object: o)
        switch op {
        case .ledgerAdd:
            let entry = try r.document(
                "entry", missing: "entry is required: {\"op\":\"ledger.add\",\"entry\":{…}}", ja: "entry は必須です"
            ) { v throws(ValidationError) in _ = try LedgerFields.validate(v) }
            self = .add(entry: entry)
        case .ledgerList:
            self = .list(
                state: try r.optionalName("state"), category: try r.optionalName("category"),
                limit: try r.optionalInt("limit", in: 1...10_000).map { Int($0) })
        case .ledgerGet:
            self = .get(id: try r.entryID())
        case .ledgerUpdate:
            let id = try r.entryID()
            let fields = try r.document(
                "fields", missing: "fields is required: the members to change", ja: "fields（変更する項目）は必須です"
            ) { v throws(ValidationError) in _ = try LedgerEntry.requestedChanges(v) }
            self = .update(id: id, fields: fields)
        case .ledgerSubmit:
            self = .submit
        case .ledgerTakeOut:
            let id = try r.entryID()
            let purpose = try r.requiredLine("purpose", maxLength: 500)
            guard let until = try r.optionalTimestamp("until") else {
                throw ValidationError(
                    .missingField, field: "until", "until is required: when it comes back at the latest", ja: "until（返却予定日時）は必須です")
            }
            self = .takeOut(id: id, purpose: purpose, until: until, encrypted: try r.optionalBool("encrypted") ?? false)
        case .ledgerApprove:
            let request = try r.requestID()
            let by = try r.requiredLine("by", maxLength: 200)
            self = .approve(
                request: request, by: by, approvedAt: try r.optionalTimestamp("approved_at"),
                approvalID: try r.optionalLine("approval_id", maxLength: 200))
        case .ledgerReturn:
            let request = try r.requestID(kind: .takeOut)
            self = .returnTakeOut(request: request, note: try r.optionalText("note", maxLength: 2_000))
        case .ledgerWithdraw:
            let request = try r.requestID()
            self = .withdraw(request: request, reason: try r.requiredLine("reason", maxLength: 500))
        case .disposalApply:
            let id = try r.entryID()
            let method = try r.requiredLine("method", maxLength: 500)
            let medium = try r.requiredLine("medium", maxLength: 200)
            let quantity = try r.requiredLine("quantity", maxLength: 200)
            guard let planned = try r.optionalTimestamp("planned") else {
                throw ValidationError(.missingField, field: "planned", "planned is required: the planned date", ja: "planned（廃棄予定日）は必須です")
            }
            self = .disposalApply(id: id, method: method, medium: medium, quantity: quantity, planned: planned)
        case .disposalDone:
            let request = try r.requestID(kind: .disposal)
            let by = try r.requiredLine("by", maxLength: 200)
            self = .disposalDone(
                request: request, at: try r.optionalTimestamp("at"), by: by, witness: try r.optionalLine("witness", maxLength: 200))
        default:
            throw ValidationError(.unknownOp, field: "op", "\(op.rawValue) is not a ledger op", ja: "\(op.rawValue) は台帳の操作ではありません")
        }
    }
}
