import SokuhoCore
import Synchronization

/// The cases most recently committed or replayed, each with the `last_seq` of its row then, so a
/// look at a case that just changed needs no replay of its events (`CaseStore.caseForLook`).
///
/// Contract: an entry is only remembered after its transaction committed (or as read from a
/// committed snapshot), and it is only used when the case row still has the same `last_seq`:
/// every committed change of a case moves `last_seq`, so a stale entry is never returned. At most
/// `capacity` entries are kept; when full, an arbitrary one makes room; `clear` empties it.
final class RecentCases: Sendable {
    /// Enough for the cases changed in one round of work; a report may hold up to about half a
    /// MiB of text, so this bounds the memory to tens of MiB, given back when quiet (`clear`).
    static let capacity = 64

    private let entries = Mutex<[String: (lastSeq: Int64, value: Case)]>([:])

    /// Remembers `c` as it is at `lastSeq`.
    func remember(_ c: Case, lastSeq: Int64) {
        entries.withLock { e in
            if e[c.id] == nil, e.count >= Self.capacity, let any = e.keys.first { e[any] = nil }
            e[c.id] = (lastSeq, c)
        }
    }

    /// The case `id` as it was at `lastSeq`, when remembered at exactly that point.
    func find(_ id: String, lastSeq: Int64) -> Case? {
        entries.withLock { e in
            guard let hit = e[id], hit.lastSeq == lastSeq else { return nil }
            return hit.value
        }
    }

    var count: Int { entries.withLock { $0.count } }

    /// Forgets every case (when the daemon gives memory back while idle).
    func clear() { entries.withLock { $0 = [:] } }
}
