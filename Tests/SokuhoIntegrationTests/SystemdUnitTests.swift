import Foundation
import Testing

/// The shipped unit files must pass systemd's own checks wherever systemd-analyze exists.
@Suite("systemd units", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
struct SystemdUnitTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .path

    /// Copies the units, pointing ExecStart at the built binary (verify checks it exists).
    static func units() throws -> String {
        let dir = NSTemporaryDirectory() + "sokuho-units-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let service = try String(contentsOfFile: repo + "/systemd/sokuhod.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/sokuhod", with: DaemonHarness.sokuhod)
        try service.write(toFile: dir + "/sokuhod.service", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(atPath: repo + "/systemd/sokuhod.socket", toPath: dir + "/sokuhod.socket")
        let city = try String(contentsOfFile: repo + "/systemd/sokuho-city.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/sokuho-city", with: CityHarness.binary)
        try city.write(toFile: dir + "/sokuho-city.service", atomically: true, encoding: .utf8)
        return dir
    }

    /// `systemd-analyze ARGUMENTS` in a copy of the units.
    static func analyze(_ arguments: String) throws -> DaemonHarness.Run {
        let dir = try units()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        return try DaemonHarness.shell("cd '\(dir)' && systemd-analyze \(arguments)")
    }

    /// `systemd-analyze security` of `unit`: the run, its "Overall exposure level" line and the
    /// score on it (99 when there is none).
    static func security(_ unit: String) throws -> (run: DaemonHarness.Run, line: Substring, score: Double) {
        let r = try analyze("security --offline=yes --threshold=15 ./\(unit)")
        let line = r.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") } ?? ""
        return (r, line, line.split(separator: " ").compactMap { Double($0) }.first ?? 99)
    }

    @Test("systemd-analyze verify passes")
    func verify() throws {
        let r = try Self.analyze("verify --man=no ./sokuhod.service ./sokuhod.socket")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!r.stderr.contains("sokuhod.service:"), "\(r.stderr)")
    }

    @Test("systemd-analyze security rates the service 1.5 or better")
    func security() throws {
        let (r, line, score) = try Self.security("sokuhod.service")
        #expect(r.status == 0, "\(r.stdout)")
        #expect(score <= 1.5, "\(line)")
    }

    @Test("sokuho-city.service: verify passes and security rates it 1.5 or better")
    func cityUnit() throws {
        let v = try Self.analyze("verify --man=no ./sokuho-city.service")
        #expect(!v.stderr.contains("sokuho-city.service:"), "\(v.stderr)")
        let (_, line, score) = try Self.security("sokuho-city.service")
        #expect(score <= 1.5, "\(line)")
    }

    @Test("the example configuration is valid")
    func exampleConfig() throws {
        let r = try DaemonHarness.shell("'\(DaemonHarness.sokuhod)' --config '\(Self.repo)/config/sokuhod.yaml' --check-config")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("configuration OK"))
    }
}
