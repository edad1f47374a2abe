/// The one place that decides which state changes a case may make.
///
///     open ──▶ contained ──▶ resolved ──▶ closed
///       └──────────────────────▲   ▲        │
///                              └───┼────────┘ reopen (reason required) → open
///
/// - `resolved` needs a resolution: `incident` (default) or `false_positive`.
/// - `closed` is reached only from `resolved`, and only when the closure gates are met
///   (`ClosureGates`), which the daemon checks in the same transaction.
/// - Reopening (`→ open` from contained, resolved or closed) needs a reason.
public enum CaseLifecycle {
    public static let allowed: [CaseState: Set<CaseState>] = [
        .open: [.contained, .resolved],
        .contained: [.resolved, .open],
        .resolved: [.closed, .open],
        .closed: [.open],
    ]

    /// Checks a transition and returns the event to record for it.
    public static func transition(_ c: Case, to target: CaseState, reason: String?, resolution: Resolution?) throws(ValidationError)
        -> StateTransition
    {
        let from = c.state
        if from == target {
            throw ValidationError(
                .conflict, field: "to", "case \(c.id) is already \(target.rawValue)", ja: "事案 \(c.id) はすでに「\(target.japanese)」です")
        }
        guard allowed[from, default: []].contains(target) else {
            let options = allowed[from, default: []].map(\.rawValue).sorted().joined(separator: ", ")
            var en = "a case cannot go from \(from.rawValue) to \(target.rawValue); from \(from.rawValue) it can go to \(options)"
            if target == .closed { en += " (resolve it first: sokuho case resolve \(c.id))" }
            throw ValidationError(.conflict, field: "to", en, ja: "「\(from.japanese)」から「\(target.japanese)」には移れません")
        }
        if resolution != nil && target != .resolved {
            throw ValidationError(
                .invalidValue, field: "resolution", "resolution is given only when resolving", ja: "resolution は解決時にだけ指定します")
        }
        if target == .open {
            guard let reason, !reason.trimmingWhitespace().isEmpty else {
                throw ValidationError(.missingField, field: "reason", "reopening needs a reason", ja: "再開には理由（reason）が必要です")
            }
        }
        return StateTransition(from: from, to: target, reason: reason, resolution: target == .resolved ? (resolution ?? .incident) : nil)
    }

    /// The message type the city receives for a transition.
    public static func messageType(to target: CaseState) -> String {
        switch target {
        case .closed: EscalationMessage.Kind.closed.rawValue
        case .open: EscalationMessage.Kind.reopened.rawValue
        default: EscalationMessage.Kind.stateChanged.rawValue
        }
    }
}
