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
