import Foundation
import Testing

@testable import SokuhoMetrics

/// monitoring/sokuho-alerts.yml: valid rules (promtool check rules), a unit test for every alert
/// (promtool test rules), and only metric names the daemon exposes.
@Suite("Alert rules")
struct AlertRulesTests {
    static let monitoring = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("monitoring").path
    static let rules = monitoring + "/sokuho-alerts.yml"
    static let unitTests = monitoring + "/sokuho-alerts.test.yml"

    static let promtool: String? = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + [
            "/usr/bin", "/usr/local/bin",
        ] {
            let p = dir + "/promtool"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool!)
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: monitoring)
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test("promtool check rules accepts the rules", .enabled(if: promtool != nil, "promtool (Debian package prometheus) is not installed"))
    func check() throws {
        let r = try Self.run(["check", "rules", Self.rules])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS"), "\(r.output)")
    }

    @Test(
        "promtool test rules passes a unit test of every alert",
        .enabled(if: promtool != nil, "promtool (Debian package prometheus) is not installed"))
    func unitTests() throws {
        let r = try Self.run(["test", "rules", Self.unitTests])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS"), "\(r.output)")
    }

    @Test("every alert has a unit test, and the rules use only metric names the daemon exposes")
    func coverage() throws {
        let rules = try String(contentsOfFile: Self.rules, encoding: .utf8)
        let tests = try String(contentsOfFile: Self.unitTests, encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- alert: ") ? String(t.dropFirst("- alert: ".count)) : nil
        }
        for required in ["SokuhoReportUndelivered", "SokuhoMessageDeadLettered", "SokuhoLegalClockMissed", "SokuhoDown"] {
            #expect(alerts.contains(required), "\(required) missing")
        }
        for a in alerts { #expect(tests.contains("alertname: \(a)\n"), "no unit test for \(a)") }
        let used = Set(
            rules.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init).filter { $0.hasPrefix("sokuho_") })
        #expect(!used.isEmpty)
        for name in used { #expect(MetricsCollector.Name.all.contains(name), "\(name) is not exposed") }
    }
}
