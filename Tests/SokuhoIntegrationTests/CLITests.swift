import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

@Suite("The sokuho command, as a user runs it")
struct CLITests {
    @Test("walkthrough: report, list, show, update, verify — in Japanese and English")
    func walkthrough() throws {
        let d = try DaemonHarness.started()
        let report = try d.cli([
            "report", "--kind", "leak", "--suspected", "--information", "住民基本台帳の情報（氏名・住所）",
            "--location", "大阪府吹田市内", "--circumstances", "USBメモリーをかばんごと紛失", "--count", "unknown",
            "--reporter-name", "山田太郎", "--reporter-organization", "株式会社サンプル", "--reporter-contact", "03-0000-0000",
            "--subcontractor", "協力会社A", "--occurred-at", "2022-06-21", "--no-prompt",
        ])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("Reported. Case INC-"))
        #expect(report.stdout.contains("still unknown: count"))
        let id = try #require(report.stdout.split(separator: " ").first { $0.hasPrefix("INC-") }.map(String.init))

        let show = try d.cli(["case", "show", id, "--json"])
        let c = try JSONParser.parse(show.stdout)["case"] ?? .null
        #expect(c["information"] == "住民基本台帳の情報（氏名・住所）")
        #expect(c["location"] == "大阪府吹田市内")
        #expect(c["suspected"] == true)
        #expect(c["count"] == .null)
        #expect(c["reporter"] == ["name": "山田太郎", "organization": "株式会社サンプル", "contact": "03-0000-0000"])
        #expect(c["subcontractor"] == "協力会社A")
        #expect(c["occurred_at"] == "2022-06-21")
        #expect(c["report_id"]?.stringValue?.count == 36)

        let ja = try d.cli(["case", "show", id], environment: ["LANG": "ja_JP.UTF-8"])
        #expect(ja.stdout.contains("秘密情報の内容"))
        #expect(ja.stdout.contains("【発生のおそれ】"))
        let en = try d.cli(["case", "list"])
        #expect(en.stdout.contains(id))

        let upd = try d.cli(["case", "update", id, "--count", "460517"])
        #expect(upd.status == 0)
        #expect(upd.stdout.contains("count: null → 460517"))
        d.stop()
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("OK: 2 events and 1 cases verify"))
    }

    @Test("a report from standard input (JSON) and from a YAML file")
    func files() throws {
        let d = try DaemonHarness.started()
        let json = try d.cli(["report", "--json"], stdin: minimalReport(["count": 73]).canonicalString)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSONParser.parse(json.stdout)["case"]?["count"] == 73)
        let yaml = """
            kind: loss
            information: 託児室一時預かり使用許可申請書
            count: 73
            count_precision: exact
            location: くまもと森都心プラザ 託児室
            circumstances: 申請書73枚が見当たらない
            discovered_at: 2015-06-01
            reporter:
              name: 担当者
            """
        let path = d.dir + "/report.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let y = try d.cli(["report", "--file", path, "--json"])
        #expect(y.status == 0, "\(y.stderr)")
        let c = try JSONParser.parse(y.stdout)["case"] ?? .null
        #expect(c["discovered_at"] == "2015-06-01")
        #expect(c["reporter"]?["name"] == "担当者")
        #expect(c["count"] == 73)
    }

    @Test("exit codes: invalid 65, usage 64, not found 2, daemon unreachable 69")
    func exitCodes() throws {
        let d = try DaemonHarness.started()
        let invalid = try d.cli(["report", "--kind", "leak", "--information", "i", "--location", "l", "--no-prompt"])
        #expect(invalid.status == 65)
        #expect(invalid.stderr.contains("circumstances"))
        let typo = try d.cli(["report", "--kind", "lek", "--information", "i", "--location", "l", "--circumstances", "c", "--no-prompt"])
        #expect(typo.stderr.contains("did you mean \"leak\""))
        let ja = try d.cli(
            ["report", "--kind", "leak", "--information", "i", "--location", "l", "--no-prompt"], environment: ["LANG": "ja_JP.UTF-8"])
        #expect(ja.stderr.contains("必須"))
        #expect(try d.cli(["report", "--count", "many", "--no-prompt"]).status == 64)
        #expect(try d.cli(["case", "show", "INC-2026-0404"]).status == 2)
        let down = try d.cli(["status"], environment: ["SOKUHO_SOCKET": d.dir + "/nothing.sock"])
        #expect(down.status == 69)
        #expect(down.stderr.contains("Is sokuhod running?"))
        let help = try d.cli(["--help"])
        #expect(help.stdout.contains("EXIT STATUS"))
    }

    @Test(
        "on a terminal, sokuho report asks for the missing fields — in Japanese when LANG is ja",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func prompts() throws {
        let d = try DaemonHarness.started()
        // script(1) gives sokuho a pseudo-terminal; the answers arrive on it line by line.
        let answers = "2\ny\n顧客名簿（氏名・住所）\n本社3階\nメールの誤送信\n\n"
        let run = try DaemonHarness.shell(
            """
            printf '\(answers)' | LANG=ja_JP.UTF-8 SOKUHO_SOCKET='\(d.socketPath)' script -qec '\(DaemonHarness.sokuho) report' /dev/null
            """)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("何が起きましたか？"))
        #expect(run.stdout.contains("秘密情報の内容"))
        #expect(run.stdout.contains("報告を受け付けました"))
        let list = try d.call(["op": "case.list"])
        let c = try #require(list["cases"]?.arrayValue?.first)
        #expect(c["kind"] == "leak")
        #expect(c["suspected"] == true)
        #expect(c["information"] == "顧客名簿（氏名・住所）")
        #expect(c["location"] == "本社3階")
        #expect(c["count"] == .null)
        let en = try DaemonHarness.shell(
            """
            printf '1\nn\nUSB stick\ntrain\nleft on the train\n65\n' | LANG=C.UTF-8 SOKUHO_SOCKET='\(d.socketPath)' script -qec '\(DaemonHarness.sokuho) report' /dev/null
            """)
        #expect(en.stdout.contains("What happened?"))
        #expect(en.stdout.contains("Reported. Case"))
    }
}
