import Foundation
import Synchronization
import Testing

@testable import SokuhoCityWeb

@Suite("The running inbox reads the users file again when it changes")
struct InboxUserFileTests {
    @Test("a user added while serving logs in without a restart; a file made unsafe fails closed; fixed, it works again")
    func reload() throws {
        let dir = NSTemporaryDirectory() + "inbox-userfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/users"
        let logged = Mutex<[String]>([])
        let users = try InboxUserFile(path: file) { line in logged.withLock { $0.append(line) } }
        #expect(users.current().hashes.isEmpty, "no file yet: no users")

        try InboxUsers.add(name: "alice", password: "correct horse battery", file: file, cost: 4)
        #expect(users.current().verify(name: "alice", password: "correct horse battery"))
        try InboxUsers.add(name: "bob", password: "another password", file: file, cost: 4)
        #expect(users.current().verify(name: "bob", password: "another password"))

        // Replacing a password keeps the file's mode (0640 set by the administrator).
        chmod(file, 0o640)
        try InboxUsers.add(name: "alice", password: "a new password!", file: file, cost: 4)
        var st = stat()
        stat(file, &st)
        #expect(st.st_mode & 0o777 == 0o640)
        #expect(users.current().verify(name: "alice", password: "a new password!"))
        #expect(!users.current().verify(name: "alice", password: "correct horse battery"))

        // Made readable by others: nobody logs in (not the users read before), and it is logged.
        chmod(file, 0o644)
        #expect(users.current().hashes.isEmpty)
        #expect(logged.withLock { $0.contains { $0.contains("nobody can log in") } })
        chmod(file, 0o600)
        #expect(users.current().hashes.count == 2)

        // Removed: no users.
        unlink(file)
        #expect(users.current().hashes.isEmpty)
    }

    @Test("a bad file at start is refused, as serve refuses it")
    func badAtStart() throws {
        let dir = NSTemporaryDirectory() + "inbox-userfile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/users"
        try "alice:not-a-hash\n".write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o600)
        #expect(throws: InboxUsers.Failure.self) { try InboxUserFile(path: file) { _ in } }
    }
}

@Suite("LoginGate bounds the waiting password checks, per user and for names that are not users")
struct LoginGateTests {
    @Test("two waiting per user, the others unaffected; eight for names that are not users, then refused unchecked")
    func gate() {
        let gate = LoginGate(perUser: 2, unknown: 8)
        #expect(gate.enter(name: "alice", isUser: true) == .check)
        #expect(gate.enter(name: "alice", isUser: true) == .check)
        #expect(gate.enter(name: "alice", isUser: true) == .busy, "a flood aimed at alice")
        #expect(gate.enter(name: "bob", isUser: true) == .check, "bob is not behind alice's flood")
        #expect((0..<8).allSatisfy { gate.enter(name: "x\($0)", isUser: false) == .check })
        #expect(gate.enter(name: "y", isUser: false) == .refuse)
        #expect(gate.enter(name: "carol", isUser: true) == .check, "nor behind a spray of unknown names")
        gate.leave(name: "alice", isUser: true)
        #expect(gate.enter(name: "alice", isUser: true) == .check)
        gate.leave(name: "x0", isUser: false)
        #expect(gate.enter(name: "z", isUser: false) == .check)
        let logged = (0..<2500).filter { _ in gate.countRefusal() }.count
        #expect(logged == 3)
    }
}
