/// Reading the ledger's members and a report's `count_unit` and `assets`.
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
                    "\(name(key))[\(i)] must be a ledger entry id such as L-0003, not \(TerminalSafe.quoted(item.stringValue ?? item.typeName))",
                    ja: "\(name(key))[\(i)] は L-0003 の形式の台帳番号です")
            }
            if !out.contains(id) { out.append(id) }
        }
        return out
    }
}

extension FieldReader {
    /// A required one-line text.
    public func requiredLine(_ key: String, maxLength: Int) throws(ValidationError) -> String {
        guard let s = try optionalLine(key, maxLength: maxLength) else {
            throw ValidationError(.missingField, field: name(key), "\(name(key)) is required", ja: "\(name(key)) は必須です")
        }
        if s.trimmingWhitespace().isEmpty {
            throw ValidationError(.emptyField, field: name(key), "\(name(key)) is empty", ja: "\(name(key)) が空です")
        }
        return s
    }

    /// An optional array of one-line texts (absent or null: empty).
    public func optionalLines(_ key: String, maxCount: Int, maxLength: Int) throws(ValidationError) -> [String] {
        guard let v = object[key], !v.isNull else { return [] }
        guard case .array(let items) = v else { throw wrongType(key, expected: "an array of strings", got: v) }
        if items.count > maxCount {
            throw ValidationError(
                .invalidValue, field: name(key), "\(name(key)) holds at most \(maxCount) items, not \(items.count)",
                ja: "\(name(key)) は最大\(maxCount)件です")
        }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            let r = FieldReader(object: ["\(key)[\(i)]": item], prefix: prefix, stored: stored)
            guard let s = try r.optionalLine("\(key)[\(i)]", maxLength: maxLength), !s.trimmingWhitespace().isEmpty else {
                throw ValidationError(
                    .emptyField, field: name("\(key)[\(i)]"), "\(name(key)) must not hold empty items", ja: "\(name(key)) に空の項目があります")
            }
            out.append(s)
        }
        return out
    }
}
