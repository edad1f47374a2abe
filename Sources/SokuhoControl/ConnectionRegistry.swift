import NIOCore
import Synchronization

/// Tracks open connections so that a graceful shutdown closes idle ones at once and lets busy
/// ones finish the request in hand.
final class ConnectionRegistry: Sendable {
    private struct State {
        var next = 0
        var connections: [Int: (channel: any Channel, busy: Bool)] = [:]
        var shuttingDown = false
    }

    private let state = Mutex(State())

    /// Registers a connection; `nil` when shutting down (then the caller closes it).
    func add(_ channel: any Channel) -> Int? {
        state.withLock { s in
            if s.shuttingDown { return nil }
            s.next += 1
            s.connections[s.next] = (channel, false)
            return s.next
        }
    }

    func remove(_ id: Int) {
        _ = state.withLock { $0.connections.removeValue(forKey: id) }
    }

    /// Marks a connection busy; `false` when shutting down (the request is then refused).
    func begin(_ id: Int) -> Bool {
        state.withLock { s in
            s.connections[id]?.busy = true
            return !s.shuttingDown
        }
    }

    /// Marks a connection idle; `false` when it should now close.
    func end(_ id: Int) -> Bool {
        state.withLock { s in
            s.connections[id]?.busy = false
            return !s.shuttingDown
        }
    }

    var count: Int { state.withLock { $0.connections.count } }

    /// Starts shutdown: no new connections; idle ones are closed now.
    func shutdown() {
        let idle = state.withLock { s -> [any Channel] in
            s.shuttingDown = true
            return s.connections.values.filter { !$0.busy }.map(\.channel)
        }
        for c in idle { c.close(promise: nil) }
    }
}
