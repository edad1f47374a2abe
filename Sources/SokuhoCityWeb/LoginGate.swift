import Synchronization

/// Bounds the password checks of the inbox's login form.
///
/// Contract: at most `limit` checks wait or run at once (bcrypt, one at a time, about a quarter
/// of a second each); a login beyond that is answered at once with 503 and `Retry-After`, without
/// a check. A flood of logins therefore costs the attacker's requests, not memory or a queue
/// of minutes that a member of staff would have to wait behind.
final class LoginGate: Sendable {
    let limit: Int
    private let pending = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)

    init(limit: Int = 8) { self.limit = limit }

    /// Takes a place, or returns false when `limit` checks are already waiting or running.
    func enter() -> Bool {
        while true {
            let now = pending.load(ordering: .acquiring)
            if now >= limit { return false }
            if pending.compareExchange(expected: now, desired: now + 1, ordering: .acquiringAndReleasing).exchanged { return true }
        }
    }

    func leave() { pending.subtract(1, ordering: .releasing) }

    /// Counts a refusal; true for the first and every 1,000th, which are worth a log line (a
    /// flood must not flood the log).
    func countRefusal() -> Bool { refused.add(1, ordering: .relaxed).newValue % 1000 == 1 }
}
