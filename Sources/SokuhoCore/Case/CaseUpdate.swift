/// Validates a `case.update` request against the current case and works out what changes.
public enum CaseUpdate {
    /// Fields that `case.update` may change. `report_id` is the client's key and never changes.
    public static let updatableFields: [String] = Report.fieldNames.filter { $0 != "report_id" && $0 != "assets" }

    /// Splits a `case.update` request into report fields and APPI fields (`AppiItems`),
    /// refusing unknown keys with a suggestion from both.
    public static func split(_ fields: JSONValue) throws(ValidationError) -> (report: [String: JSONValue], appi: [String: JSONValue]) {
        let updates = try request(fields)
        try FieldReader.rejectUnknownKeys(updates, allowed: updatableFields + AppiItems.fieldNames, context: nil)
        return (updates.filter { !AppiItems.fieldNames.contains($0.key) }, updates.filter { AppiItems.fieldNames.contains($0.key) })
    }

    /// The fields of a request: a non-empty object that does not touch `report_id`.
    static func request(_ fields: JSONValue) throws(ValidationError) -> [String: JSONValue] {
        guard case .object(let updates) = fields else {
            throw ValidationError(
                .wrongType, field: "fields", "fields must be an object of report fields, not \(fields.typeName)",
                ja: "fields は報告項目のオブジェクトでなければなりません")
        }
        if updates.isEmpty {
            throw ValidationError(
                .emptyField, field: "fields", "fields is empty: name at least one field to change",
                ja: "fields が空です。変更する項目を一つ以上指定してください")
        }
        if updates["report_id"] != nil {
            throw ValidationError(
                .invalidValue, field: "report_id", "report_id cannot be changed after the report",
                ja: "report_id は報告後に変更できません")
        }
        return updates
    }

    /// The changes `fields` makes to `current`, as `{field: {"from": old, "to": new}}`; empty
    /// when nothing changes. Throws when a field is unknown, not updatable, or invalid, naming it.
    public static func changes(_ fields: JSONValue, to current: Report) throws(ValidationError) -> [String: JSONValue] {
        let updates = try request(fields)
        try FieldReader.rejectUnknownKeys(updates, allowed: updatableFields, context: nil)
        guard case .object(let old) = current.json else { return [:] }
        var merged = old
        for (k, v) in updates { merged[k] = v }
        if let c = updates["count"], c.isNull, updates["count_precision"] == nil { merged["count_precision"] = .null }
        if let c = updates["count"], !c.isNull, updates["count_precision"] == nil, old["count"]?.isNull ?? true {
            merged["count_precision"] = .null  // defaults to exact
        }
        let next = try Report.validate(.object(merged))
        guard case .object(let new) = next.json else { return [:] }
        var changes: [String: JSONValue] = [:]
        for key in Report.fieldNames where old[key] != new[key] {
            changes[key] = ["from": old[key] ?? .null, "to": new[key] ?? .null]
        }
        return changes
    }
}
