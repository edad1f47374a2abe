import Foundation
import Logging
import SokuhoCore
import SokuhoDaemon
import SokuhoSpool
import SokuhoStore
import SokuhoTestSupport

/// A real `CaseDesk` on a real store in a temporary directory, called in-process with the peer
/// identities of six kinds of user — no root, no second Unix account needed.
final class DeskFixture: @unchecked Sendable {
    let dir: String
    private(set) var store: CaseStore
    private(set) var desk: CaseDesk
    let clock: any WallClock
    var dbPath: String { dir + "/sokuho.db" }

    /// The users of the permission tests; roles by user name (`RolePolicy`).
    enum Who: String, CaseIterable, Sendable {
        case carol  // no role
        case alice  // reporter
        case bob  // reporter
        case audrey  // auditor
        case lena  // lead
        case root  // admin

        var peer: PeerIdentity {
            switch self {
            case .carol: PeerIdentity(uid: 2001, gid: 2001, pid: 1, user: "carol")
            case .alice: PeerIdentity(uid: 2002, gid: 2002, pid: 1, user: "alice")
            case .bob: PeerIdentity(uid: 2003, gid: 2003, pid: 1, user: "bob")
            case .audrey: PeerIdentity(uid: 2004, gid: 2004, pid: 1, user: "audrey")
            case .lena: PeerIdentity(uid: 2005, gid: 2005, pid: 1, user: "lena")
            case .root: PeerIdentity(uid: 0, gid: 0, pid: 1, user: "root")
            }
        }
    }

    /// A clock that stands still (refusal buckets do not refill during a test).
    struct StillClock: WallClock {
        let date: Date
        func now() -> Date { date }
    }

    init(clock: any WallClock = SystemWallClock()) throws {
        var template = Array("/tmp/sokuho-desk-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
        dir = String(cString: p)
        self.clock = clock
        (store, desk) = try Self.open(dir: dir, clock: clock)
    }

    static func open(dir: String, clock: any WallClock) throws -> (CaseStore, CaseDesk) {
        let store = try CaseStore(path: dir + "/sokuho.db")
        let spool = SpoolLayout(root: dir + "/spool")
        try spool.prepare()
        let policy = RolePolicy(reporter: .init(users: ["alice", "bob"]), lead: .init(users: ["lena"]), auditor: .init(users: ["audrey"]))
        var settings = DeskSettings(policy: policy, daemonUID: 999, utcOffset: { _ in 9 * 3600 })
        settings.escalation = ["city"]
        settings.cityEndpoint = "city"
        settings.spool = spool
        settings.socketDescription = "test"
        let desk = CaseDesk(
            store: store, clock: clock, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), settings: settings)
        return (store, desk)
    }

    /// A restart: the store and desk are opened again on the same database.
    func restart() throws {
        (store, desk) = try Self.open(dir: dir, clock: clock)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func call(_ who: Who, _ request: JSONValue) async -> JSONValue {
        await desk.handle(request, from: who.peer)
    }

    /// Reports as `who` and returns the case id.
    func report(_ who: Who, _ extra: [String: JSONValue] = [:]) async throws -> String {
        let r = await call(who, ["op": "report", "report": minimalReport(extra)])
        guard let id = r["case"]?["id"]?.stringValue else { throw FixtureError("report failed: \(r.canonicalString)") }
        return id
    }

    /// The verifier's verdict on the database file, as `sokuho audit verify` gives it.
    func verify() throws -> AuditReader.Outcome { try AuditReader(path: dbPath).verify() }

    /// Every `access.denied` event, as stored (the bytes of its data).
    func refusals() throws -> [String] {
        try shell("sqlite3 '\(dbPath)' \"SELECT data FROM events WHERE type = 'access.denied' ORDER BY seq\"").stdout
            .split(separator: "\n").map(String.init)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
