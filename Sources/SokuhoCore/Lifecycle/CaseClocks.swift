import Foundation

/// The deadlines a case runs against, counted from discovery (`docs/walkthrough.md`). Defaults,
/// not hard-coded law: every figure is a setting (`clocks.*`).
public struct ClockSettings: Sendable, Equatable {
    /// The first report must be *delivered* to the city by then (it is sent automatically, so
    /// this catches delivery failure). Default 15 minutes.
    public var firstReport: Double = 15 * 60
    /// 速報: the preliminary report with the items known so far. Default 3 days.
    public var preliminary: Double = 3 * 86400
    /// 確報: the confirmed report with all nine items. Default 30 days…
    public var confirmed: Double = 30 * 86400
    /// …and 60 days where malicious intent is suspected.
    public var confirmedMalicious: Double = 60 * 86400
    /// An optional GDPR Art. 33 profile: 72 hours, met by the preliminary report.
    public var gdpr: Double?
    /// Persons above which a public body reports to the national commission (100).
    public var personsThreshold: Int64 = 100

    public init() {}
}

/// One deadline of one case.
public struct CaseClock: Sendable, Hashable {
    public enum Name: String, Sendable, CaseIterable {
        case firstReport = "first_report"
        case preliminary
        case confirmed
        case gdpr = "gdpr_72h"

        public var ja: String {
            switch self {
            case .firstReport: "第一報の到達"
            case .preliminary: "速報"
            case .confirmed: "確報"
            case .gdpr: "GDPR 72時間"
            }
        }

        public var en: String {
            switch self {
            case .firstReport: "first report delivered"
            case .preliminary: "preliminary report"
            case .confirmed: "confirmed report"
            case .gdpr: "GDPR 72 hours"
            }
        }
    }

    public enum State: String, Sendable {
        case pending, met
        case metLate = "met_late"
        case missed
        case notRequired = "not_required"
    }

    public var name: Name
    public var dueAt: Double
    public var state: State
    public var metAt: Double?

    public var json: JSONValue {
        [
            "clock": .string(name.rawValue), "title": ["ja": .string(name.ja), "en": .string(name.en)],
            "due_at": .string(Timestamp.format(Date(timeIntervalSince1970: dueAt))), "state": .string(state.rawValue),
            "met_at": metAt.map { .string(Timestamp.format(Date(timeIntervalSince1970: $0))) } ?? .null,
        ]
    }
}

public enum CaseClocks {
    /// When the case's clocks start: `discovered_at`, else the time of receipt.
    public static func start(_ c: Case) -> Double {
        (c.report.discoveredAt.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp(rfc3339: c.reportedAt))?.epochSeconds ?? 0
    }

    /// - Parameter firstReportDeliveredAt: when the city's endpoint acknowledged `incident.opened`.
    public static func evaluate(_ c: Case, settings s: ClockSettings, firstReportDeliveredAt: Double?, now: Double) -> [CaseClock] {
        let t0 = start(c)
        let falsePositive = c.resolution == .falsePositive
        func clock(_ name: Name, _ due: Double, metAt: Double?, optional: Bool) -> CaseClock {
            let state: CaseClock.State
            if let m = metAt {
                state = m <= due ? .met : .metLate
            } else if optional && falsePositive {
                state = .notRequired
            } else if now > due {
                state = .missed
            } else {
                state = .pending
            }
            return CaseClock(name: name, dueAt: due, state: state, metAt: metAt)
        }
        typealias Name = CaseClock.Name
        let preliminaryAt = c.submitted["preliminary"].flatMap(Timestamp.init(rfc3339:))?.epochSeconds
        let confirmedAt = c.submitted["confirmed"].flatMap(Timestamp.init(rfc3339:))?.epochSeconds
        var clocks = [
            clock(.firstReport, t0 + s.firstReport, metAt: firstReportDeliveredAt, optional: false),
            clock(.preliminary, t0 + s.preliminary, metAt: preliminaryAt ?? confirmedAt, optional: true),
            clock(.confirmed, t0 + (c.appi.malicious == true ? s.confirmedMalicious : s.confirmed), metAt: confirmedAt, optional: true),
        ]
        if let g = s.gdpr { clocks.append(clock(.gdpr, t0 + g, metAt: preliminaryAt ?? confirmedAt, optional: true)) }
        return clocks
    }

    /// Missed clocks not yet recorded as missed (each raises one alarm). A clock already past
    /// due when the report arrived (a late report, or a record of an old incident) is shown as
    /// missed but raises no alarm of its own: the first report already tells the city when the
    /// incident was discovered and when it was reported.
    public static func newlyMissed(_ clocks: [CaseClock], case c: Case) -> [CaseClock] {
        let received = Timestamp(rfc3339: c.reportedAt)?.epochSeconds ?? 0
        return clocks.filter { $0.state == .missed && $0.dueAt > received && !c.clocksMissed.contains($0.name.rawValue) }
    }

    /// The next time a pending clock falls due.
    public static func nextDue(_ clocks: [CaseClock], now: Double) -> Double? {
        clocks.filter { $0.state == .pending && $0.dueAt > now }.map(\.dueAt).min()
    }
}
