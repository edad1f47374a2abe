/// Reads typed fields out of a JSON object, turning every problem into a `ValidationError`
/// that names the field. Used for reports and for the members of socket requests alike.
public struct FieldReader {
    let object: [String: JSONValue]
    /// Prefix for nested fields in error messages, e.g. "reporter.".
    let prefix: String
    /// True when re-reading what was stored before the text rules were tightened (replaying
    /// events): carriage returns, DEL, C1 and bidi controls are then kept as they were stored,
    /// so an old case still opens. Input from users is always read with `stored: false`.
    let stored: Bool

    public init(object: [String: JSONValue], prefix: String = "", stored: Bool = false) {
        (self.object, self.prefix, self.stored) = (object, prefix, stored)
    }

    /// An optional integer within `range`.
    public func optionalInt(_ key: String, in range: ClosedRange<Int64>) throws(ValidationError) -> Int64? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .int(let i) = v else { throw wrongType(key, expected: "an integer", got: v) }
        guard range.contains(i) else {
            throw ValidationError(
                .invalidValue, field: name(key),
                "\(name(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(i)",
                ja: "\(name(key)) は \(range.lowerBound) から \(range.upperBound) の間で指定してください")
        }
        return i
    }

    static func rejectUnknownKeys(_ object: [String: JSONValue], allowed: [String], context: String?) throws(ValidationError) {
        for key in object.keys.sorted() where !allowed.contains(key) {
            // A key is the sender's text: quoted back (and recorded) bounded.
            let field = TerminalSafe.bounded(context.map { "\($0).\(key)" } ?? key)
            let shown = TerminalSafe.escape(field)
            var message = "unknown field \"\(shown)\""
            var ja = "不明な項目「\(shown)」があります"
            if let suggestion = Suggestion.closest(to: key, among: allowed) {
                let s = context.map { "\($0).\(suggestion)" } ?? suggestion
                message += "; did you mean \"\(s)\"?"
                ja += "。「\(s)」の誤りではありませんか？"
            } else {
                message += "; known fields: \(allowed.joined(separator: ", "))"
                ja += "。使える項目: \(allowed.joined(separator: ", "))"
            }
            throw ValidationError(.unknownField, field: field, message, ja: ja)
        }
    }

    func name(_ key: String) -> String { prefix + key }

    func wrongType(_ key: String, expected: String, got: JSONValue) -> ValidationError {
        ValidationError(
            .wrongType, field: name(key), "\(name(key)) must be \(expected), not \(got.typeName)",
            ja: "\(name(key)) は \(expected) でなければなりません（\(got.typeName) が渡されました）")
    }

    func requiredText(_ key: String) throws(ValidationError) -> String {
        guard let v = object[key], !v.isNull else {
            throw ValidationError(.missingField, field: name(key), "\(name(key)) is required", ja: "\(name(key)) は必須です")
        }
        guard case .string(let s) = v else { throw wrongType(key, expected: "a string", got: v) }
        return try checkedText(key, s)
    }

    /// A text the request must carry; when it is absent or null, `missing_field` with the given
    /// explanation (which says what to put there) in English and Japanese.
    public func requiredText(_ key: String, missing en: String, ja: String) throws(ValidationError) -> String {
        guard let text = try optionalText(key) else { throw ValidationError(.missingField, field: name(key), en, ja: ja) }
        return text
    }

    public func optionalText(_ key: String, maxLength: Int = Report.maxTextLength) throws(ValidationError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, expected: "a string or null", got: v) }
        return try checkedText(key, s, maxLength: maxLength)
    }

    /// A single-line text (an identifier such as `report_id`): as `optionalText`, and newline
    /// and tab are refused too.
    public func optionalLine(_ key: String, maxLength: Int = Report.maxTextLength) throws(ValidationError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, expected: "a string or null", got: v) }
        return try checkedText(key, s, maxLength: maxLength, multiLine: false)
    }

    /// Checks and normalises one text: at most `maxLength` bytes, not blank, no control
    /// characters (newline and tab only in `multiLine` text; a CR LF line end becomes LF, a
    /// lone carriage return is refused), no DEL, C1 controls or bidi embeddings, overrides and
    /// isolates (U+202A–U+202E, U+2066–U+2069): they forge lines and reorder text wherever the
    /// text is shown. Leading and trailing white space is removed.
    private func checkedText(_ key: String, _ s: String, maxLength: Int = Report.maxTextLength, multiLine: Bool = true)
        throws(ValidationError) -> String
    {
        var text = s
        if !stored, text.unicodeScalars.contains("\r") { text = Self.normalizingLineEnds(text) }
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            throw ValidationError(.emptyField, field: name(key), "\(name(key)) must not be empty", ja: "\(name(key)) が空です")
        }
        if s.utf8.count > maxLength {
            throw ValidationError(
                .invalidValue, field: name(key), "\(name(key)) is longer than \(maxLength) bytes",
                ja: "\(name(key)) が長すぎます（最大 \(maxLength) バイト）")
        }
        if let bad = text.unicodeScalars.first(where: { !Self.allowedInText($0, multiLine: multiLine, stored: stored) }) {
            let hex = String(bad.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            if Self.isBidiControl(bad) {
                throw ValidationError(
                    .invalidValue, field: name(key),
                    "\(name(key)) contains a bidirectional control character (\(code)), which reorders the text around it; remove it",
                    ja: "\(name(key)) に双方向制御文字（\(code)）が含まれています。表示順を入れ替える文字のため使えません")
            }
            let what = bad == "\n" || bad == "\t" ? "a line break or tab (this field is a single line)" : "a control character (\(code))"
            let whatJa = bad == "\n" || bad == "\t" ? "改行またはタブ（この項目は1行です）" : "制御文字（\(code)）"
            throw ValidationError(
                .invalidValue, field: name(key), "\(name(key)) contains \(what); remove it",
                ja: "\(name(key)) に\(whatJa)が含まれています")
        }
        return trimmed
    }

    /// Whether `u` may appear in a text. Newline and tab only in multi-line text; stored texts
    /// keep what the rules of their time allowed (any control but C0 ones other than newline,
    /// tab and carriage return).
    static func allowedInText(_ u: Unicode.Scalar, multiLine: Bool, stored: Bool) -> Bool {
        if u == "\n" || u == "\t" { return multiLine || stored }
        if stored { return u.value >= 0x20 || u == "\r" }
        // One rule for what a report may hold and what every output escapes (`TerminalSafe`).
        return !TerminalSafe.isControlOrFormat(u)
    }

    /// The bidi controls and marks and the Unicode line separators: format characters that are
    /// not controls but change how what follows them is shown.
    static func isBidiControl(_ u: Unicode.Scalar) -> Bool {
        TerminalSafe.isControlOrFormat(u) && !(0x00...0x1F).contains(u.value) && !(0x7F...0x9F).contains(u.value)
    }

    /// CR LF (Windows line ends, as in files from form tools) as LF; other carriage returns stay
    /// (and are then refused).
    static func normalizingLineEnds(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var pendingCR = false
        for u in s.unicodeScalars {
            if pendingCR, u != "\n" { out.append("\r") }
            pendingCR = u == "\r"
            if !pendingCR { out.append(u) }
        }
        if pendingCR { out.append("\r") }
        return String(out)
    }

    public func optionalBool(_ key: String) throws(ValidationError) -> Bool? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .bool(let b) = v else { throw wrongType(key, expected: "true or false", got: v) }
        return b
    }

    func optionalCount(_ key: String) throws(ValidationError) -> Int64? {
        guard let v = object[key], !v.isNull else { return nil }
        switch v {
        case .int(let i):
            if i < 0 {
                throw ValidationError(
                    .invalidValue, field: name(key), "\(name(key)) must be 0 or more (null when unknown), not \(i)",
                    ja: "\(name(key)) は0以上の整数です（不明なら null）。\(i) は使えません")
            }
            return i
        case .double(let d) where d.rounded() == d && d >= 0 && d < 9.0e15:
            return Int64(d)
        default:
            throw wrongType(key, expected: "a whole number or null", got: v)
        }
    }

    func requiredEnum<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(ValidationError) -> E
    where E.RawValue == String {
        guard let v = object[key], !v.isNull else {
            throw ValidationError(
                .missingField, field: name(key),
                "\(name(key)) is required (one of \(E.allCases.map(\.rawValue).joined(separator: ", ")))",
                ja: "\(name(key)) は必須です（\(E.allCases.map(\.rawValue).joined(separator: ", ")) のいずれか）")
        }
        return try enumValue(key, v, type)
    }

    public func optionalEnum<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(ValidationError) -> E?
    where E.RawValue == String {
        guard let v = object[key], !v.isNull else { return nil }
        return try enumValue(key, v, type)
    }

    /// A member's text read off the wire (`optionalText` and friends) as one of `E`'s values:
    /// the domain check behind `optionalEnum`, with its error, for types the reader's module
    /// does not know.
    public static func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ text: String?, _ type: E.Type) throws(ValidationError)
        -> E?
    where E.RawValue == String {
        guard let text else { return nil }
        return try FieldReader(object: [:]).enumValue(key, .string(text), type)
    }

    /// As above, for a member that is there.
    public static func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ text: String, _ type: E.Type) throws(ValidationError)
        -> E
    where E.RawValue == String {
        try FieldReader(object: [:]).enumValue(key, .string(text), type)
    }

    private func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ v: JSONValue, _ type: E.Type) throws(ValidationError) -> E
    where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue)
        guard case .string(let s) = v else { throw wrongType(key, expected: "a string", got: v) }
        if let e = E(rawValue: s) { return e }
        let shown = TerminalSafe.escape(TerminalSafe.bounded(s, limit: 200))
        var message = "\(name(key)) must be one of \(allowed.joined(separator: ", ")), not \"\(shown)\""
        var ja = "\(name(key)) は \(allowed.joined(separator: ", ")) のいずれかです（「\(shown)」は使えません）"
        if let suggestion = Suggestion.closest(to: s, among: allowed) {
            message += "; did you mean \"\(suggestion)\"?"
            ja += "。「\(suggestion)」の誤りではありませんか？"
        }
        throw ValidationError(.invalidValue, field: name(key), message, ja: ja)
    }

    public func optionalTimestamp(_ key: String) throws(ValidationError) -> String? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, expected: "an RFC 3339 time string", got: v) }
        guard let t = Timestamp(rfc3339: s) else {
            throw ValidationError(
                .invalidValue, field: name(key),
                "\(name(key)) must be an RFC 3339 time such as 2026-11-26T09:30:00+09:00 (or a date 2026-11-26), not \"\(TerminalSafe.escape(TerminalSafe.bounded(s, limit: 200)))\"",
                ja: "\(name(key)) は RFC 3339 形式の日時（例: 2026-11-26T09:30:00+09:00、または日付 2026-11-26）で指定してください")
        }
        return t.text
    }

    func optionalReporter(_ key: String) throws(ValidationError) -> Reporter? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .object(let o) = v else { throw wrongType(key, expected: "an object {name, organization, contact}", got: v) }
        try FieldReader.rejectUnknownKeys(o, allowed: Report.reporterFieldNames, context: name(key))
        let r = FieldReader(object: o, prefix: name(key) + ".", stored: stored)
        let reporter = Reporter(
            name: try r.optionalText("name"), organization: try r.optionalText("organization"),
            contact: try r.optionalText("contact"))
        return reporter.isEmpty ? nil : reporter
    }
}

extension String {
    /// The string without leading and trailing whitespace (ASCII and Unicode, incl. U+3000).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
