import Foundation
import SokuhoCore
import Testing

/// The city's web inbox on the real `sokuho-city serve`, with curl as the browser: its staff
/// (two users), and an attacker without a session or a token; the contractors' webhooks on the
/// same listener.
@Suite("sokuho-city's inbox: login, sessions, CSRF, the list and the case page, escaping", .serialized)
struct InboxTests {
    static let csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"
    static let hostile =
        "<script>alert(1)</script>\u{202E}fdp.exe\u{1B}[31m"

    /// A city with one contractor, two users, and a case whose payload is hostile.
    static func city() throws -> CityHarness {
        let city = try CityHarness(contractors: ["acme"])
        let added = try city.addUser("alice", password: "correct horse battery")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try city.addUser("bob", password: "bob's long password").status == 0)
        var st = stat()
        stat(city.dir + "/state/users", &st)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(try city.addUser("carol", password: "short").status == 64, "a short password is refused")
        try city.start()
        let message = JSONValue.object([
            "type": "incident.opened", "timestamp": "2026-11-28T01:00:00Z",
            "data": [
                "case_id": "INC-2026-0001", "state": "open", "kind": "leak", "suspected": true, "information": .string(hostile),
                "location": .string("</td><td>" + hostile), "count": 3, "count_unit": "人", "discovered_at": "2026-11-28T00:30:00Z",
                "instructions_open": 0,
            ],
        ])
        let r = try city.deliver(as: "acme", id: "msg_hostile_1", body: message.canonicalString)
        #expect(r.status == 200, "\(r)")
        return city
    }

    /// Logs in through the form, as a browser would: the login page's token, then the POST.
    static func logIn(_ client: InboxClient, name: String, password: String) throws -> InboxClient.Page {
        let form = try client.get("/login")
        let token = try #require(form.csrf)
        return try client.post("/login", form: [("csrf", token), ("name", name), ("password", password)])
    }

    @Test("a user logs in, sees the list and the case, issues an instruction and a decision through the forms, logs out")
    func user() throws {
        let city = try Self.city()
        let alice = InboxClient(port: city.port, dir: city.dir, name: "alice")
        // Not logged in: sent to the login page; every response carries the headers.
        let first = try alice.get("/")
        #expect(first.status == 303)
        #expect(first.headers["location"] == "/login")
        #expect(first.headers["content-security-policy"] == Self.csp)
        let login = try alice.get("/login")
        #expect(login.status == 200)
        #expect(login.headers["content-security-policy"] == Self.csp)
        #expect(login.headers["x-content-type-options"] == "nosniff")
        #expect(login.headers["referrer-policy"] == "no-referrer")
        #expect(login.headers["cache-control"] == "no-store")
        #expect(!login.body.contains("<script"))

        let in_ = try Self.logIn(alice, name: "alice", password: "correct horse battery")
        #expect(in_.status == 303, "\(in_.body)")
        let cookie = try #require(in_.setCookies.first { $0.hasPrefix("sokuho_city_session=") })
        #expect(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict") && cookie.contains("; Path=/"))
        #expect(!cookie.contains("Secure"), "no TLS in this configuration")
        #expect(alice.sessionID?.count == 64)

        // The list: the case, its contractor, the count with its unit, the payload escaped.
        let list = try alice.get("/", headers: ["Accept-Language: en-GB,en;q=0.8"])
        #expect(list.status == 200)
        #expect(list.headers["content-security-policy"] == Self.csp)
        #expect(list.body.contains("INC-2026-0001") && list.body.contains("acme"))
        #expect(list.body.contains("3 persons"), "the count in its unit")
        #expect(list.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!list.body.contains("<script"))
        #expect(!list.body.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x1B })
        #expect(list.body.contains(" min)"), "discovered at 00:30, received now: the delay is shown")
        // In Japanese by the address, and by Accept-Language.
        #expect(try alice.get("/?lang=ja").body.contains("事案一覧"))
        #expect(try alice.get("/", headers: ["Accept-Language: ja,en;q=0.5"]).body.contains("事案一覧"))
        // The filters.
        #expect(try alice.get("/?state=closed").body.contains("INC-2026-0001") == false)
        #expect(try alice.get("/?attention=1").body.contains("INC-2026-0001"), "a first report later than 15 min needs attention")

        // The case page.
        let page = try alice.get("/case/acme/INC-2026-0001")
        #expect(page.status == 200)
        #expect(page.headers["content-security-policy"] == Self.csp)
        #expect(!page.body.contains("<script") && !page.body.contains("</td><td>&lt;"))
        #expect(!page.body.unicodeScalars.contains { $0.value == 0x202E })
        #expect(page.body.contains("msg_hostile_1"))
        let token = try #require(page.csrf)

        // An instruction through the form: 303 back to the case, in the store as alice's.
        let issued = try alice.post(
            "/case/acme/INC-2026-0001/instruct", form: [("csrf", token), ("text", "対象者一覧を本日中に提出すること"), ("from", "情報政策課")])
        #expect(issued.status == 303)
        #expect(issued.headers["location"] == "/case/acme/INC-2026-0001")
        let shown = try JSONParser.parse(try city.cli(["show", "acme", "INC-2026-0001", "--json"]).stdout)
        let instruction = try #require(shown["instructions"]?.arrayValue?.first)
        #expect(instruction["text"] == "対象者一覧を本日中に提出すること")
        #expect(instruction["from"] == "情報政策課")
        #expect(instruction["issued_by"] == "alice")
        #expect(try alice.get("/case/acme/INC-2026-0001").body.contains("対象者一覧を本日中に提出すること"))
        // The answer to the contractor's next message carries it.
        let answer = try city.deliver(as: "acme", id: "msg_poll_1", body: #"{"type":"instructions.poll","data":{}}"#)
        #expect(answer.body.contains("対象者一覧を本日中に提出すること"))

        // A publication decision; an incomplete one is refused with the reason, nothing recorded.
        let bad = try alice.post("/case/acme/INC-2026-0001/publish", form: [("csrf", token), ("decision", "published")])
        #expect(bad.status == 422)
        #expect(bad.body.contains("url"))
        let decided = try alice.post(
            "/case/acme/INC-2026-0001/publish", form: [("csrf", token), ("decision", "planned"), ("date", "2026-12-05")])
        #expect(decided.status == 303)
        let after = try JSONParser.parse(try city.cli(["show", "acme", "INC-2026-0001", "--json"]).stdout)
        #expect(after["publications"]?.arrayValue?.count == 1)
        #expect(after["publications"]?.arrayValue?.first?["decision"] == "planned")

        // Log out: the session is gone, and replaying its cookie gets nothing.
        let old = try #require(alice.sessionID)
        let out = try alice.post("/logout", form: [("csrf", token)])
        #expect(out.status == 303)
        #expect(try alice.get("/").status == 303)
        let replay = InboxClient(port: city.port, dir: city.dir, name: "replay")
        #expect(try replay.get("/", headers: ["Cookie: sokuho_city_session=\(old)"]).status == 303)
    }

    @Test("refused: a wrong password opens no session; a POST without the CSRF token, or with another session's, is 403")
    func attacker() throws {
        let city = try Self.city()
        // A wrong password, and an unknown user: 401, no session cookie.
        let mallory = InboxClient(port: city.port, dir: city.dir, name: "mallory")
        for (name, password) in [("alice", "wrong password!!"), ("nobody", "correct horse battery")] {
            let r = try Self.logIn(mallory, name: name, password: password)
            #expect(r.status == 401)
            #expect(!r.setCookies.contains { $0.hasPrefix("sokuho_city_session=") })
            #expect(r.body.contains("Wrong name or password") || r.body.contains("パスワードが違います"))
            #expect(mallory.sessionID == nil)
            #expect(try mallory.get("/").status == 303)
        }
        // A login POST without the login page's token: 403.
        let forged = InboxClient(port: city.port, dir: city.dir, name: "forged")
        #expect(try forged.post("/login", form: [("name", "alice"), ("password", "correct horse battery")]).status == 403)
        #expect(forged.sessionID == nil)

        // Without a session, a form POST with any token: 403, nothing recorded.
        #expect(
            try mallory.post("/case/acme/INC-2026-0001/instruct", form: [("csrf", String(repeating: "0", count: 64)), ("text", "x")]).status
                == 403)

        // Two users: alice's session without a token, and with bob's token, is refused.
        let alice = InboxClient(port: city.port, dir: city.dir, name: "alice")
        #expect(try Self.logIn(alice, name: "alice", password: "correct horse battery").status == 303)
        let bob = InboxClient(port: city.port, dir: city.dir, name: "bob")
        #expect(try Self.logIn(bob, name: "bob", password: "bob's long password").status == 303)
        #expect(alice.sessionID != bob.sessionID)
        let bobToken = try #require(try bob.get("/case/acme/INC-2026-0001").csrf)
        let aliceToken = try #require(try alice.get("/case/acme/INC-2026-0001").csrf)
        #expect(bobToken != aliceToken)
        let noToken = try alice.post("/case/acme/INC-2026-0001/instruct", form: [("text", "delete everything")])
        #expect(noToken.status == 403)
        #expect(noToken.headers["content-security-policy"] == Self.csp)
        #expect(try alice.post("/case/acme/INC-2026-0001/instruct", form: [("csrf", bobToken), ("text", "x")]).status == 403)
        #expect(try alice.post("/case/acme/INC-2026-0001/publish", form: [("decision", "not_planned")]).status == 403)
        #expect(try alice.post("/logout", form: [("name", "alice")]).status == 403)
        let shown = try JSONParser.parse(try city.cli(["show", "acme", "INC-2026-0001", "--json"]).stdout)
        #expect(shown["instructions"]?.arrayValue?.isEmpty == true)
        #expect(shown["publications"]?.arrayValue?.isEmpty == true)
        // bob's own token works for bob, and the instruction is bob's.
        #expect(try bob.post("/case/acme/INC-2026-0001/instruct", form: [("csrf", bobToken), ("text", "報告書を提出")]).status == 303)
        let after = try JSONParser.parse(try city.cli(["show", "acme", "INC-2026-0001", "--json"]).stdout)
        #expect(after["instructions"]?.arrayValue?.first?["issued_by"] == "bob")
        // Another contractor's case, or none: 404, nothing issued.
        let missing = try bob.post("/case/bento/INC-2026-0001/instruct", form: [("csrf", bobToken), ("text", "x")])
        #expect(missing.status == 404)
        // An unknown path: 404 with the same headers.
        let unknown = try bob.get("/admin")
        #expect(unknown.status == 404)
        #expect(unknown.headers["content-security-policy"] == Self.csp)
    }

    @Test("one listener: webhooks on /hook and on any path with webhook headers; the inbox on the rest")
    func oneListener() throws {
        let city = try Self.city()
        let elsewhere = try city.deliver(
            as: "acme", id: "msg_root_1", body: #"{"type":"status.report","data":{}}"#, path: "/")
        #expect(elsewhere.status == 200, "\(elsewhere)")
        #expect(elsewhere.body.contains(#""contractor":"acme""#))
        let unsigned = try HTTPAnswer.post(port: city.port, path: "/login", headers: [("webhook-id", "x")], body: Array("{}".utf8))
        #expect(unsigned.status == 401)
        let big = try HTTPAnswer.post(
            port: city.port, headers: [("webhook-id", "big")], body: Array(repeating: 0x20, count: (1 << 20) + 1))
        #expect(big.status == 413)
        #expect(try InboxClient(port: city.port, dir: city.dir, name: "x").get("/style.css").status == 200)
    }

    @Test("behind TLS (inbox.secure_cookies: true) the session cookie is Secure")
    func secureCookies() throws {
        let city = try CityHarness(contractors: ["acme"])
        #expect(try city.addUser("alice", password: "correct horse battery").status == 0)
        let yaml = try String(contentsOfFile: city.configPath, encoding: .utf8) + "inbox:\n  secure_cookies: true\n"
        try yaml.write(toFile: city.configPath, atomically: true, encoding: .utf8)
        try city.start()
        let client = InboxClient(port: city.port, dir: city.dir, name: "alice")
        let form = try client.get("/login")
        #expect(form.setCookies.allSatisfy { $0.contains("; Secure") && $0.contains("; HttpOnly") })
        let r = try client.post(
            "/login", form: [("csrf", try #require(form.csrf)), ("name", "alice"), ("password", "correct horse battery")],
            headers: ["Cookie: sokuho_city_login=\(try #require(form.csrf))"])
        #expect(r.status == 303)
        let cookie = try #require(r.setCookies.first { $0.hasPrefix("sokuho_city_session=") })
        #expect(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict"))
    }

    @Test("the users file readable by others: sokuho-city refuses to start")
    func unsafeUsersFile() throws {
        let city = try CityHarness(contractors: ["acme"])
        #expect(try city.addUser("alice", password: "correct horse battery").status == 0)
        chmod(city.dir + "/state/users", 0o644)
        let r = try DaemonHarness.shell(
            "timeout 20 \(InboxClient.quote(CityHarness.binary)) serve --config \(InboxClient.quote(city.configPath))")
        #expect(r.status == 78, "\(r.stderr)")
        #expect(r.stderr.contains("readable by others or writable by its group"))
    }

    @Test(
        "a user added while the daemon runs logs in without a restart; a flood of logins as one user is answered 503, another user logs in during it"
    )
    func addedWhileRunningAndFlood() throws {
        let city = try Self.city()
        // Added while serving: the next login reads the file again.
        #expect(try city.addUser("dave", password: "dave's long password").status == 0)
        let dave = InboxClient(port: city.port, dir: city.dir, name: "dave")
        #expect(try Self.logIn(dave, name: "dave", password: "dave's long password").status == 303)

        // 300 wrong logins as alice, 50 at a time, with a valid login token (the attacker
        // fetched the form), in the background: beyond 2 waiting checks for alice each is refused
        // at once. Meanwhile bob logs in: a flood aimed at one name keeps no one else out.
        let mallory = InboxClient(port: city.port, dir: city.dir, name: "mallory")
        let token = try #require(try mallory.get("/login").csrf)
        let codes = city.dir + "/flood-codes"
        let done = city.dir + "/flood-done"
        let flood = try DaemonHarness.shell(
            "(seq 300 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\\n' -b \(InboxClient.quote(mallory.jar)) "
                + "--data-urlencode csrf=\(token) --data-urlencode name=alice --data-urlencode password=guess{} "
                + "http://127.0.0.1:\(city.port)/login > \(codes); touch \(done)) >/dev/null 2>&1 &")
        #expect(flood.status == 0, "\(flood.stderr)")
        try waitFor { ((try? String(contentsOfFile: codes, encoding: .utf8)) ?? "").contains("503") }
        let bob = InboxClient(port: city.port, dir: city.dir, name: "bob")
        #expect(try Self.logIn(bob, name: "bob", password: "bob's long password").status == 303, "bob logs in during the flood")
        try waitFor(timeout: 120) { FileManager.default.fileExists(atPath: done) }
        let answered = try String(contentsOfFile: codes, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(answered.count == 300)
        #expect(Set(answered).isSubset(of: ["401", "503"]), "\(Set(answered))")
        #expect(answered.filter { $0 == "503" }.count > 150, "most were refused without a password check")
        print("login flood: \(answered.filter { $0 == "401" }.count) checked (401), \(answered.filter { $0 == "503" }.count) refused (503)")
        // The refusal says when to come back, and the log holds a line, not 300.
        let busy = try mallory.post("/login", form: [("csrf", token), ("name", "alice"), ("password", "x")])
        #expect([401, 503].contains(busy.status))
        #expect(city.log.components(separatedBy: "logins refused (503)").count - 1 <= 1)
        // Staff log in once it has passed.
        let alice = InboxClient(port: city.port, dir: city.dir, name: "alice")
        #expect(try Self.logIn(alice, name: "alice", password: "correct horse battery").status == 303)
    }

    @Test("a user removed while logged in: the open session ends at its next request, and the login is refused")
    func removedUser() throws {
        let city = try Self.city()
        let bob = InboxClient(port: city.port, dir: city.dir, name: "bob")
        #expect(try Self.logIn(bob, name: "bob", password: "bob's long password").status == 303)
        #expect(try bob.get("/").status == 200)
        let q = InboxClient.quote
        let removed = try DaemonHarness.shell("\(q(CityHarness.binary)) user remove bob --config \(q(city.configPath))")
        #expect(removed.status == 0, "\(removed.stderr)")
        let again = try DaemonHarness.shell("\(q(CityHarness.binary)) user remove bob --config \(q(city.configPath))")
        #expect(again.status == 2, "no such user the second time")
        let listed = try DaemonHarness.shell("\(q(CityHarness.binary)) user list --json --config \(q(city.configPath))")
        #expect(try JSONParser.parse(listed.stdout)["users"] == ["alice"])
        // The session bob holds no longer opens a page, and a new login fails.
        let after = try bob.get("/")
        #expect(after.status == 303 && after.headers["location"] == "/login")
        #expect(try Self.logIn(bob, name: "bob", password: "bob's long password").status == 401)
        #expect(city.log.contains("ended a session of bob"))
        // alice is untouched.
        let alice = InboxClient(port: city.port, dir: city.dir, name: "alice")
        #expect(try Self.logIn(alice, name: "alice", password: "correct horse battery").status == 303)
    }
}
