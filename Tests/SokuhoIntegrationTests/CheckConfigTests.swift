import Foundation
import SokuhoCore
import Testing

@Suite("sokuhod --check-config checks secrets as a start does and never prints credentials")
struct CheckConfigTests {
    func setup(mode: mode_t) throws -> (dir: String, config: String) {
        var template = Array("/tmp/sokuho-cc-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp") }
        let dir = String(cString: p)
        let secret = dir + "/city.secret"
        try ("whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString() + "\n").write(
            toFile: secret, atomically: false, encoding: .utf8)
        chmod(secret, mode)
        let config = dir + "/sokuhod.yaml"
        try """
        state_dir: state
        city:
          webhook:
            url: https://contractor:hunter2@city.example.invalid/hook
            secret_file: city.secret
        """.write(toFile: config, atomically: false, encoding: .utf8)
        return (dir, config)
    }

    /// `--check-config` on the configuration `setup` writes, then the files removed.
    func checkConfig(mode: mode_t) throws -> DaemonHarness.Run {
        let s = try setup(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        return try checkConfig(s.config)
    }

    /// `sokuhod --config CONFIG --check-config`, with `environment` prefixed (`env -u …`).
    func checkConfig(_ config: String, environment: String = "") throws -> DaemonHarness.Run {
        try DaemonHarness.shell("\(environment)'\(DaemonHarness.sokuhod)' --config '\(config)' --check-config")
    }

    @Test("a secret file others may read is refused by --check-config, as by a start (robustness defect 8)")
    func readableSecretRefused() throws {
        let r = try checkConfig(mode: 0o644)
        #expect(r.status == 78, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("chmod 600"))
        #expect(!(r.stdout + r.stderr).contains("hunter2"))
    }

    @Test("a URL's user:password is never printed")
    func credentialsRedacted() throws {
        let r = try checkConfig(mode: 0o600)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("https://***@city.example.invalid/hook"), "\(r.stdout)")
        #expect(!(r.stdout + r.stderr).contains("hunter2"))
        #expect(r.stdout.contains("secret city"))
    }

    @Test("a secret from systemd credentials is not refused by --check-config run outside the service")
    func credentials() throws {
        let s = try setup(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let text = try String(contentsOfFile: s.config, encoding: .utf8).replacingOccurrences(
            of: "    secret_file: city.secret\n", with: ""
        )
        .replacingOccurrences(of: "    secret_file: city.secret", with: "")
        try text.write(toFile: s.config, atomically: true, encoding: .utf8)
        let r = try checkConfig(s.config, environment: "env -u CREDENTIALS_DIRECTORY ")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("systemd credentials"))
    }

    @Test("run by root, --check-config accepts a secret owned by the daemon's user (the owner of state_dir)", .enabled(if: getuid() == 0))
    func daemonUserOwnsSecret() throws {
        let s = try setup(mode: 0o600)
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        try FileManager.default.createDirectory(atPath: s.dir + "/state", withIntermediateDirectories: true)
        chown(s.dir + "/state", 65534, 65534)
        chown(s.dir + "/city.secret", 65534, 65534)
        let r = try checkConfig(s.config)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        chown(s.dir + "/state", 0, 0)
        let refused = try checkConfig(s.config)
        #expect(refused.status == 78, "a secret owned by someone else is refused: \(refused.stdout)")
    }
}
