import SokuhoCore

extension CaseStore {
    /// One report to open a case from, as queued for group commit.
    struct OpenRequest: Sendable {
        var report: Report
        var actor: EventActor
        var at: String
        /// `at` in seconds since the epoch: when the opening messages fall due.
        var now: Double
        var year: Int
        var source: ReportSource
        var endpoints: [String]
        var playbooks: PlaybookSet
    }
}
