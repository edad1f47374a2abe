import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `metrics.listen`: the Prometheus endpoint of the real daemon, as Prometheus (the user), as a
/// second user who must learn nothing about cases, and as an attacker.
@Suite("Prometheus metrics from the real daemon", .enabled(if: EndpointHarness.python != nil))
struct MetricsTests {
    /// A port that was free a moment ago on 127.0.0.1.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        a.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw HarnessError("no free port") }
        return Int(UInt16(bigEndian: a.sin_port))
    }

    /// A connected TCP socket to host:port, or nil when refused.
    static func connectTo(_ host: String, _ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var tv = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr(host)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        let r = withUnsafePointer(to: &a) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 { close(fd); return nil }
        return fd
    }

    /// Sends `request` and reads until the server closes; nil when the connection was refused.
    static func exchange(_ port: Int, _ request: [UInt8], host: String = "127.0.0.1") -> String? {
        guard let fd = connectTo(host, port) else { return nil }
        defer { close(fd) }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func get(_ port: Int, _ path: String = "/metrics") -> String? {
        exchange(port, Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
    }

    static func samples(_ response: String) -> [String: Double] {
        var out: [String: Double] = [:]
        let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let v = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = v
        }
        return out
    }

    func daemon(city: EndpointHarness, port: Int) throws -> DaemonHarness {
        let d = try DaemonHarness(extra: city.cityConfig + "metrics:\n  listen: 127.0.0.1:\(port)\n")
        try d.start()
        try waitFor { Self.get(port)?.hasPrefix("HTTP/1.1 200") == true }
        return d
    }

    @Test("after two reports: reports_total ≥ 2, cases{open} ≥ 2, every contract name; the same values after a restart")
    func asPrometheus() throws {
        let city = try EndpointHarness()
        try city.start()
        let port = try Self.freePort()
        let d = try daemon(city: city, port: port)
        for place in ["本社3階", "倉庫"] {
            let r = try d.cli([
                "report", "--kind", "loss", "--information", "USBメモリ", "--location", place, "--circumstances", "置き忘れ", "--no-prompt",
            ])
            #expect(r.status == 0, "\(r.stderr)")
        }
        // Wait for the event (both opening messages delivered), then assert.
        try waitFor { (Self.samples(Self.get(port) ?? "")[#"sokuho_deliveries_total{endpoint="city",outcome="delivered"}"#] ?? 0) >= 2 }
        let response = try #require(Self.get(port))
        #expect(response.hasPrefix("HTTP/1.1 200"))
        #expect(response.lowercased().contains("content-type: text/plain; version=0.0.4"))
        for name in [
            "sokuho_build_info", "sokuho_reports_total", "sokuho_cases", "sokuho_outbox_messages", "sokuho_outbox_oldest_pending_seconds",
            "sokuho_deliveries_total", "sokuho_delivery_duration_seconds", "sokuho_clocks_missed_total", "sokuho_spool_rejected_total",
            "sokuho_audit_chain_events",
        ] {
            #expect(response.contains("# TYPE \(name) "), "\(name) missing:\n\(response)")
        }
        let s = Self.samples(response)
        #expect((s[#"sokuho_reports_total{channel="socket"}"#] ?? 0) >= 2)
        #expect((s[#"sokuho_cases{state="open"}"#] ?? 0) >= 2)
        #expect(s[#"sokuho_build_info{version="\#(SokuhoVersion.current)"}"#] == 1)
        #expect((s["sokuho_delivery_duration_seconds_count"] ?? 0) >= 2)
        #expect((s["sokuho_audit_chain_events"] ?? 0) >= 2)

        // Restart: the values come from the database, not from the old process's memory.
        #expect(d.stop() == 0)
        try d.start()
        try waitFor { Self.get(port)?.hasPrefix("HTTP/1.1 200") == true }
        let again = Self.samples(try #require(Self.get(port)))
        for key in [
            #"sokuho_reports_total{channel="socket"}"#, #"sokuho_cases{state="open"}"#,
            #"sokuho_deliveries_total{endpoint="city",outcome="delivered"}"#,
            "sokuho_delivery_duration_seconds_count", "sokuho_audit_chain_events",
        ] {
            #expect(
                again[key] == s[key], "\(key): \(String(describing: again[key])) after the restart, \(String(describing: s[key])) before")
        }
    }

    @Test("a second user learns only counts: no report text, place, case id or user name; nothing on other addresses")
    func secondUser() throws {
        let city = try EndpointHarness()
        try city.start()
        let port = try Self.freePort()
        let d = try daemon(city: city, port: port)
        let r = try d.cli([
            "report", "--kind", "leak", "--information", "マイナンバー一覧", "--location", "極秘会議室", "--circumstances", "誤送信",
            "--reporter-name", "山田 太郎", "--no-prompt", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let id = try #require(try JSONParser.parse(r.stdout)["case"]?["id"]?.stringValue)
        try waitFor { (Self.samples(Self.get(port) ?? "")[#"sokuho_cases{state="open"}"#] ?? 0) >= 1 }
        let text = try #require(Self.get(port))
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        for secret in ["マイナンバー", "極秘", "誤送信", "山田", id, "INC-", "user=\"\(user)\"", d.dir] {
            #expect(!text.contains(secret), "\(secret) leaked")
        }
        // It listens on the configured address only: another loopback address is refused.
        #expect(Self.exchange(port, Array("GET /metrics HTTP/1.1\r\n\r\n".utf8), host: "127.0.0.2") == nil)
        // The control socket is still what guards the cases: /metrics offers no way to them.
        for path in ["/", "/cases", "/metrics/../cases", "/api/case.get?id=\(id)"] {
            let other = try #require(Self.get(port, path))
            #expect(other.hasPrefix("HTTP/1.1 404"), "\(path): \(other)")
            #expect(!other.contains("マイナンバー"))
        }
    }

    @Test("an attacker: a flood of silent connections cannot keep a scrape out; a huge request head, a body and other methods are bounded")
    func attacker() throws {
        let city = try EndpointHarness()
        try city.start()
        let port = try Self.freePort()
        let d = try daemon(city: city, port: port)
        // 64 silent connections (the cap is 16): they cannot keep a scraper out. Each new
        // connection at the cap closes the one that has waited longest without a request, so a
        // scrape (which sends its request at once) is answered while they are held, again and
        // again; the server closes every silent one by itself (evicted, or its hard deadline).
        var held: [Int32] = []
        for _ in 0..<64 { if let fd = Self.connectTo("127.0.0.1", port) { held.append(fd) } }
        #expect(held.count == 64)
        for _ in 0..<5 {
            let during = Self.get(port) ?? ""
            #expect(during.hasPrefix("HTTP/1.1 200"), "a scrape was kept out by silent connections: \(during.prefix(100))")
            if let fd = Self.connectTo("127.0.0.1", port) { held.append(fd) }  // and the flood goes on
        }
        var closedByServer = 0
        for fd in held {
            var b: UInt8 = 0
            if recv(fd, &b, 1, 0) == 0 { closedByServer += 1 }
            close(fd)
        }
        #expect(closedByServer == held.count)
        try waitFor { Self.get(port)?.hasPrefix("HTTP/1.1 200") == true }

        // A 1 MiB request head is refused, not buffered.
        let huge = "GET /metrics HTTP/1.1\r\nX-Filler: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
        let hugeAnswer = Self.exchange(port, Array(huge.utf8)) ?? ""
        #expect(!hugeAnswer.hasPrefix("HTTP/1.1 200"), "\(hugeAnswer.prefix(200))")
        // A body, other methods.
        let post = Self.exchange(port, Array("POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello".utf8)) ?? ""
        #expect(post.hasPrefix("HTTP/1.1 405") || post.hasPrefix("HTTP/1.1 413"), "\(post)")
        let body = Self.exchange(port, Array("GET /metrics HTTP/1.1\r\nContent-Length: 100000000\r\n\r\nxx".utf8)) ?? ""
        #expect(body.hasPrefix("HTTP/1.1 413"), "\(body)")
        let garbage = Self.exchange(port, Array("\u{1}\u{2}\u{3} nonsense\r\n\r\n".utf8)) ?? ""
        #expect(!garbage.hasPrefix("HTTP/1.1 200"))
        // Still answering, and the daemon still takes reports.
        #expect(Self.get(port)?.hasPrefix("HTTP/1.1 200") == true)
        #expect(try d.call(["op": "report", "report": minimalReport()])["ok"] == true)
    }
}
