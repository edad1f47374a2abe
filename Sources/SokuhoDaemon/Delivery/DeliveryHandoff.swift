import SokuhoStore
import Synchronization

/// Hands the messages a transaction queued straight to the delivery worker once it is committed,
/// so the worker sends them without reading them back from the outbox.
///
/// Contract:
/// - only messages that nothing can precede are taken (the first of their subject on their
///   endpoint, never attempted); for any other, `offer` signals the worker's wake-up, which makes
///   it read the outbox as before;
/// - a message is offered only after its transaction is committed (the caller's duty);
/// - a message the worker already started from the store (`claim`) is never taken again from an
///   offer, whichever comes first: the worker's reading of the outbox and an offer race.
public final class DeliveryHandoff: Sendable {
    private struct State {
        var offered: [OutboxMessage] = []
        /// Rows started from the store whose offer has not come yet, oldest first.
        var claimed: Set<Int64> = []
        var claimOrder: [Int64] = []
    }

    private let state = Mutex(State())
    let wakeup: Wakeup
    /// Claims kept at most: an offer comes right after its commit, so only a few wait at once.
    static let maxClaims = 4096

    public init(wakeup: Wakeup) {
        self.wakeup = wakeup
    }

    /// Whether `m` is taken from an offer: nothing can be due before it.
    static func takes(_ m: OutboxMessage) -> Bool {
        m.sequence == 1 && m.attempts == 0 && m.state == .pending
    }

    /// Messages just committed; wakes the worker.
    public func offer(_ messages: [OutboxMessage]) {
        guard !messages.isEmpty else { return }
        let taken = messages.filter(Self.takes)
        if !taken.isEmpty {
            state.withLock { s in
                for m in taken {
                    if s.claimed.remove(m.rowID) == nil { s.offered.append(m) }
                }
            }
        }
        if taken.count < messages.count { wakeup.signal() } else { wakeup.nudge() }
    }

    /// The messages offered since the last call.
    func take() -> [OutboxMessage] {
        state.withLock { s in
            defer { s.offered = [] }
            return s.offered
        }
    }

    /// The worker started `m` from the store: an offer of it, now or later, is dropped.
    func claim(_ m: OutboxMessage) {
        guard Self.takes(m) else { return }
        state.withLock { s in
            if let i = s.offered.firstIndex(where: { $0.rowID == m.rowID }) {
                s.offered.remove(at: i)
                return
            }
            guard s.claimed.insert(m.rowID).inserted else { return }
            s.claimOrder.append(m.rowID)
            if s.claimOrder.count > Self.maxClaims {
                let old = s.claimOrder.prefix(s.claimOrder.count - Self.maxClaims / 2)
                for id in old { s.claimed.remove(id) }
                s.claimOrder.removeFirst(old.count)
            }
        }
    }
}

/// The messages being delivered right now (so a slow endpoint never blocks other cases and a
/// message is never sent twice at once), and what the finished ones tell the worker's loop.
final class InFlight: Sendable {
    private struct State {
        var ids: Set<Int64> = []
        var finished = 0
        var rescan = false
        var gone: Set<String> = []
    }

    private let members = Mutex(State())
    var ids: Set<Int64> { members.withLock { $0.ids } }
    var count: Int { members.withLock { $0.ids.count } }
    func insert(_ id: Int64) { _ = members.withLock { $0.ids.insert(id) } }

    /// A delivery ended (its attempt is recorded). `rescan`: the outbox must be read again (the
    /// message came from it, or was not delivered); `gone`: its endpoint answered 410.
    func finish(_ id: Int64, rescan: Bool, gone: String?) {
        members.withLock { s in
            s.ids.remove(id)
            s.finished += 1
            s.rescan = s.rescan || rescan
            if let gone { s.gone.insert(gone) }
        }
    }

    /// What finished since the last call.
    func takeFinished() -> (count: Int, rescan: Bool, gone: Set<String>) {
        members.withLock { s in
            defer { (s.finished, s.rescan, s.gone) = (0, false, []) }
            return (s.finished, s.rescan, s.gone)
        }
    }
}
