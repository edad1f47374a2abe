/// Counts in the unit a case or a ledger entry gives (`CountUnit`): 1,200人（概数）, 3通,
/// "about 1,200 persons", "3 letters"; a unit of the user's own words is printed as given.
extension DocumentStyle {
    public func count(_ n: Int64?, unit: CountUnit, precision: CountPrecision? = nil) -> String {
        guard let n else { return unknown }
        let figure = number(n)
        if japanese {
            switch precision {
            case .approximate?: return "\(figure)\(unit.text)（概数）"
            case .at_least?: return "\(figure)\(unit.text)以上"
            default: return "\(figure)\(unit.text)"
            }
        }
        var word = unit.english
        if n == 1, word != unit.text, word.hasSuffix("s") { word.removeLast() }
        let base = "\(figure) \(word)"
        switch precision {
        case .approximate?: return "about " + base
        case .at_least?: return "at least " + base
        default: return base
        }
    }

    /// The count of a case (or of one step of its history) from JSON: `count`,
    /// `count_precision` and `count_unit` (件 when absent).
    public func caseCount(_ c: JSONValue) -> String {
        let unit = c["count_unit"]?.stringValue.flatMap(CountUnit.init) ?? .items
        return count(c["count"]?.intValue, unit: unit, precision: c["count_precision"]?.stringValue.flatMap(CountPrecision.init(rawValue:)))
    }
}
