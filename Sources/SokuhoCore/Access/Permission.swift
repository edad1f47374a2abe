/// The decision on one request: which role allows it, or why not.
public enum Permission {
    public enum Decision: Sendable, Equatable {
        case allowed(as: Role)
        /// Allowed, but only for cases (and spool files) the peer reported itself.
        case allowedOwnCasesOnly(as: Role)
        case denied(reason: String)
    }

    /// Decides `op` for a peer holding `roles`. Ops: see `docs/protocol.md`.
    public static func decide(op: String, roles: Set<Role>) -> Decision {
        let best = roles.max()
        switch op {
        case "status":
            return .allowed(as: best ?? .reporter)
        case "report":
            if let r = roles.filter({ $0 != .auditor }).max() { return .allowed(as: r) }
            return .denied(reason: "reporting needs the reporter, lead or admin role")
        case "playbook.list":
            return .allowed(as: best ?? .reporter)
        case "status.report":
            if let r = roles.filter({ $0 != .reporter }).max() { return .allowed(as: r) }
            return .denied(reason: "the status report needs the auditor, lead or admin role")
        case "case.get", "case.list", "case.steps", "case.gates", "case.report":
            if roles.contains(.admin) { return .allowed(as: .admin) }
            if roles.contains(.lead) { return .allowed(as: .lead) }
            if roles.contains(.auditor) { return .allowed(as: .auditor) }
            if roles.contains(.reporter) { return .allowedOwnCasesOnly(as: .reporter) }
            return .denied(reason: "reading cases needs the reporter, auditor, lead or admin role")
        case "spool.list":
            if let r = roles.filter({ $0 != .reporter }).max() { return .allowed(as: r) }
            if roles.contains(.reporter) { return .allowedOwnCasesOnly(as: .reporter) }
            return .denied(reason: "reading the spool needs the reporter, auditor, lead or admin role")
        case "outbox.list":
            if let r = roles.filter({ $0 != .reporter }).max() { return .allowed(as: r) }
            return .denied(reason: "reading the outbox needs the auditor, lead or admin role")
        case "case.update", "outbox.retry", "step.done", "step.skip", "case.transition", "instruction.add", "instruction.done",
             "case.publication", "case.submit":
            if roles.contains(.admin) { return .allowed(as: .admin) }
            if roles.contains(.lead) { return .allowed(as: .lead) }
            switch op {
            case "case.update": return .denied(reason: "updating a case needs the lead role")
            case "outbox.retry": return .denied(reason: "retrying deliveries needs the lead role")
            case "step.done", "step.skip": return .denied(reason: "completing or skipping playbook steps needs the lead role")
            default: return .denied(reason: "\(op) needs the lead role")
            }
        default:
            return .denied(reason: "unknown operation")
        }
    }
}
