/// Text in Japanese and English, as playbooks give titles and guidance.
public struct LocalizedText: Sendable, Hashable {
    public var ja: String
    public var en: String

    public init(ja: String, en: String) { (self.ja, self.en) = (ja, en) }

    public func text(japanese: Bool) -> String { japanese ? ja : en }

    public var json: JSONValue { ["ja": .string(ja), "en": .string(en)] }

    /// `{ja: …, en: …}`, both required and non-empty.
    static func parse(_ v: JSONValue?, path: String, required: Bool) throws(PlaybookError) -> LocalizedText? {
        guard let v, !v.isNull else {
            if required { throw PlaybookError(path: path, "is required: {ja: …, en: …}") }
            return nil
        }
        guard case .object(let o) = v else { throw PlaybookError(path: path, "must be a mapping {ja: …, en: …}, not \(v.typeName)") }
        for k in o.keys.sorted() where k != "ja" && k != "en" {
            throw PlaybookError(path: path + "." + k, "unknown key; only ja and en")
        }
        var out: [String: String] = [:]
        for k in ["ja", "en"] {
            guard let s = o[k] else { throw PlaybookError(path: path + "." + k, "is required (both Japanese and English)") }
            guard case .string(let t) = s else { throw PlaybookError(path: path + "." + k, "must be text, not \(s.typeName)") }
            let trimmed = t.trimmingWhitespace()
            if trimmed.isEmpty { throw PlaybookError(path: path + "." + k, "must not be empty") }
            out[k] = trimmed
        }
        return LocalizedText(ja: out["ja"]!, en: out["en"]!)
    }
}
