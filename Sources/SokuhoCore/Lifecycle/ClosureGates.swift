/// What must hold before a case may close, each unmet gate said in plain words.
public enum ClosureGates {
    public struct Gate: Sendable, Hashable {
        public var key: String
        public var en: String
        public var ja: String
        public var json: JSONValue { ["gate": .string(key), "message": .string(en), "message_ja": .string(ja)] }
    }

    /// - Parameters:
    ///   - steps: the playbook's step statuses (nil: no playbook).
    ///   - finalReportEndpoints: where the final report would go; none means it cannot be queued.
    public static func unmet(_ c: Case, steps: [PlaybookEngine.StepStatus]?, finalReportEndpoints: [String]) -> [Gate] {
        var gates: [Gate] = []
        if c.state != .resolved {
            gates.append(
                Gate(
                    key: "resolved", en: "the case is \(c.state.rawValue), not resolved: resolve it first (sokuho case resolve \(c.id))",
                    ja: "事案が「\(c.state.japanese)」です。先に解決にしてください（sokuho case resolve \(c.id)）"))
        }
        if c.report.count == nil {
            gates.append(
                Gate(
                    key: "count", en: "the count (件数) is still unknown: sokuho case update \(c.id) --count N",
                    ja: "件数が未確定です（sokuho case update \(c.id) --count 件数）"))
        }
        let open = steps.map(PlaybookEngine.unmetMandatory) ?? []
        if !open.isEmpty {
            let ids = open.map(\.step.id).joined(separator: ", ")
            gates.append(
                Gate(
                    key: "steps", en: "mandatory steps are not done or skipped: \(ids) (sokuho steps \(c.id))",
                    ja: "必須の手順が完了・省略されていません: \(ids)（sokuho steps \(c.id)）"))
        }
        let instructions = c.instructions.filter(\.isOpen)
        if !instructions.isEmpty {
            let ids = instructions.map { "\($0.id) (\(TerminalSafe.quoted($0.text, limit: 40)))" }.joined(separator: ", ")
            gates.append(
                Gate(
                    key: "instructions",
                    en: "the city's instructions are still open: \(ids) (sokuho instruction done \(c.id) ID --response …)",
                    ja: "市の指示が未完了です: \(ids)（sokuho instruction done \(c.id) ID --response …）"))
        }
        if finalReportEndpoints.isEmpty {
            gates.append(
                Gate(
                    key: "final_report", en: "no endpoint is configured for the final report to the city (city.webhook.url)",
                    ja: "市への最終報告の送信先が設定されていません（city.webhook.url）"))
        }
        return gates
    }
}
