/// What a peer may do, decided from its Unix identity.
public enum Role: String, Sendable, CaseIterable, Comparable {
    /// May report, and read the cases they reported.
    case reporter
    /// May read and verify everything.
    case auditor
    /// May do every case operation.
    case lead
    /// Root and the daemon's own user.
    case admin

    private var rank: Int {
        switch self {
        case .reporter: 0
        case .auditor: 1
        case .lead: 2
        case .admin: 3
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// Who holds which role: lists of Unix user and group names (or `*` for everyone).
public struct RolePolicy: Sendable, Hashable {
    public struct Members: Sendable, Hashable {
        public var users: [String]
        public var groups: [String]
        public init(users: [String] = [], groups: [String] = []) { (self.users, self.groups) = (users, groups) }

        func contains(user: String?, uid: UInt32, groups memberOf: [String]) -> Bool {
            if users.contains("*") || groups.contains("*") { return true }
            if let user, users.contains(user) { return true }
            if users.contains(String(uid)) { return true }
            return groups.contains(where: memberOf.contains)
        }
    }

    public var reporter: Members
    public var lead: Members
    public var auditor: Members

    public init(reporter: Members = .init(), lead: Members = .init(), auditor: Members = .init()) {
        self.reporter = reporter
        self.lead = lead
        self.auditor = auditor
    }

    /// The roles a peer holds. `daemonUID` and root are admins.
    public func roles(uid: UInt32, user: String?, groups: [String], daemonUID: UInt32) -> Set<Role> {
        if uid == 0 || uid == daemonUID { return [.admin, .lead, .auditor, .reporter] }
        var r: Set<Role> = []
        if lead.contains(user: user, uid: uid, groups: groups) { r.insert(.lead) }
        if auditor.contains(user: user, uid: uid, groups: groups) { r.insert(.auditor) }
        if reporter.contains(user: user, uid: uid, groups: groups) { r.insert(.reporter) }
        return r
    }
}
