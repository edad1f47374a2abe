import Foundation
import SokuhoCore
import Testing

/// The inbox in a real browser: headless Chromium driven by Selenium (Fixtures/inbox_browser.py)
/// against the real `sokuho-city serve`. Runs when selenium and chromedriver are installed
/// (scripts/test installs both).
@Suite("sokuho-city's inbox in headless Chromium", .serialized, .enabled(if: SeleniumChromium.available))
struct CityBrowserTests {
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/inbox_browser.py").path
    }

    /// Three cases of two contractors, as their `sokuhod` would send them.
    static func opened(_ id: String, _ facts: [String: JSONValue]) -> String {
        var data: [String: JSONValue] = ["case_id": .string(id), "state": "open", "suspected": false, "instructions_open": 0]
        for (k, v) in facts { data[k] = v }
        return JSONValue.object(["type": "incident.opened", "timestamp": "2026-11-28T01:00:00Z", "data": .object(data)]).canonicalString
    }

    @Test("log in, see the list, open a case, issue an instruction through the form, a POST without the token refused, log out")
    func browser() throws {
        let city = try CityHarness(contractors: ["acme", "bento"])
        #expect(try city.addUser("tanaka", password: "correct horse battery").status == 0)
        try city.start()
        let now = Date()
        func ago(_ minutes: Double) -> JSONValue { .string(Timestamp.format(now.addingTimeInterval(-minutes * 60))) }
        let messages: [(String, String, String)] = [
            (
                "acme", "msg_a1",
                Self.opened(
                    "INC-2026-0001",
                    [
                        "kind": "leak", "information": "住民税通知書の送付先データ", "count": 1200, "count_unit": "人", "count_precision": "approximate",
                        "discovered_at": ago(12), "location": "委託先データセンター", "circumstances": "誤送信により外部へ送付された可能性",
                    ])
            ),
            (
                "acme", "msg_a2",
                Self.opened(
                    "INC-2026-0002",
                    [
                        "kind": "loss", "suspected": true, "information": "窓口受付簿", "count": .null, "discovered_at": ago(95),
                        "location": "本庁舎 1 階", "circumstances": "保管庫から所在不明",
                    ])
            ),
            (
                "bento", "msg_b1",
                Self.opened(
                    "INC-2026-0001",
                    [
                        "kind": "tampering", "information": "給食アレルギー情報", "count": 37, "count_unit": "人", "discovered_at": ago(4),
                        "location": "給食管理システム", "circumstances": "権限のない変更を検知",
                    ])
            ),
        ]
        for (contractor, id, body) in messages {
            let r = try city.deliver(as: contractor, id: id, body: body)
            #expect(r.status == 200, "\(r)")
        }
        let out = city.dir + "/screenshots"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let instruction = "対象者一覧を本日17時までに提出すること"
        let args = [
            "python3", Self.script, "http://127.0.0.1:\(city.port)", "tanaka", "correct horse battery", "acme", "INC-2026-0001",
            instruction, out,
        ]
        let r = try DaemonHarness.shell("timeout 120 " + args.map(InboxClient.quote).joined(separator: " "))
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.contains("DONE"), "\(r.stdout)")
        // The instruction went into the store, as the logged-in user's.
        let shown = try JSONParser.parse(try city.cli(["show", "acme", "INC-2026-0001", "--json"]).stdout)
        #expect(shown["instructions"]?.arrayValue?.first?["text"] == .string(instruction))
        #expect(shown["instructions"]?.arrayValue?.first?["issued_by"] == "tanaka")
        #expect(shown["instructions"]?.arrayValue?.count == 1, "the forged POST recorded nothing")
        for name in ["city-list.png", "city-case.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: out + "/" + name)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name) saved")
        }
        // Kept for docs/images (copied by hand): SOKUHO_SCREENSHOTS=DIR.
        if let keep = ProcessInfo.processInfo.environment["SOKUHO_SCREENSHOTS"] {
            for name in ["city-list.png", "city-case.png"] {
                try? FileManager.default.removeItem(atPath: keep + "/" + name)
                try FileManager.default.copyItem(atPath: out + "/" + name, toPath: keep + "/" + name)
            }
        }
    }
}

/// Whether Selenium and chromedriver are installed.
enum SeleniumChromium {
    static let chromedriver = "/usr/bin/chromedriver"
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: chromedriver)
            && (try? DaemonHarness.shell("python3 -c 'import selenium'").status) == 0
    }
}
