import Foundation
import SokuhoCore
import Testing

/// The documents' zone: the daemon states it in its answers when its configuration sets
/// `time_zone_offset`, so any user gets it without reading the configuration. When it sets none,
/// the CLI reads the configuration (`$SOKUHO_CONFIG`) for the zone; whatever that names, the
/// document is still written, promptly, in a zone it states, and when the configuration cannot
/// be used the user is told, so a report in the system's zone is not taken for one in the daemon's.
@Suite("The documents' zone, from the daemon or from a configuration the CLI cannot use")
struct DocumentZoneCLITests {
    /// Configurations the CLI cannot use: a FIFO, a device, a directory, a bad offset, a missing
    /// file and, run by root, one the user may not read.
    static func unusableConfigurations(_ d: DaemonHarness, uid: UInt32?) throws -> [String] {
        let fifo = d.dir + "/fifo"
        #expect(mkfifo(fifo, 0o666) == 0)
        let badOffset = d.dir + "/bad-offset.yaml"
        try "time_zone_offset: \"+99:99\"\n".write(toFile: badOffset, atomically: true, encoding: .utf8)
        var unusable = [fifo, "/dev/zero", d.dir, badOffset, d.dir + "/missing.yaml"]
        if uid != nil {
            let unreadable = d.dir + "/unreadable.yaml"
            try FileManager.default.copyItem(atPath: d.configPath, toPath: unreadable)
            chmod(unreadable, 0o600)
            unusable.append(unreadable)
        }
        return unusable
    }

    static func report(_ d: DaemonHarness, uid: UInt32?) throws -> (String) throws -> DaemonHarness.Run {
        let opened = try d.cli(
            ["report", "--kind", "leak", "--information", "名簿", "--location", "本社", "--circumstances", "誤送信", "--no-prompt", "--json"],
            asUID: uid)
        let id = try #require(try JSONParser.parse(opened.stdout)["case"]?["id"]?.stringValue, "\(opened.stderr)")
        return { config in
            try d.cli(["case", "report", id, "--lang", "ja"], environment: ["SOKUHO_CONFIG": config, "TZ": "UTC"], asUID: uid)
        }
    }

    @Test("a daemon that sets time_zone_offset states it: every user's documents are in its zone, whatever configuration they can read")
    func daemonStatesItsZone() throws {
        let d = try DaemonHarness.started(extra: "time_zone_offset: \"+09:00\"\n")
        let uid: UInt32? = getuid() == 0 ? 65534 : nil
        let report = try Self.report(d, uid: uid)
        for config in [d.configPath] + (try Self.unusableConfigurations(d, uid: uid)) {
            let r = try report(config)
            #expect(r.status == 0 && r.stdout.contains("時刻は日本時間（UTC+09:00）で表示しています。") && r.stderr.isEmpty, "\(config): \(r)")
        }
    }

    @Test(
        "a daemon on the host's zone: a FIFO, a device, a directory, a bad offset or an unreadable file gives the system's zone, and a warning"
    )
    func unusableConfiguration() throws {
        let d = try DaemonHarness.started()
        let uid: UInt32? = getuid() == 0 ? 65534 : nil
        let report = try Self.report(d, uid: uid)
        for config in try Self.unusableConfigurations(d, uid: uid) {
            let r = try report(config)
            #expect(r.status == 0 && r.stdout.contains("時刻はUTCで表示しています。"), "\(config): \(r)")
            #expect(r.stderr.contains(config) && r.stderr.contains("time_zone_offset"), "\(config): no warning: \(r.stderr)")
        }
    }
}
