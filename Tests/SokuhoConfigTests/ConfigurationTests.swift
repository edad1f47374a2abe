import Foundation
import SokuhoCore
import Testing

@testable import SokuhoConfig

@Suite("Configuration")
struct ConfigurationTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path

    func parse(_ text: String) throws(ConfigError) -> Configuration {
        try Configuration.parse(text, file: "/etc/sokuho/sokuhod.yaml", baseDirectory: "/etc/sokuho")
    }

    func error(_ text: String) -> ConfigError? {
        do { _ = try parse(text); return nil } catch { return error }
    }

    @Test("the shipped example configuration loads")
    func example() throws {
        let c = try Configuration.load(file: Self.repo + "/config/sokuhod.yaml")
        #expect(c.stateDir == "/var/lib/sokuho")
        #expect(c.databasePath == "/var/lib/sokuho/sokuho.db")
        #expect(c.socket.path == "/run/sokuho/sokuhod.sock")
        #expect(c.socket.group == "sokuho-reporters")
        #expect(c.socket.mode == 0o660)
        #expect(c.roles.lead.groups == ["sokuho-leads"])
        #expect(c.utcOffset == 9 * 3600)
    }

    @Test("the embedded default is self-contained in the working directory")
    func embedded() {
        let c = Configuration.embeddedDefault(workingDirectory: "/home/u/sokuho")
        #expect(c.stateDir == "/home/u/sokuho/.sokuho-dev")
        #expect(c.socket.path == "/home/u/sokuho/.sokuho-dev/sokuhod.sock")
        #expect(c.roles.reporter.users == ["*"])
        #expect(c.cityWebhook.url == "http://127.0.0.1:8428/sokuho")
        #expect(c.cityWebhook.secretFile == "/home/u/sokuho/.sokuho-dev/city.secret")
    }

    @Test("relative paths are relative to the file; defaults fill the rest")
    func paths() throws {
        let c = try parse("state_dir: state\n")
        #expect(c.stateDir == "/etc/sokuho/state")
        #expect(c.socket.path == "/etc/sokuho/state/sokuhod.sock")
        #expect(c.socket.mode == 0o660)
        #expect(c.spoolDir == "/etc/sokuho/state/spool")
        #expect(c.spoolMaxFileSize == 1 << 20)
        #expect(c.spoolScanInterval == 30)
    }

    @Test("clocks: durations in days, GDPR off or on, the persons threshold")
    func clocks() throws {
        let c = try parse(
            "state_dir: s\nclocks:\n  first_report: 10m\n  confirmed: 30d\n  confirmed_malicious: 60d\n  gdpr: 72h\n  persons_threshold: 1000\n"
        )
        #expect(c.clocks.firstReport == 600 && c.clocks.confirmed == 30 * 86400 && c.clocks.confirmedMalicious == 60 * 86400)
        #expect(c.clocks.gdpr == 72 * 3600 && c.clocks.personsThreshold == 1000)
        #expect(try parse("state_dir: s\nclocks:\n  gdpr: off\n").clocks.gdpr == nil)
        #expect(try parse("state_dir: s\n").clocks == ClockSettings())
        #expect(error("state_dir: s\nclocks:\n  preliminary: soon\n")?.key == "clocks.preliminary")
        #expect(error("state_dir: s\nclocks:\n  persons_threshold: many\n")?.key == "clocks.persons_threshold")
        #expect(error("state_dir: s\nclocks:\n  confirmd: 30d\n")?.reason.contains("confirmed") == true)
    }

    @Test(
        "YAML integers: decimal, hex, octal, signs and separators; overflowing and base-60 forms stay text without trapping (found by fuzzing)"
    )
    func yamlIntegers() throws {
        let yaml =
            "a: 42\nb: -0x10\nc: 0o17\nd: 1_000\ne: 1666666600090104801:08\nf: 99999999999999999999\ng: -9223372036854775808\nh: 1:30\n"
        let v = try YAMLDocument.json(try #require(try YAMLDocument.parse(yaml, file: "t.yaml")), file: "t.yaml")
        #expect(v["a"] == 42 && v["b"] == -16 && v["c"] == 15 && v["d"] == 1000)
        #expect(v["e"] == "1666666600090104801:08")
        #expect(v["f"] == "99999999999999999999")
        #expect(v["g"] == .int(Int64.min))
        #expect(v["h"] == "1:30")
    }

    @Test("spool settings: sizes with units, scan interval as a duration")
    func spool() throws {
        let c = try parse("state_dir: s\nspool:\n  dir: /var/spool/sokuho\n  max_file_size: 256KiB\n  scan_interval: 2m\n")
        #expect(c.spoolDir == "/var/spool/sokuho")
        #expect(c.spoolMaxFileSize == 256 * 1024)
        #expect(c.spoolScanInterval == 120)
        #expect(try parse("state_dir: s\nspool:\n  max_file_size: 4096\n").spoolMaxFileSize == 4096)
        #expect(try parse("state_dir: s\nspool:\n  max_file_size: 2 MiB\n").spoolMaxFileSize == 2 << 20)
        for bad in ["lots", "0", "-5", "65MiB", "1.5MiB"] {
            let e = error("state_dir: s\nspool:\n  max_file_size: \(bad)\n")
            #expect(e?.key == "spool.max_file_size", "\(bad)")
            #expect(e?.line == 3)
        }
        #expect(error("state_dir: s\nspool:\n  scan_interval: 200ms\n")?.key == "spool.scan_interval")
        #expect(error("state_dir: s\nspool:\n  scan_intervall: 5s\n")?.reason.contains("scan_interval") == true)
    }

    @Test("unknown keys and bad values are refused with line, column and key")
    func errors() {
        let e = error("state_dir: /x\nsocket:\n  pth: /run/x.sock\n")
        #expect(e?.line == 3)
        #expect(e?.column == 3)
        #expect(e?.key == "socket.pth")
        #expect(e?.reason.contains("did you mean \"path\"") == true)
        #expect(e?.description.hasPrefix("/etc/sokuho/sokuhod.yaml:3:3: socket.pth:") == true)
        #expect(error("socket:\n  path: /x\n")?.key == "state_dir")
        #expect(error("state_dir: /x\nsocket:\n  mode: \"0999\"\n")?.key == "socket.mode")
        #expect(error("state_dir: /x\nsocket:\n  mode: \"0066\"\n")?.key == "socket.mode")
        #expect(error("state_dir: /x\ncity:\n  webhook:\n    url: ftp://city\n")?.key == "city.webhook.url")
        #expect(error("state_dir: /x\nroles:\n  lead: alice\n")?.key == "roles.lead")
        #expect(error("state_dir: /x\nroles:\n  lead:\n    users: alice\n")?.key == "roles.lead.users")
        #expect(error("state_dir: /x\nlog:\n  level: loud\n")?.key == "log.level")
        #expect(error("state_dir: /x\ntime_zone_offset: JST\n")?.key == "time_zone_offset")
        // Only digits after the sign: no second sign makes an offset of its own.
        for bad in ["+09:-5", "+-1:00", "-+9:00", "+99:99", "+15:00", "+09:60", "+0٩:00"] {
            #expect(error("state_dir: /x\ntime_zone_offset: \"\(bad)\"\n")?.key == "time_zone_offset", "\(bad)")
        }
        #expect((try? parse("state_dir: /x\ntime_zone_offset: \"-05:30\"\n"))?.utcOffset == -19800)
        #expect((try? parse("state_dir: /x\ntime_zone_offset: \"+14:00\"\n"))?.utcOffset == 50400)
        #expect(error("state_dir: [\n")?.reason.contains("invalid YAML") == true)
        #expect(error("state_dir: /x\nstate_dir: /y\n")?.reason.contains("duplicated key") == true)
        #expect(error("state_dir: /\(String(repeating: "d", count: 120))\n")?.key == "socket.path")
        #expect(error("")?.reason.contains("empty") == true)
    }

    @Test("reload tells what changed and what needs a restart")
    func reloadable() throws {
        let a = try parse("state_dir: /x\nroles:\n  lead:\n    users: [a]\n")
        let b = try parse("state_dir: /y\nroles:\n  lead:\n    users: [b]\n")
        let d = a.reloadable(from: b)
        #expect(d.changed == ["roles"])
        #expect(d.needsRestart.contains("state_dir"))
    }

    @Test("YAML to JSON keeps dates and quoted numbers as strings")
    func yamlJSON() throws {
        let node = try #require(try YAMLDocument.parse("a: 2026-11-26\nb: \"12\"\nc: 12\nd: null\ne: true\nf: [x, 1]\n", file: "t"))
        let v = try YAMLDocument.json(node, file: "t")
        #expect(v == ["a": "2026-11-26", "b": "12", "c": 12, "d": nil, "e": true, "f": ["x", 1]])
    }
}
