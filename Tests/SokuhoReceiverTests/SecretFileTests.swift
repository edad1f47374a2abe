import Foundation
import SokuhoCore
import SokuhoWebhook
import Testing

@testable import SokuhoReceiver

#if canImport(Glibc)
import Glibc
#endif

@Suite("Secret files are checked on the open file")
struct SecretFileTests {
    let dir: String = {
        var t = Array((NSTemporaryDirectory() + "rcv-secret-XXXXXX").utf8CString)
        return String(cString: mkdtemp(&t)!)
    }()
    let secret = "# city\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"

    func file(_ mode: mode_t) throws -> String {
        let p = dir + "/s-\(UUID().uuidString)"
        try secret.write(toFile: p, atomically: true, encoding: .utf8)
        chmod(p, mode)
        return p
    }

    @Test("mode: any group or other bit is refused; 600 and 400 are accepted")
    func modes() throws {
        #expect(try SecretFile.load(try file(0o600)).count == 1)
        #expect(try SecretFile.load(try file(0o400)).count == 1)
        for m: mode_t in [0o640, 0o604, 0o620, 0o602, 0o610, 0o601, 0o666] {
            #expect(throws: SecretFile.Failure.groupOrOtherAccess(mode: UInt32(m))) { try SecretFile.load(try file(m)) }
        }
    }

    @Test("owner: root or the running user only")
    func owner() throws {
        let p = try file(0o600)
        let mine = geteuid()
        #expect(try SecretFile.load(p, euid: mine).count == 1)
        if mine == 0 {
            chown(p, 4242, 4242)
            #expect(throws: SecretFile.Failure.wrongOwner(uid: 4242, expected: 0)) { try SecretFile.load(p) }
            #expect(try SecretFile.load(p, euid: 4242).count == 1)
            chown(p, 0, 0)
            // Owned by root: accepted for any user.
            #expect(try SecretFile.load(p, euid: 4242).count == 1)
        } else {
            #expect(throws: SecretFile.Failure.wrongOwner(uid: mine, expected: mine &+ 1)) { try SecretFile.load(p, euid: mine &+ 1) }
        }
    }

    @Test("symlinks are judged by the file opened; directories, FIFOs, missing and huge files are refused")
    func kinds() throws {
        let good = try file(0o600)
        symlink(good, dir + "/link")
        #expect(try SecretFile.load(dir + "/link").count == 1)
        let bad = try file(0o644)
        symlink(bad, dir + "/badlink")
        #expect(throws: SecretFile.Failure.groupOrOtherAccess(mode: 0o644)) { try SecretFile.load(dir + "/badlink") }
        mkdir(dir + "/d", 0o700)
        #expect(throws: SecretFile.Failure.notRegular) { try SecretFile.load(dir + "/d") }
        mkfifo(dir + "/fifo", 0o600)
        #expect(throws: SecretFile.Failure.notRegular) { try SecretFile.load(dir + "/fifo") }
        #expect(throws: SecretFile.Failure.self) { try SecretFile.load(dir + "/missing") }
        let huge = dir + "/huge"
        try String(repeating: "#\n", count: 40_000).write(toFile: huge, atomically: true, encoding: .utf8)
        chmod(huge, 0o600)
        #expect(throws: SecretFile.Failure.tooLarge) { try SecretFile.load(huge) }
        let junk = try file(0o600)
        try "whsec_short\n".write(toFile: junk, atomically: false, encoding: .utf8)
        #expect(throws: SecretFile.Failure.self) { try SecretFile.load(junk) }
    }
}
