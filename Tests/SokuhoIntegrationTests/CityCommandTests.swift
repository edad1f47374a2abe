import Foundation
import SokuhoCore
import Testing

/// The city's commands as an administrator meets them on a bad day: each mistake is refused
/// with its exit status and a message that says what to do.
@Suite("sokuho-city's commands refuse mistakes with the documented exit status and a way out")
struct CityCommandTests {
    static func run(_ city: CityHarness, _ args: String) throws -> DaemonHarness.Run {
        try DaemonHarness.shell("\(InboxClient.quote(CityHarness.binary)) \(args) --config \(InboxClient.quote(city.configPath))")
    }

    @Test("two contractors sharing a secret: serve refuses to start (78), since their messages could not be told apart")
    func sharedSecret() throws {
        let city = try CityHarness(contractors: ["acme", "bento"])
        let text = try String(contentsOfFile: city.configPath, encoding: .utf8)
            .replacingOccurrences(of: city.dir + "/bento.secret", with: city.dir + "/acme.secret")
        try text.write(toFile: city.configPath, atomically: true, encoding: .utf8)
        let r = try DaemonHarness.shell(
            "timeout 20 \(InboxClient.quote(CityHarness.binary)) serve --config \(InboxClient.quote(city.configPath))")
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("acme and bento share a secret"))
    }

    @Test("unknown contractor (2), bad --state (64), missing state_dir and database copy (74), a busy address (74)")
    func mistakes() throws {
        let city = try CityHarness(contractors: ["acme"])
        let instruct = try Self.run(city, "instruct bento INC-2026-0001 --text 'x'")
        #expect(instruct.status == 2 && instruct.stderr.contains("no contractor bento is configured"), "\(instruct.stderr)")
        let publish = try Self.run(city, "publish bento INC-2026-0001 --decision not_planned")
        #expect(publish.status == 2, "\(publish.stderr)")
        let state = try Self.run(city, "list --state bogus")
        #expect(state.status == 64 && state.stderr.contains("open, contained, resolved, closed"), "\(state.stderr)")
        let copy = try Self.run(city, "audit --contractor acme --db /nonexistent/copy.db")
        #expect(copy.status == 74 && copy.stderr.contains("no such file"), "\(copy.stderr)")

        // The address is taken (by a running sokuho-city): the second says so and which key to change.
        try city.start()
        let text = try String(contentsOfFile: city.configPath, encoding: .utf8)
            .replacingOccurrences(of: "listen: \"127.0.0.1:0\"", with: "listen: \"127.0.0.1:\(city.port)\"")
        let second = city.dir + "/second.yaml"
        try text.write(toFile: second, atomically: true, encoding: .utf8)
        let busy = try DaemonHarness.shell(
            "timeout 20 \(InboxClient.quote(CityHarness.binary)) serve --config \(InboxClient.quote(second))")
        #expect(busy.status == 74 && busy.stderr.contains("the address is in use; change listen"), "\(busy.stderr)")

        try FileManager.default.removeItem(atPath: city.dir + "/state")
        let missing = try Self.run(city, "list")
        #expect(missing.status == 74 && missing.stderr.contains("does not exist: create it"), "\(missing.stderr)")
    }

    @Test("a decision replacing one the contractor has not recorded: the command says so, and show marks the first replaced")
    func replacedDecision() throws {
        let city = try CityHarness(contractors: ["acme"])
        try city.start()
        let opened = JSONValue.object([
            "type": "incident.opened", "timestamp": "2026-11-28T01:00:00Z",
            "data": ["case_id": "INC-2026-0001", "state": "open", "kind": "loss", "information": "x"],
        ])
        #expect(try city.deliver(as: "acme", id: "msg_1", body: opened.canonicalString).status == 200)
        let first = try Self.run(city, "publish acme INC-2026-0001 --decision planned --date 2099-12-01")
        #expect(first.status == 0 && !first.stderr.contains("replaces"), "\(first.stderr)")
        let second = try Self.run(city, "publish acme INC-2026-0001 --decision not_planned")
        #expect(second.status == 0)
        #expect(second.stderr.contains("this replaces CP-1, which the contractor has not recorded yet"), "\(second.stderr)")
        let show = try JSONParser.parse(try Self.run(city, "show acme INC-2026-0001 --json").stdout)
        let decisions = show["publications"]?.arrayValue ?? []
        #expect(decisions.count == 2)
        #expect(decisions.first?["replaced_by"] == "CP-2")
        #expect(decisions.last?["replaced_by"] == .null)
    }
}
