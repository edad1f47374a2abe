extension Report {
    /// Limits that keep one report within reason. A socket line is at most 1 MiB anyway.
    public static let maxTextLength = 65_536
    public static let maxReportIDLength = 200

    /// Validates a report object as received on the socket or in a spool file.
    ///
    /// Throws the first problem found, naming the field. Order: unknown keys first (with a
    /// suggestion for near misses), then each field in table order.
    ///
    /// Texts follow the rules of `FieldReader`: no control characters (newline and tab only in
    /// multi-line texts, `report_id` is one line), no DEL, C1 or bidi controls. `stored: true`
    /// re-reads a report as it was stored (replaying events), with the rules of its time, so a
    /// case recorded before the rules were tightened still opens.
    public static func validate(_ value: JSONValue, stored: Bool = false) throws(ValidationError) -> Report {
        guard case .object(let object) = value else {
            throw ValidationError(
                .wrongType, field: "report", "the report must be a JSON object, not \(value.typeName)",
                ja: "報告はJSONオブジェクトでなければなりません（\(value.typeName)が渡されました）")
        }
        try FieldReader.rejectUnknownKeys(object, allowed: fieldNames, context: nil)
        let r = FieldReader(object: object, prefix: "", stored: stored)
        let kind = try r.requiredEnum("kind", IncidentKind.self)
        let suspected = try r.optionalBool("suspected") ?? false
        let assets = try r.optionalAssets("assets")
        // With ledger entries named, the information may be left to them (`CaseStore` fills it
        // from the entries for a lead; a reporter must still say it).
        let information = assets.isEmpty || object["information"].map({ !$0.isNull }) == true ? try r.requiredText("information") : ""
        let count = try r.optionalCount("count")
        let precision = try r.optionalEnum("count_precision", CountPrecision.self)
        if count == nil, precision != nil {
            throw ValidationError(
                .invalidValue, field: "count_precision",
                "count_precision needs a count; leave both out (or count null) while the count is unknown",
                ja: "count_precision には件数（count）が必要です。件数が不明な間は両方とも省略してください")
        }
        let unit = try r.optionalUnit("count_unit")
        let location = try r.requiredText("location")
        let circumstances = try r.requiredText("circumstances")
        let occurredAt = try r.optionalTimestamp("occurred_at")
        let discoveredAt = try r.optionalTimestamp("discovered_at")
        let reporter = try r.optionalReporter("reporter")
        let subcontractor = try r.optionalText("subcontractor")
        let reportID =
            try stored
            ? r.optionalText("report_id", maxLength: maxReportIDLength)
            : r.optionalLine("report_id", maxLength: maxReportIDLength)
        var report = Report(
            kind: kind, suspected: suspected, information: information, count: count, countPrecision: precision,
            location: location, circumstances: circumstances, occurredAt: occurredAt, discoveredAt: discoveredAt,
            reporter: reporter, subcontractor: subcontractor, reportID: reportID)
        report.countUnit = unit
        report.assets = assets
        return report
    }
}
