/// The playbooks in force: which one a new case gets.
public struct PlaybookSet: Sendable {
    public struct Entry: Sendable {
        /// Where it was read from (shown in messages).
        public let file: String
        public let playbook: Playbook
        /// `playbook.hash` and the canonical JSON it hashes, computed once when the set is
        /// loaded rather than for every case opened.
        public let hash: String
        public let body: String

        public init(file: String, playbook: Playbook) {
            (self.file, self.playbook) = (file, playbook)
            body = playbook.json.canonicalString
            hash = playbook.hash
        }
    }

    public let entries: [Entry]

    public static let empty = PlaybookSet(checked: [])

    init(checked entries: [Entry]) { self.entries = entries }

    /// Checks the set as a whole: playbook names are unique, and no two playbooks apply to the
    /// same kind unconditionally at the same priority (which would make the choice arbitrary).
    public init(_ entries: [Entry]) throws(PlaybookSetError) {
        var seen: [String: String] = [:]
        for e in entries {
            if let other = seen[e.playbook.id] {
                throw PlaybookSetError(file: e.file, message: "the playbook name \"\(e.playbook.id)\" is already used by \(other)")
            }
            seen[e.playbook.id] = e.file
        }
        for (i, a) in entries.enumerated() where a.playbook.when == nil {
            for b in entries[(i + 1)...] where b.playbook.when == nil && b.playbook.priority == a.playbook.priority {
                if let kind = a.playbook.kinds.first(where: b.playbook.kinds.contains) {
                    throw PlaybookSetError(
                        file: b.file,
                        message:
                            "\(a.file) and \(b.file) both apply to every \(kind.rawValue) case at priority \(a.playbook.priority); give one a higher priority or a when condition"
                    )
                }
            }
        }
        self.entries = entries
    }

    /// The playbook for a case: among those that apply, the highest priority; then the one
    /// with a `when` condition (the more specific); then by file name.
    public func select(for c: Case) -> Entry? {
        entries.filter { $0.playbook.applies(to: c) }.min { a, b in
            if a.playbook.priority != b.playbook.priority { return a.playbook.priority > b.playbook.priority }
            if (a.playbook.when == nil) != (b.playbook.when == nil) { return a.playbook.when != nil }
            return a.file < b.file
        }
    }

    /// The kinds without any playbook.
    public var uncoveredKinds: [IncidentKind] {
        IncidentKind.allCases.filter { k in !entries.contains { $0.playbook.kinds.contains(k) && $0.playbook.when == nil } }
    }
}

/// A problem of the playbook set as a whole (not of one file's content).
public struct PlaybookSetError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}
