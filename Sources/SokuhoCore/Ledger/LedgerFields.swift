/// What a ledger entry says about the information it stands for (Art. 10(3)): the part a lead
/// writes with `ledger.add` and changes with `ledger.update`. Never the information itself.
public struct LedgerFields: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var category: LedgerCategory
    /// How many records, in `unit`; nil while unknown.
    public var records: Int64?
    public var unit: CountUnit
    public var media: LedgerMedia
    /// Where it is kept (a room, a cabinet, a server).
    public var storage: String
    /// The people or roles who use it.
    public var users: [String]
    /// Who handed it over (the city, a department).
    public var receivedFrom: String?
    /// When it was handed over (RFC 3339 time or date).
    public var receivedAt: String?
    /// Until when it is kept, or when it goes back (RFC 3339 time or date).
    public var retainUntil: String?

    /// The members, in their JSON names.
    public static let fieldNames = [
        "name", "description", "category", "records", "unit", "media", "storage", "users", "received_from", "received_at",
        "retain_until",
    ]
    static let required = ["name", "category", "media", "storage"]

    /// Each member's label in documents, in both languages; nil for a name that is no member.
    public static func label(_ member: String) -> (ja: String, en: String)? {
        switch member {
        case "name": ("名称", "name")
        case "description": ("内容", "description")
        case "category": ("区分", "category")
        case "records": ("件数", "records")
        case "unit": ("単位", "unit")
        case "media": ("媒体", "media")
        case "storage": ("保管場所", "storage location")
        case "users": ("利用者", "users")
        case "received_from": ("受領元", "received from")
        case "received_at": ("受領日", "received on")
        case "retain_until": ("保管期限", "kept until")
        case "state": ("状態", "state")
        default: nil
        }
    }
    /// At most this many users, each one line of at most 200 characters.
    public static let maxUsers = 50

    public init(
        name: String, description: String? = nil, category: LedgerCategory, records: Int64? = nil, unit: CountUnit = .items,
        media: LedgerMedia, storage: String, users: [String] = [], receivedFrom: String? = nil, receivedAt: String? = nil,
        retainUntil: String? = nil
    ) {
        (self.name, self.description, self.category, self.records, self.unit, self.media, self.storage) =
            (name, description, category, records, unit, media, storage)
        (self.users, self.receivedFrom, self.receivedAt, self.retainUntil) = (users, receivedFrom, receivedAt, retainUntil)
    }

    public var json: JSONValue {
        [
            "name": .string(name), "description": .optional(description), "category": .string(category.rawValue),
            "records": .optional(records), "unit": .string(unit.text), "media": .string(media.rawValue),
            "storage": .string(storage), "users": .array(users.map { .string($0) }), "received_from": .optional(receivedFrom),
            "received_at": .optional(receivedAt), "retain_until": .optional(retainUntil),
        ]
    }

    /// What the city is told of an entry: what it is and how much, never who uses it or where.
    public var summaryJSON: JSONValue {
        [
            "name": .string(name), "category": .string(category.rawValue), "category_ja": .string(category.japanese),
            "records": .optional(records), "unit": .string(unit.text), "media": .string(media.rawValue),
        ]
    }

    /// Validates the members of `ledger.add` (every required member present) or, with `base`,
    /// of `ledger.update` (the members given replace those of `base`; null clears an optional one).
    public static func validate(_ value: JSONValue, base: LedgerFields? = nil, stored: Bool = false) throws(ValidationError)
        -> LedgerFields
    {
        guard case .object(var o) = value else {
            throw ValidationError(
                .wrongType, field: "entry", "the entry must be a JSON object, not \(value.typeName)",
                ja: "台帳の項目はJSONオブジェクトでなければなりません")
        }
        try FieldReader.rejectUnknownKeys(o, allowed: fieldNames, context: nil)
        if let base, case .object(let old) = base.json {
            for (k, v) in old where o[k] == nil { o[k] = v }
            for k in required where o[k]?.isNull == true {
                throw ValidationError(.emptyField, field: k, "\(k) cannot be cleared", ja: "\(k) は空にできません")
            }
        }
        let r = FieldReader(object: o, prefix: "", stored: stored)
        let name = try r.requiredLine("name", maxLength: 200)
        let description = try r.optionalText("description", maxLength: 4_000)
        let category = try r.requiredEnum("category", LedgerCategory.self)
        let records = try r.optionalCount("records")
        let unit = try r.optionalUnit("unit") ?? .items
        let media = try r.requiredEnum("media", LedgerMedia.self)
        let storage = try r.requiredLine("storage", maxLength: 500)
        let users = try r.optionalLines("users", maxCount: maxUsers, maxLength: 200)
        let receivedFrom = try r.optionalLine("received_from", maxLength: 200)
        let receivedAt = try r.optionalTimestamp("received_at")
        let retainUntil = try r.optionalTimestamp("retain_until")
        return LedgerFields(
            name: name, description: description, category: category, records: records, unit: unit, media: media, storage: storage,
            users: users, receivedFrom: receivedFrom, receivedAt: receivedAt, retainUntil: retainUntil)
    }

    /// The members that differ from `old`, as `{member: {"from", "to"}}`.
    public func changes(from old: LedgerFields) -> [String: JSONValue] {
        guard case .object(let a) = old.json, case .object(let b) = json else { return [:] }
        var out: [String: JSONValue] = [:]
        for k in Self.fieldNames where a[k] != b[k] { out[k] = ["from": a[k] ?? .null, "to": b[k] ?? .null] }
        return out
    }
}
