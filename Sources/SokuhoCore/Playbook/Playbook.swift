import Crypto

/// A playbook: for the incident kinds it applies to, the steps a security lead follows, in
/// order, with deadlines, and the steps the daemon performs itself (`docs/playbooks.md`).
///
/// A value is always valid: built only by `Playbook.parse(_:)`, which checks keys, types,
/// durations, conditions, references between steps and cycles.
public struct Playbook: Sendable, Hashable {
    /// Names the playbook (`leak`, `leak-large`); letters, digits, `-`, `_`.
    public var id: String
    public var title: LocalizedText
    public var description: LocalizedText?
    /// The incident kinds it applies to.
    public var kinds: [IncidentKind]
    /// A further condition on the case for it to apply.
    public var when: Condition?
    /// Among playbooks that apply, the highest priority wins.
    public var priority: Int
    public var steps: [Step]

    public enum StepType: String, Sendable, Hashable, CaseIterable {
        /// Done by a person, marked with `sokuho step done`.
        case manual
        /// Done by the daemon, exactly once, when the step is ready.
        case auto
    }

    /// What an automatic step does.
    public enum Action: Sendable, Hashable {
        /// Sends a message of this type (`incident.…`) to the city's endpoints.
        case notifyCity(event: String)
        /// Sends an `incident.step_notice` to an endpoint (default: `playbooks.notify`).
        case notify(endpoint: String?)
        /// At the step's due time, reminds (log and the `playbooks.notify` endpoint).
        case remind
    }

    /// What a due time counts from.
    public enum Anchor: Sendable, Hashable {
        /// `discovered_at` of the report (the time of receipt when not given).
        case discovery
        /// When the daemon received the report.
        case report
        /// When this other step was done or skipped.
        case step(String)
    }

    public struct Due: Sendable, Hashable {
        public var seconds: Double
        public var from: Anchor
    }

    public struct Step: Sendable, Hashable {
        public var id: String
        public var title: LocalizedText
        public var guide: LocalizedText
        public var type: StepType
        public var action: Action?
        /// Steps that must be done (or skipped, or not apply) before this one is ready.
        public var after: [String]
        public var due: Due?
        /// Who performs it (manual steps): usually `lead`.
        public var role: Role
        /// Blocks closure until done or skipped with a reason.
        public var mandatory: Bool
        /// The step applies only while this holds.
        public var when: Condition?
    }

    /// The step with this id.
    public func step(_ id: String) -> Step? { steps.first { $0.id == id } }

    /// Whether this playbook applies to a case of this kind with these facts.
    public func applies(to c: Case) -> Bool {
        kinds.contains(c.report.kind) && (when?.holds(for: c) ?? true)
    }

    /// SHA-256 of the canonical JSON: the version a case keeps. Comments and layout of the file
    /// do not change it; any change of meaning does.
    public var hash: String {
        Hex.encode(SHA256.hash(data: json.canonicalBytes))
    }
}
