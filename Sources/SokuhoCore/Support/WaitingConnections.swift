import Synchronization

/// The connections of a listener and which of them wait for a request: the eviction rule the
/// HTTP listeners share (the metrics endpoint, `sokuho-city`). No I/O: a connection is an id and
/// the closure that closes it.
///
/// Contract: a connection is *waiting* from the moment it opens until it has sent a whole
/// request, and again after each answer (`setWaiting`). When `open` is called with `limit`
/// connections already open, the connection that has waited longest is removed and its closer
/// returned for the caller to run: silent and slow clients cannot keep a client that sends its
/// request at once out. When none waits (every connection is being answered), `open` says the
/// listener is full and the caller decides (refuse, or admit over the limit).
public final class WaitingConnections: Sendable {
    public let limit: Int

    public struct Admission: Sendable {
        /// Run it: the connection that waited longest, closed to make room.
        public var evict: (@Sendable () -> Void)?
        /// At the limit with no connection waiting.
        public var full: Bool
    }

    private struct State {
        var open = 0
        var next = 0
        /// Waiting connections by the order they started waiting, with their closers.
        var waiting: [ObjectIdentifier: (order: Int, close: @Sendable () -> Void)] = [:]
        var closers: [ObjectIdentifier: @Sendable () -> Void] = [:]
    }
    private let state = Mutex(State())

    public init(limit: Int) { self.limit = max(1, limit) }

    /// The connections open now, and how many of them wait (for tests and logs).
    public var counts: (open: Int, waiting: Int) { state.withLock { ($0.open, $0.waiting.count) } }

    /// Registers a new connection (waiting), evicting the longest-waiting one at the limit.
    public func open(_ id: ObjectIdentifier, close: @escaping @Sendable () -> Void) -> Admission {
        state.withLock { s in
            var admission = Admission(evict: nil, full: false)
            if s.open >= limit {
                if let oldest = s.waiting.min(by: { $0.value.order < $1.value.order }) {
                    s.waiting[oldest.key] = nil
                    admission.evict = oldest.value.close
                } else {
                    admission.full = true
                }
            }
            s.open += 1
            s.next += 1
            s.closers[id] = close
            s.waiting[id] = (s.next, close)
            return admission
        }
    }

    /// The connection has a whole request being answered (false), or waits again (true).
    public func setWaiting(_ id: ObjectIdentifier, _ waiting: Bool) {
        state.withLock { s in
            if waiting, let close = s.closers[id] {
                s.next += 1
                s.waiting[id] = (s.next, close)
            } else {
                s.waiting[id] = nil
            }
        }
    }

    /// The connection is closed.
    public func closed(_ id: ObjectIdentifier) {
        state.withLock { s in
            guard s.closers.removeValue(forKey: id) != nil else { return }
            s.open -= 1
            s.waiting[id] = nil
        }
    }
}
