import Foundation
import SokuhoCore

/// Prometheus Alertmanager on loopback, fed the same kind of events, for the side-by-side
/// figures: event → webhook latency, burst rate end to end, idle memory, and what survives a
/// SIGKILL and a restart while the receiver is down.
struct AlertmanagerPeer {
    static let binaries = ["/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager"]
    static var binary: String? { binaries.first { FileManager.default.isExecutableFile(atPath: $0) } }

    let dir: String
    let receiver: PlainReceiver
    let apiPort: Int
    var process: Process?

    init(dir: String) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        receiver = try PlainReceiver { body in
            // Alertmanager's webhook body: {"alerts": [{"labels": {"i": "…"}}, …]}
            guard let v = try? JSONParser.parse(body), case .array(let alerts)? = v["alerts"] else { return [] }
            return alerts.compactMap { $0["labels"]?["i"]?.stringValue }
        }
        apiPort = Int.random(in: 20000...40000)
        try """
        route:
          receiver: bench
          group_by: ['...']
          group_wait: 0s
          group_interval: 1s
          repeat_interval: 24h
        receivers:
          - name: bench
            webhook_configs:
              - url: http://127.0.0.1:\(receiver.port)/am
                send_resolved: false
        """.write(toFile: dir + "/am.yml", atomically: true, encoding: .utf8)
    }

    mutating func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = [
            "--config.file=\(dir)/am.yml", "--storage.path=\(dir)/data", "--web.listen-address=127.0.0.1:\(apiPort)",
            "--cluster.listen-address=", "--log.level=error",
        ]
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if (try? get("/-/ready")) == 200 { return }
            usleep(50_000)
        }
        throw Bench.Failure("alertmanager did not become ready")
    }

    mutating func kill9() {
        if let p = process { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    func get(_ path: String) throws -> Int {
        let (status, _) = try HTTP.request("GET", port: apiPort, path: path, body: [])
        return status
    }

    /// Posts alerts with label `i` = each key.
    func post(_ keys: [String]) throws {
        let alerts = JSONValue.array(
            keys.map { k in ["labels": ["alertname": "bench", "i": .string(k)], "annotations": ["summary": "顧客名簿の漏えいのおそれ"]] })
        let (status, _) = try HTTP.request("POST", port: apiPort, path: "/api/v2/alerts", body: alerts.canonicalBytes)
        guard status == 200 else { throw Bench.Failure("alertmanager answered \(status)") }
    }

    /// Waits until every key arrived (or the timeout); returns the arrival times.
    func wait(for keys: [String], timeout: Double) -> [UInt64] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let got = keys.compactMap { receiver.arrival(of: $0) }
            if got.count == keys.count { return got }
            usleep(200)
        }
        return keys.compactMap { receiver.arrival(of: $0) }
    }
}

/// One blocking HTTP/1.1 request on a new connection (for the peer's API).
enum HTTP {
    static func request(_ method: String, port: Int, path: String, body: [UInt8]) throws -> (Int, [UInt8]) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Bench.Failure("connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var req = Array(
            "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                .utf8)
        req += body
        _ = req.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        let text = String(decoding: out.prefix(32), as: UTF8.self)
        let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        return (status, out)
    }
}
