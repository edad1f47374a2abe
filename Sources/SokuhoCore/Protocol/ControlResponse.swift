/// Builds the response objects of the control-socket protocol (`docs/protocol.md`).
///
/// Success: `{"ok": true, …result members…}`.
/// Failure: `{"ok": false, "error": {"code", "message", "message_ja", "field"?}}`.
public enum ControlResponse {
    public static func success(_ members: [String: JSONValue]) -> JSONValue {
        var o = members
        o["ok"] = .bool(true)
        return .object(o)
    }

    public static func failure(_ code: ErrorCode, _ message: String, ja: String, field: String? = nil) -> JSONValue {
        var e: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message), "message_ja": .string(ja)]
        if let field { e["field"] = .string(field) }
        return ["ok": false, "error": .object(e)]
    }

    public static func failure(_ error: ValidationError) -> JSONValue {
        failure(error.code, error.message, ja: error.messageJa, field: error.field)
    }

    /// The error for a line that is not JSON.
    public static func failure(_ error: JSONError) -> JSONValue {
        if error.reason == .invalidUTF8 {
            return failure(
                .invalidUTF8, "the request is not valid UTF-8 (at byte \(error.offset))",
                ja: "リクエストが正しい UTF-8 ではありません（\(error.offset) バイト目）")
        }
        return failure(.invalidJSON, "the request is not valid JSON: \(error)", ja: "リクエストが正しい JSON ではありません: \(error)")
    }
}
