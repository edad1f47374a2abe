/// The person who reports, as they declare themselves (not verified; the verified Unix identity
/// is in `PeerIdentity`).
public struct Reporter: Sendable, Hashable {
    public var name: String?
    public var organization: String?
    public var contact: String?

    public init(name: String? = nil, organization: String? = nil, contact: String? = nil) {
        (self.name, self.organization, self.contact) = (name, organization, contact)
    }

    public var json: JSONValue {
        ["name": .optional(name), "organization": .optional(organization), "contact": .optional(contact)]
    }

    public var isEmpty: Bool { name == nil && organization == nil && contact == nil }
}

/// The Unix identity of a peer, taken from the kernel (SO_PEERCRED for the socket, the file
/// owner for the spool), never from what the peer says.
public struct PeerIdentity: Sendable, Hashable {
    public var uid: UInt32
    public var gid: UInt32
    public var pid: Int32
    /// The user name for `uid`, when the system knows one.
    public var user: String?
    /// The names of the groups the user belongs to (for roles); resolved once per connection,
    /// not recorded in events.
    public var groups: [String]

    public init(uid: UInt32, gid: UInt32, pid: Int32, user: String?, groups: [String] = []) {
        (self.uid, self.gid, self.pid, self.user, self.groups) = (uid, gid, pid, user, groups)
    }

    public var json: JSONValue {
        ["uid": .int(Int64(uid)), "gid": .int(Int64(gid)), "pid": .int(Int64(pid)), "user": .optional(user)]
    }

    public init?(json: JSONValue) {
        guard let uid = json["uid"]?.intValue, let gid = json["gid"]?.intValue, let pid = json["pid"]?.intValue
        else { return nil }
        self.init(
            uid: UInt32(truncatingIfNeeded: uid), gid: UInt32(truncatingIfNeeded: gid), pid: Int32(truncatingIfNeeded: pid),
            user: json["user"]?.stringValue)
    }
}
