import Synchronization

/// Wakes a worker early (the delivery worker when a message is queued, the playbook runner when a
/// case changes), or when shutdown begins.
///
/// Contract: `signal()` wakes the current `wait`, or — when nobody waits — makes the next `wait`
/// return at once (one pending wake-up, never more). A `wait` that ends by its timeout or by
/// cancellation leaves nothing pending, so an idle worker sleeps for its whole timeout.
/// `signals` counts the calls of `signal()`; `nudge()` wakes the same way without counting, so a
/// worker can tell "something changed in the store" from "look at what was handed to you".
public final class Wakeup: Sendable {
    private struct State {
        var pending = false
        var signals: UInt64 = 0
        /// The current waiter and the number of its `wait` call.
        var waiter: (ticket: UInt64, continuation: CheckedContinuation<Void, Never>)?
        /// The `wait` call whose timer fired before its waiter was installed.
        var expired: UInt64?
        var nextTicket: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many times `signal()` was called.
    var signals: UInt64 { state.withLock { $0.signals } }

    /// Wakes the waiter now, or the next wait at once.
    public func signal() { wake(counting: true) }

    /// Wakes like `signal()`, without counting in `signals`.
    func nudge() { wake(counting: false) }

    private func wake(counting: Bool) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if counting { s.signals &+= 1 }
            if let w = s.waiter {
                s.waiter = nil
                return w.continuation
            }
            s.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Ends the wait numbered `ticket` (its timeout passed or its task was cancelled), and only
    /// that one: it never leaves a wake-up pending for a later wait.
    private func expire(_ ticket: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiter, w.ticket == ticket {
                s.waiter = nil
                return w.continuation
            }
            s.expired = ticket
            return nil
        }
        waiter?.resume()
    }

    /// Waits for a signal, `timeout`, or cancellation, whichever comes first.
    public func wait(timeout: Duration) async {
        let ticket = state.withLock { s -> UInt64 in
            s.nextTicket &+= 1
            return s.nextTicket
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Also when cancelled (shutdown, or the wait already ended): `expire` resumes
                // this wait's waiter only, if it still waits.
                try? await Task.sleep(for: timeout)
                self.expire(ticket)
            }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.pending {
                        s.pending = false
                        return true
                    }
                    if s.expired == ticket { return true }
                    s.waiter = (ticket, c)
                    return false
                }
                if resumeNow { c.resume() }
            }
            group.cancelAll()
        }
    }
}
