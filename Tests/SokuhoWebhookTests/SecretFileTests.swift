import Foundation
import SokuhoWebhook
import Testing

@Suite("Webhook secret files are checked on the open file: mode, owner, kind")
struct SecretFileTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString() + "\n"

    func file(mode: mode_t, owner: uid_t? = nil) throws -> (dir: String, path: String) {
        var template = Array("/tmp/sokuho-secret-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        let dir = String(cString: p)
        let path = dir + "/city.secret"
        try Self.secret.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, mode)
        if let owner { chown(path, owner, UInt32.max) }
        return (dir, path)
    }

    @Test("0600 and 0640 are accepted")
    func accepted() throws {
        for mode: mode_t in [0o600, 0o640, 0o400] {
            let f = try file(mode: mode)
            defer { try? FileManager.default.removeItem(atPath: f.dir) }
            #expect(try Endpoint.loadSecrets(file: f.path).count == 1)
        }
    }

    @Test("readable by others, or writable by the group, is refused")
    func refusedModes() throws {
        for mode: mode_t in [0o644, 0o604, 0o660, 0o666] {
            let f = try file(mode: mode)
            defer { try? FileManager.default.removeItem(atPath: f.dir) }
            #expect(throws: WebhookError.self) { try Endpoint.loadSecrets(file: f.path) }
        }
    }

    @Test("a file owned by another user is refused", .enabled(if: getuid() == 0))
    func otherOwner() throws {
        let f = try file(mode: 0o600, owner: 65534)
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        #expect(throws: WebhookError.self) { try Endpoint.loadSecrets(file: f.path) }
        // As the daemon running as that user, the same file is fine.
        #expect(try Endpoint.loadSecrets(file: f.path, euid: 65534).count == 1)
    }

    @Test("a symbolic link is judged by the file it opens")
    func symlink() throws {
        let f = try file(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: f.dir) }
        Glibc.symlink(f.path, f.dir + "/link")
        #expect(try Endpoint.loadSecrets(file: f.dir + "/link").count == 1)
        chmod(f.path, 0o644)
        #expect(throws: WebhookError.self) { try Endpoint.loadSecrets(file: f.dir + "/link") }
    }
}
