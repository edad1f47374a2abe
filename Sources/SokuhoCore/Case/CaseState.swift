/// The lifecycle state of a case: `open` → `contained` → `resolved` → `closed`, with reopening.
/// Transitions are checked in one place (`CaseLifecycle`) and applied as `case.transitioned`
/// events in `Case+Events.swift` only.
public enum CaseState: String, Sendable, CaseIterable, Codable {
    /// Reported; being handled.
    case open
    /// The spread is stopped (封じ込め済み).
    case contained
    /// Handled: the facts are established, or the suspicion proved unfounded (`false_positive`).
    case resolved
    /// Closed: every closure gate was met and the final report was queued.
    case closed

    public var japanese: String {
        switch self {
        case .open: "対応中"
        case .contained: "封じ込め済み"
        case .resolved: "解決"
        case .closed: "完了"
        }
    }
}

/// How a resolved case ended.
public enum Resolution: String, Sendable, CaseIterable, Codable {
    /// The incident happened (or may have) and was handled.
    case incident
    /// The suspicion proved unfounded (誤検知).
    case falsePositive = "false_positive"

    public var japanese: String { self == .incident ? "事故として対応" : "事故ではなかった（誤検知）" }
}
