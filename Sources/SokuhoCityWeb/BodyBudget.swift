import NIOCore
import Synchronization

/// Bounds the webhook bodies held in memory at once, over all connections, without letting
/// slow bodies hold it.
///
/// Contract:
/// - a body is read only after `reserve` granted its size (the declared `Content-Length`, or the
///   1 MiB cap when none is declared); so hundreds of connections each announcing a 1 MiB body
///   cost at most about `limit` of memory;
/// - when `limit` is reserved, the body arriving slowest — under `minRate` bytes a second, after
///   at least `minAge` — is cut off (its connection closed) to make room: a client that trickles
///   bodies cannot hold the budget against a contractor whose message arrives now;
/// - only when every body being read arrives fast is a new one refused (`reserve` returns nil:
///   503 with `Retry-After`, unread), and the contractor's `sokuhod` retries.
final class BodyBudget: Sendable {
    let limit: Int
    let minRate: Double
    let minAge: Duration

    private struct Holder {
        var bytes: Int
        var received = 0
        let since: ContinuousClock.Instant
        let channel: any Channel
    }
    private struct State {
        var reserved = 0
        var next = 0
        var holders: [Int: Holder] = [:]
    }
    private let state = Mutex(State())

    init(limit: Int = 32 << 20, minRate: Double = 256 * 1024, minAge: Duration = .milliseconds(250)) {
        (self.limit, self.minRate, self.minAge) = (limit, minRate, minAge)
    }

    /// A ticket for `bytes` of body read on `channel`, or nil when the budget is in use by bodies
    /// that all arrive fast.
    func reserve(_ bytes: Int, channel: any Channel) -> Int? {
        let now = ContinuousClock.now
        let (ticket, victims): (Int?, [any Channel]) = state.withLock { s in
            var victims: [any Channel] = []
            while s.reserved + bytes > limit {
                // The slowest body that has had time to show its rate.
                let slow = s.holders.compactMap { id, h -> (Int, Double)? in
                    let age = now - h.since
                    guard age >= minAge else { return nil }
                    let seconds = Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18
                    let rate = Double(h.received) / seconds
                    return rate < minRate ? (id, rate) : nil
                }.min { $0.1 < $1.1 }
                guard let (id, _) = slow, let victim = s.holders.removeValue(forKey: id) else { return (nil, victims) }
                s.reserved -= victim.bytes
                victims.append(victim.channel)
            }
            s.next += 1
            s.reserved += bytes
            s.holders[s.next] = Holder(bytes: bytes, since: now, channel: channel)
            return (s.next, victims)
        }
        for v in victims { v.close(promise: nil) }
        return ticket
    }

    /// How much of the ticket's body has arrived.
    func progress(_ ticket: Int, received: Int) {
        state.withLock { s in s.holders[ticket]?.received = received }
    }

    /// Frees the ticket's share (a no-op for a body that was cut off: its share is free already).
    func release(_ ticket: Int) {
        state.withLock { s in
            if let h = s.holders.removeValue(forKey: ticket) { s.reserved -= h.bytes }
        }
    }
}
