/// The members of socket requests that name something: a case, a ledger entry, an application.
/// Each is checked for its form here, so a handler gets a well-formed id; whether it exists is
/// the store's answer.
extension FieldReader {
    /// A case id in member `key` (`id`, or `case_id` for `outbox.list`): a well-formed case id
    /// (quoted back bounded when it is not). Errors name `key` as the field.
    public func caseID(_ key: String = "id") throws(ValidationError) -> String {
        guard let v = object[key] else {
            throw ValidationError(
                .missingField, field: key, "\(key) is required (a case id such as INC-2026-0001)", ja: "\(key)（事案番号）は必須です")
        }
        guard case .string(let id) = v else {
            throw ValidationError(.wrongType, field: key, "\(key) must be a string, not \(v.typeName)", ja: "\(key) は文字列でなければなりません")
        }
        guard CaseID.parse(id) != nil else {
            throw ValidationError(
                .invalidValue, field: key, "\(key) must look like INC-2026-0001, not \"\(TerminalSafe.quoted(id))\"",
                ja: "\(key) は INC-2026-0001 の形式で指定してください")
        }
        return id
    }

    /// A ledger entry id in `id`: well-formed (`L-0001`), quoted back bounded when it is not.
    public func entryID() throws(ValidationError) -> String {
        guard let v = object["id"] else {
            throw ValidationError(.missingField, field: "id", "id is required (a ledger entry id such as L-0001)", ja: "id（台帳番号）は必須です")
        }
        guard case .string(let id) = v, LedgerID.parse(id) != nil else {
            throw ValidationError(
                .invalidValue, field: "id", "id must look like L-0001, not \(TerminalSafe.quoted(v.stringValue ?? v.typeName))",
                ja: "id は L-0001 の形式で指定してください")
        }
        return id
    }

    /// An application id in `request` (`L-0001-T1`, `L-0001-D1`), of `kind` when given.
    public func requestID(kind: LedgerID.RequestKind? = nil) throws(ValidationError) -> String {
        let example = kind == .disposal ? "L-0001-D1" : kind == .takeOut ? "L-0001-T1" : "L-0001-T1 or L-0001-D1"
        guard let v = object["request"] else {
            throw ValidationError(.missingField, field: "request", "request is required (such as \(example))", ja: "request（申請番号）は必須です")
        }
        guard case .string(let s) = v, let parsed = LedgerID.parseRequest(s), kind == nil || parsed.kind == kind else {
            throw ValidationError(
                .invalidValue, field: "request",
                "request must look like \(example), not \(TerminalSafe.quoted(v.stringValue ?? v.typeName))",
                ja: "request は \(example) の形式で指定してください")
        }
        return s
    }

    /// A member that is a whole document (a report, an entry, fields to change): present, and an
    /// object. When it is something else, `domain` — the document's own validator — says why,
    /// so the error is the one the document's reader gives.
    func document(
        _ key: String, missing en: String, ja: String, domain: (JSONValue) throws(ValidationError) -> Void
    ) throws(ValidationError) -> [String: JSONValue] {
        guard let v = object[key] else { throw ValidationError(.missingField, field: key, en, ja: ja) }
        guard case .object(let o) = v else {
            try domain(v)
            throw wrongType(key, expected: "an object", got: v)
        }
        return o
    }
}
