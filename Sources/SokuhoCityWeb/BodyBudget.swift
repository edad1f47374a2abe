import Synchronization

/// Bounds the webhook bodies held in memory at once, over all connections.
///
/// Contract: a body is read only after `reserve` granted its size (the declared
/// `Content-Length`, or the 1 MiB cap when none is declared); while `limit` bytes are reserved, a
/// new webhook is answered 503 with `Retry-After` unread, and the contractor's `sokuhod` retries.
/// So hundreds of connections each announcing a 1 MiB body cost at most `limit` of memory, not
/// hundreds of MiB.
final class BodyBudget: Sendable {
    let limit: Int
    private let reserved = Atomic<Int>(0)

    init(limit: Int = 32 << 20) { self.limit = limit }

    func reserve(_ bytes: Int) -> Bool {
        while true {
            let now = reserved.load(ordering: .acquiring)
            if now + bytes > limit { return false }
            if reserved.compareExchange(expected: now, desired: now + bytes, ordering: .acquiringAndReleasing).exchanged { return true }
        }
    }

    func release(_ bytes: Int) { reserved.subtract(bytes, ordering: .releasing) }
}
