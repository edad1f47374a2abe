import Foundation

/// The inbox's sessions, in memory (a restart logs everyone out).
///
/// Contract:
/// - a session id and its CSRF token are 32 random bytes each (`SystemRandomNumberGenerator`),
///   hex-encoded; ids are compared by dictionary lookup, tokens in constant time;
/// - a session unused for `idleLimit` (8 h) is gone: `session(id:now:)` returns nil and forgets it;
///   each use renews it;
/// - `end(id:)` forgets a session at once (logout); at most `maxSessions` live at a time (the
///   oldest unused one is dropped to make room).
public actor InboxSessions {
    public struct Session: Sendable {
        public let user: String
        public let csrf: String
        var lastUsed: Date
    }

    public static let idleLimit: TimeInterval = 8 * 3600
    public static let maxSessions = 10_000
    var sessions: [String: Session] = [:]

    public init() {}

    /// 32 random bytes, as 64 hex digits.
    public static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    /// Whether `s` has the form of a token: exactly 64 ASCII hex digits.
    public static func isToken(_ s: String) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
    }

    /// Opens a session for a user who just logged in; its id.
    public func open(user: String, now: Date = Date()) -> String {
        sessions = sessions.filter { now.timeIntervalSince($0.value.lastUsed) < Self.idleLimit }
        if sessions.count >= Self.maxSessions, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed })?.key {
            sessions[oldest] = nil
        }
        let id = Self.randomToken()
        sessions[id] = Session(user: user, csrf: Self.randomToken(), lastUsed: now)
        return id
    }

    /// The live session with this id, renewed; nil when there is none or it idled out.
    public func session(id: String, now: Date = Date()) -> Session? {
        guard var s = sessions[id] else { return nil }
        guard now.timeIntervalSince(s.lastUsed) < Self.idleLimit else {
            sessions[id] = nil
            return nil
        }
        s.lastUsed = now
        sessions[id] = s
        return s
    }

    public func end(id: String) { sessions[id] = nil }

    /// Whether two tokens are equal, in time independent of where they differ.
    public static func sameToken(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
