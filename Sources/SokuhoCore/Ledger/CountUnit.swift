/// The unit a count is given in, as municipal notices give it: 件 (items, the default), 人
/// (persons), 通 (letters), 枚 (sheets), 世帯 (households), 冊 (volumes), 台 (devices), or any
/// other word of up to `maxLength` characters.
public struct CountUnit: Sendable, Hashable {
    /// The units every document knows, with their English words.
    public static let known: [(unit: String, en: String)] = [
        ("件", "items"), ("人", "persons"), ("通", "letters"), ("枚", "sheets"), ("世帯", "households"), ("冊", "volumes"),
        ("台", "devices"),
    ]
    /// The longest free-text unit, in characters.
    public static let maxLength = 16
    /// 件: the unit of a count that names none.
    public static let items = CountUnit(unchecked: "件")

    public let text: String

    init(unchecked text: String) { self.text = text }

    /// A unit from its text: one line, 1 to `maxLength` characters, no control or bidi characters.
    public init?(_ text: String) {
        let t = text.trimmingWhitespace()
        guard !t.isEmpty, t.count <= Self.maxLength,
            t.unicodeScalars.allSatisfy({ FieldReader.allowedInText($0, multiLine: false, stored: false) })
        else { return nil }
        self.text = t
    }

    /// The English word for a known unit; the unit itself otherwise.
    public var english: String { Self.known.first { $0.unit == text }?.en ?? text }
}

extension FieldReader {
    /// An optional `count_unit`-like member: a `CountUnit`, or nil when absent or null.
    public func optionalUnit(_ key: String) throws(ValidationError) -> CountUnit? {
        guard let v = object[key], !v.isNull else { return nil }
        guard case .string(let s) = v else { throw wrongType(key, expected: "a unit such as 件, 人, 通, 枚 or 世帯", got: v) }
        guard let unit = CountUnit(s) else {
            throw ValidationError(
                .invalidValue, field: name(key),
                "\(name(key)) must be a unit of 1 to \(CountUnit.maxLength) characters on one line (件, 人, 通, 枚, 世帯, 冊, 台 or your own word)",
                ja: "\(name(key)) は1〜\(CountUnit.maxLength)文字の単位です（件、人、通、枚、世帯、冊、台、または任意の語）")
        }
        return unit
    }
}

extension FieldReader {
    /// `assets`: an array of distinct ledger entry ids (`L-0003`), at most `Report.maxAssets`.
    func optionalAssets(_ key: String) throws(ValidationError) -> [String] {
        guard let v = object[key], !v.isNull else { return [] }
        guard case .array(let items) = v else {
            throw wrongType(key, expected: "an array of ledger entry ids such as [\"L-0003\"]", got: v)
        }
        if items.count > Report.maxAssets {
            throw ValidationError(
                .invalidValue, field: name(key), "\(name(key)) names at most \(Report.maxAssets) ledger entries, not \(items.count)",
                ja: "\(name(key)) に指定できる台帳の項目は最大\(Report.maxAssets)件です")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let id) = item, LedgerID.parse(id) != nil else {
                throw ValidationError(
                    .invalidValue, field: "\(name(key))[\(i)]",
                    "\(name(key))[\(i)] must be a ledger entry id such as L-0003, not \(TerminalSafe.bounded(item.stringValue ?? item.typeName))",
                    ja: "\(name(key))[\(i)] は L-0003 の形式の台帳番号です")
            }
            if !out.contains(id) { out.append(id) }
        }
        return out
    }
}
