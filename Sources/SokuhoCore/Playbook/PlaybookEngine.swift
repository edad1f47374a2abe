/// Where each step of a case stands: pure, with the time given (`docs/playbooks.md`).
///
/// - **not_applicable**: its `when` does not hold for the case now (it may later: conditions are
///   evaluated on the current facts).
/// - **done** / **skipped**: recorded by an event.
/// - **ready**: every step in `after` is done, skipped or not applicable.
/// - **waiting**: some step in `after` is not; `waitingOn` names them.
/// - **overdue**: ready or waiting, and its due time has passed.
public enum PlaybookEngine {
    public struct StepStatus: Sendable, Hashable {
        public enum State: String, Sendable, Hashable {
            case waiting, ready, done, skipped
            case notApplicable = "not_applicable"
        }

        public var step: Playbook.Step
        public var state: State
        public var waitingOn: [String]
        /// Seconds since the epoch; nil when it has no due time or counts from a step not yet done.
        public var dueAt: Double?
        public var overdue: Bool
        public var record: StepRecord?

        public var isOpen: Bool { state == .waiting || state == .ready }
    }

    public static func evaluate(_ playbook: Playbook, case c: Case, now: Double) -> [StepStatus] {
        let facts = Condition.facts(of: c)
        var applicable: [String: Bool] = [:]
        for s in playbook.steps { applicable[s.id] = s.when?.evaluate(facts) ?? true }
        return playbook.steps.map { s in
            let record = c.steps[s.id]
            let dueAt = dueTime(s, case: c)
            var state: StepStatus.State
            var waitingOn: [String] = []
            if record?.outcome == .done {
                state = .done
            } else if record?.outcome == .skipped {
                state = .skipped
            } else if applicable[s.id] == false {
                state = .notApplicable
            } else {
                waitingOn = s.after.filter { dep in
                    applicable[dep] != false && c.steps[dep]?.outcome == nil
                }
                state = waitingOn.isEmpty ? .ready : .waiting
            }
            let open = state == .ready || state == .waiting
            return StepStatus(
                step: s, state: state, waitingOn: waitingOn, dueAt: dueAt, overdue: open && (dueAt.map { $0 <= now } ?? false),
                record: record)
        }
    }

    /// The due time of a step for this case, if it can be known yet.
    public static func dueTime(_ s: Playbook.Step, case c: Case) -> Double? {
        guard let due = s.due else { return nil }
        let anchor: Double?
        switch due.from {
        case .discovery:
            anchor = (c.report.discoveredAt.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp(rfc3339: c.reportedAt))?.epochSeconds
        case .report: anchor = Timestamp(rfc3339: c.reportedAt)?.epochSeconds
        case .step(let id): anchor = c.steps[id]?.at.flatMap(Timestamp.init(rfc3339:))?.epochSeconds
        }
        return anchor.map { $0 + due.seconds }
    }

    /// Automatic steps to perform now: ready auto steps, and `remind` steps once their due time came.
    public static func autoStepsToRun(_ statuses: [StepStatus], now: Double) -> [StepStatus] {
        statuses.filter { st in
            guard st.state == .ready, st.step.type == .auto else { return false }
            if case .remind? = st.step.action { return st.dueAt.map { $0 <= now } ?? false }
            return true
        }
    }

    /// Overdue manual steps to remind about now: never reminded, or last reminded `every` seconds ago.
    public static func remindersDue(_ statuses: [StepStatus], now: Double, every: Double) -> [StepStatus] {
        statuses.filter { st in
            guard st.overdue, st.step.type == .manual else { return false }
            guard let last = st.record?.remindedAt.flatMap(Timestamp.init(rfc3339:))?.epochSeconds else { return true }
            return now - last >= every
        }
    }

    /// The next moment something becomes due for this case (a due time passing, a remind step,
    /// the next reminder); nil when nothing is scheduled.
    public static func nextWake(_ statuses: [StepStatus], now: Double, every: Double) -> Double? {
        var times: [Double] = []
        for st in statuses where st.isOpen {
            guard let due = st.dueAt else { continue }
            if due > now {
                times.append(due)
            } else if st.step.type == .manual {
                let last = st.record?.remindedAt.flatMap(Timestamp.init(rfc3339:))?.epochSeconds ?? due
                times.append(max(now, last + every))
            }
        }
        return times.min()
    }

    /// Mandatory steps not yet done or skipped (and applicable): what blocks closure.
    public static func unmetMandatory(_ statuses: [StepStatus]) -> [StepStatus] {
        statuses.filter { $0.step.mandatory && $0.isOpen }
    }
}
