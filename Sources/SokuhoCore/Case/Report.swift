/// A validated report: what a member of staff tells Sokuho when they suspect an incident.
///
/// Built only by `Report.validate(_:)`, so every `Report` value satisfies the rules in
/// `docs/report-format.md`: required fields present and non-empty, types right, no unknown keys.
public struct Report: Sendable, Hashable {
    public var kind: IncidentKind
    public var suspected: Bool
    public var information: String
    /// `nil` means the count is not known yet.
    public var count: Int64?
    /// Set whenever `count` is set (default `.exact`); `nil` when the count is unknown.
    public var countPrecision: CountPrecision?
    /// The unit of `count` (件 when nil: reports made before units existed read the same).
    public var countUnit: CountUnit?
    /// Ledger entries (`L-0003`) the lost or leaked information is recorded under.
    public var assets: [String] = []
    public var location: String
    public var circumstances: String
    public var occurredAt: String?
    public var discoveredAt: String?
    public var reporter: Reporter?
    public var subcontractor: String?
    public var reportID: String?

    public init(
        kind: IncidentKind, suspected: Bool = false, information: String, count: Int64? = nil,
        countPrecision: CountPrecision? = nil, location: String, circumstances: String,
        occurredAt: String? = nil, discoveredAt: String? = nil, reporter: Reporter? = nil,
        subcontractor: String? = nil, reportID: String? = nil
    ) {
        self.kind = kind
        self.suspected = suspected
        self.information = information
        self.count = count
        self.countPrecision = count == nil ? nil : (countPrecision ?? .exact)
        self.location = location
        self.circumstances = circumstances
        self.occurredAt = occurredAt
        self.discoveredAt = discoveredAt
        self.reporter = reporter
        self.subcontractor = subcontractor
        self.reportID = reportID
    }

    /// The report as recorded on receipt: `discovered_at` defaults to the time of receipt.
    /// Every channel (socket, spool) opens cases through this one rule.
    public func received(at time: String) -> Report {
        var r = self
        if r.discoveredAt == nil { r.discoveredAt = time }
        return r
    }

    /// The report fields, in their JSON names.
    public static let fieldNames: [String] = [
        "kind", "suspected", "information", "count", "count_precision", "location", "circumstances",
        "occurred_at", "discovered_at", "reporter", "subcontractor", "report_id", "count_unit", "assets",
    ]

    /// The unit the count is in: `count_unit`, or 件.
    public var unit: CountUnit { countUnit ?? .items }

    /// At most this many ledger entries per report.
    public static let maxAssets = 32

    /// The fields that must be present and non-empty.
    public static let requiredFields: [String] = ["kind", "information", "location", "circumstances"]

    /// The keys of the `reporter` object.
    public static let reporterFieldNames: [String] = ["name", "organization", "contact"]

    /// The report as JSON (absent optional values as `null`; `count_unit` and `assets` only
    /// when given, so reports stored before they existed read back byte for byte).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "kind": .string(kind.rawValue),
            "suspected": .bool(suspected),
            "information": .string(information),
            "count": .optional(count),
            "count_precision": .optional(countPrecision?.rawValue),
            "location": .string(location),
            "circumstances": .string(circumstances),
            "occurred_at": .optional(occurredAt),
            "discovered_at": .optional(discoveredAt),
            "reporter": reporter?.json ?? .null,
            "subcontractor": .optional(subcontractor),
            "report_id": .optional(reportID),
        ]
        if let countUnit { o["count_unit"] = .string(countUnit.text) }
        if !assets.isEmpty { o["assets"] = .array(assets.map { .string($0) }) }
        return .object(o)
    }
}
