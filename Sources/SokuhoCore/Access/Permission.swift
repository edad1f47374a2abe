/// The decision on one request: which role allows it, or why not. Derived from
/// `ControlOperation.access`, the one table of who may do what.
public enum Permission {
    public enum Decision: Sendable, Equatable {
        case allowed(as: Role)
        /// Allowed, but only for cases (and spool files) the peer reported itself.
        case allowedOwnCasesOnly(as: Role)
        /// `status` for a peer without a role: their identity and roles, nothing about the store.
        case identityOnly
        case denied(reason: String)
    }

    /// Decides `op` for a peer holding `roles`.
    public static func decide(_ op: ControlOperation, roles: Set<Role>) -> Decision {
        if roles.contains(.admin) { return .allowed(as: .admin) }
        switch op.access {
        case .anyone:
            if let best = roles.max() { return .allowed(as: best) }
            return .identityOnly
        case .anyRole:
            if let best = roles.max() { return .allowed(as: best) }
        case .reporters:
            if let r = roles.filter({ $0 != .auditor }).max() { return .allowed(as: r) }
        case .readers:
            if let r = roles.filter({ $0 != .reporter }).max() { return .allowed(as: r) }
            if roles.contains(.reporter) { return .allowedOwnCasesOnly(as: .reporter) }
        case .overseers:
            if let r = roles.filter({ $0 != .reporter }).max() { return .allowed(as: r) }
        case .leads:
            if roles.contains(.lead) { return .allowed(as: .lead) }
        }
        return .denied(reason: op.refusal)
    }

    /// Decides an op by name; unknown names are denied.
    public static func decide(op: String, roles: Set<Role>) -> Decision {
        guard let o = ControlOperation(rawValue: op) else { return .denied(reason: "unknown operation") }
        return decide(o, roles: roles)
    }
}
