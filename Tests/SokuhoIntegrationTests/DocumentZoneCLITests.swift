import Foundation
import SokuhoCore
import Testing

/// The CLI reads the configuration only for the documents' zone (`time_zone_offset`). Whatever
/// `$SOKUHO_CONFIG` names, the document is still written, promptly, in a zone it states; when
/// the configuration cannot be used the user is told, so a report in the system's zone is not
/// taken for one in the daemon's.
@Suite("The documents' zone from a configuration the CLI cannot use")
struct DocumentZoneCLITests {
    @Test("a FIFO, a device, a directory, a bad offset or an unreadable file: the system's zone, and a warning")
    func unusableConfiguration() throws {
        let d = try DaemonHarness.started(extra: "time_zone_offset: \"+09:00\"\n")
        let uid: UInt32? = getuid() == 0 ? 65534 : nil
        let opened = try d.cli(["report", "--kind", "leak", "--information", "名簿", "--location", "本社", "--circumstances", "誤送信", "--no-prompt", "--json"], asUID: uid)
        let id = try #require(try JSONParser.parse(opened.stdout)["case"]?["id"]?.stringValue, "\(opened.stderr)")
        func report(_ config: String) throws -> DaemonHarness.Run {
            try d.cli(["case", "report", id, "--lang", "ja"], environment: ["SOKUHO_CONFIG": config, "TZ": "UTC"], asUID: uid)
        }

        let good = try report(d.configPath)
        #expect(good.status == 0 && good.stdout.contains("時刻は日本時間（UTC+09:00）で表示しています。") && good.stderr.isEmpty, "\(good)")

        let fifo = d.dir + "/fifo"
        #expect(mkfifo(fifo, 0o666) == 0)
        let badOffset = d.dir + "/bad-offset.yaml"
        try String(contentsOfFile: d.configPath, encoding: .utf8).replacingOccurrences(of: "+09:00", with: "+99:99")
            .write(toFile: badOffset, atomically: true, encoding: .utf8)
        var unusable = [fifo, "/dev/zero", d.dir, badOffset, d.dir + "/missing.yaml"]
        if uid != nil {
            let unreadable = d.dir + "/unreadable.yaml"
            try FileManager.default.copyItem(atPath: d.configPath, toPath: unreadable)
            chmod(unreadable, 0o600)
            unusable.append(unreadable)
        }
        for config in unusable {
            let r = try report(config)
            #expect(r.status == 0 && r.stdout.contains("時刻はUTCで表示しています。"), "\(config): \(r)")
            #expect(r.stderr.contains(config) && r.stderr.contains("time_zone_offset"), "\(config): no warning: \(r.stderr)")
        }
    }
}
