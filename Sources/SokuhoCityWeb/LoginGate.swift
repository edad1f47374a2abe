import Synchronization

/// Bounds the password checks of the inbox's login form, so that a flood of logins neither
/// queues up minutes of bcrypt nor keeps a member of staff out.
///
/// Contract (password checks run one at a time, about a quarter of a second each):
/// - a login as a user in the users file waits only behind at most `perUser` other logins as
///   that same user: a flood aimed at one name is answered 503 (with `Retry-After`) for that
///   name alone, and every other member of staff still logs in;
/// - logins as names that are not users share `unknown` places; beyond them such a login is
///   answered like a wrong password at once, without a check (an attacker spraying names costs
///   nothing, and learns only under its own flood that a name is not a user);
/// - refusals are counted, and logged once per 1,000.
final class LoginGate: Sendable {
    let perUser: Int
    let unknown: Int

    enum Admission: Equatable {
        /// Check the password; call `leave` afterwards.
        case check
        /// A user's place is full: 503.
        case busy
        /// Not a user, and no place: answer 401 without a check.
        case refuse
    }

    private struct State {
        var pendingByUser: [String: Int] = [:]
        var pendingUnknown = 0
    }
    private let state = Mutex(State())
    private let refused = Atomic<Int>(0)

    init(perUser: Int = 2, unknown: Int = 8) { (self.perUser, self.unknown) = (perUser, unknown) }

    func enter(name: String, isUser: Bool) -> Admission {
        state.withLock { s in
            if isUser {
                guard s.pendingByUser[name, default: 0] < perUser else { return .busy }
                s.pendingByUser[name, default: 0] += 1
            } else {
                guard s.pendingUnknown < unknown else { return .refuse }
                s.pendingUnknown += 1
            }
            return .check
        }
    }

    func leave(name: String, isUser: Bool) {
        state.withLock { s in
            if isUser {
                let n = s.pendingByUser[name, default: 1] - 1
                s.pendingByUser[name] = n > 0 ? n : nil
            } else {
                s.pendingUnknown -= 1
            }
        }
    }

    /// Counts a refusal; true for the first and every 1,000th, which are worth a log line (a
    /// flood must not flood the log).
    func countRefusal() -> Bool { refused.add(1, ordering: .relaxed).newValue % 1000 == 1 }
}
