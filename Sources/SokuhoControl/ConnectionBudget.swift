import SokuhoCore
import Synchronization

/// The shared account of what all control connections hold: how many are open (in all and per
/// user) and how many bytes of unfinished request lines they buffer. Checked when a connection
/// opens and whenever it buffers more.
final class ConnectionBudget: Sendable {
    private struct State {
        var open = 0
        var openByUser: [UInt32: Int] = [:]
        var buffered = 0
        var bufferedByUser: [UInt32: Int] = [:]
        var refusedSinceLog = 0
        var lastLog: Int = 0
    }

    /// Why a connection is refused or cut off.
    enum Refusal: Sendable {
        case tooManyConnections(total: Bool, limit: Int)
        case bufferBudget(limit: Int)
    }

    let limits: ConnectionLimits
    private let state = Mutex(State())

    init(limits: ConnectionLimits) { self.limits = limits }

    /// Admits a new connection of `uid`, or says why not.
    func open(uid: UInt32) -> Refusal? {
        state.withLock { s in
            if s.open >= limits.maxConnections { return .tooManyConnections(total: true, limit: limits.maxConnections) }
            if s.openByUser[uid, default: 0] >= limits.maxConnectionsPerUser {
                return .tooManyConnections(total: false, limit: limits.maxConnectionsPerUser)
            }
            s.open += 1
            s.openByUser[uid, default: 0] += 1
            return nil
        }
    }

    func close(uid: UInt32) {
        state.withLock { s in
            s.open -= 1
            let n = s.openByUser[uid, default: 1] - 1
            s.openByUser[uid] = n > 0 ? n : nil
        }
    }

    /// Changes what `uid` buffers by `delta` bytes; refuses growth past the budgets.
    func buffer(uid: UInt32, delta: Int) -> Refusal? {
        state.withLock { s in
            let mine = s.bufferedByUser[uid, default: 0]
            if delta > 0, s.buffered + delta > limits.maxBuffered || mine + delta > limits.maxBufferedPerUser {
                return .bufferBudget(limit: limits.maxBufferedPerUser)
            }
            s.buffered += delta
            let n = mine + delta
            s.bufferedByUser[uid] = n > 0 ? n : nil
            return nil
        }
    }

    /// Counts a refusal; every `interval` seconds at most, the number to log (nil: not now).
    /// A flood of refused connections writes one log line a minute, not one per connection.
    func refusedToLog(now: Int, interval: Int = 60) -> Int? {
        state.withLock { s in
            s.refusedSinceLog += 1
            guard now - s.lastLog >= interval else { return nil }
            s.lastLog = now
            defer { s.refusedSinceLog = 0 }
            return s.refusedSinceLog
        }
    }

    var openConnections: Int { state.withLock { $0.open } }
    var bufferedBytes: Int { state.withLock { $0.buffered } }
}
