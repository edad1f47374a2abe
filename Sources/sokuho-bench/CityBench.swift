import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// The city's figures (`--city-only`): the real `sokuho-city serve` (one contractor), signed
/// messages sent by `senders` clients at once over keep-alive connections, each answered only
/// once it is committed. Prints messages stored per second and the answer latency.
enum CityBench {
    static func run(bin: String, dir: String, messages: Int, senders: Int) throws -> [(String, String, JSONValue)] {
        let secretText = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try secretText.write(toFile: dir + "/acme.secret", atomically: true, encoding: .utf8)
        chmod(dir + "/acme.secret", 0o600)
        try FileManager.default.createDirectory(atPath: dir + "/city", withIntermediateDirectories: true)
        try """
        state_dir: \(dir)/city
        listen: "127.0.0.1:0"
        contractors:
          - name: acme
            secret_file: \(dir)/acme.secret
        """.write(toFile: dir + "/city.yaml", atomically: true, encoding: .utf8)
        // The inbox's user, before the daemon starts (it reads the users file at start).
        let add = Process()
        add.executableURL = URL(fileURLWithPath: "/bin/sh")
        add.arguments = [
            "-c", "printf 'bench-password-123\\n' | '\(bin)/sokuho-city' user add bench --config '\(dir)/city.yaml' >/dev/null",
        ]
        try add.run()
        add.waitUntilExit()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin + "/sokuho-city")
        p.arguments = ["serve", "--config", dir + "/city.yaml"]
        let log = Pipe()
        p.standardError = log
        try p.run()
        defer { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        var port = 0
        var seen = ""
        while port == 0, p.isRunning {
            let chunk = log.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let r = seen.range(of: "listening on 127.0.0.1:") { port = Int(seen[r.upperBound...].prefix(while: \.isNumber)) ?? 0 }
        }
        guard port > 0 else { throw BenchError("sokuho-city did not start: \(seen)") }
        let secret = try WebhookSignature.Secret(secretText)
        let bound = port
        let latencies = Samples()
        let failures = Counter()
        let start = Date()
        Bench.onThreads(senders) { t in
            guard let conn = try? KeepAliveClient(port: bound) else { failures.add(); return }
            for i in stride(from: t, to: messages, by: senders) {
                let id = "msg_bench_\(i)"
                let body = Array(
                    #"{"type":"incident.opened","timestamp":"2026-11-28T00:00:00Z","data":{"case_id":"INC-2026-\#(String(format: "%05d", i + 1))","state":"open","kind":"leak","count":\#(i),"discovered_at":"2026-11-28T00:00:00Z","audit":{"seq":\#(i + 1),"hash":"\#(String(repeating: "a", count: 64))"}}}"#
                        .utf8)
                let ts = Int64(Date().timeIntervalSince1970)
                let sig = WebhookSignature.header(id: id, timestamp: ts, body: body, secrets: [secret])
                let t0 = Date()
                guard
                    (try? conn.post(
                        headers: [("webhook-id", id), ("webhook-timestamp", String(ts)), ("webhook-signature", sig)], body: body)) == 200
                else { failures.add(); continue }
                latencies.add(Date().timeIntervalSince(t0) * 1000)
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let rate = Double(messages) / seconds
        let xs = latencies.all
        let page = try inboxTimes(bin: bin, dir: dir, port: bound)
        return [
            (
                "sokuho-city: inbox list page with \(messages) cases (ms, logged in, curl)", Bench.p(page),
                Bench.pj(page)
            ),
            (
                "sokuho-city: signed messages stored (\(senders) senders, \(messages) messages)", String(format: "%.0f /s", rate),
                .double(rate)
            ),
            ("sokuho-city: answer latency p50 / p99 (ms, committed before the answer)", Bench.p(xs), Bench.pj(xs)),
            ("sokuho-city: failed sends", "\(failures.value)", .int(Int64(failures.value))),
        ]
    }
}

extension CityBench {
    /// Logs in to the inbox with curl (a user added with `sokuho-city user add`) and times the
    /// list page 10 times.
    static func inboxTimes(bin: String, dir: String, port: Int) throws -> [Double] {
        let script = """
            set -e
            cd '\(dir)'
            token=$(curl -sS -c jar http://127.0.0.1:\(port)/login | sed -n 's/.*name="csrf" value="\\([^"]*\\)".*/\\1/p' | head -1)
            curl -sS -o /dev/null -b jar -c jar --data-urlencode "csrf=$token" --data-urlencode name=bench \\
                --data-urlencode password=bench-password-123 http://127.0.0.1:\(port)/login
            for i in 1 2 3 4 5 6 7 8 9 10; do curl -sS -o /dev/null -b jar -w '%{http_code} %{size_download} %{time_total}\\n' http://127.0.0.1:\(port)/; done
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
        guard !lines.isEmpty, lines.allSatisfy({ $0.count == 3 && $0[0] == "200" }) else {
            throw BenchError("the inbox list page was not served: \(lines)")
        }
        FileHandle.standardError.write(Data("inbox list page: \(lines[0][1]) bytes\n".utf8))
        return lines.compactMap { Double($0[2]).map { $0 * 1000 } }
    }
}

/// One keep-alive HTTP/1.1 connection that posts and reads each answer to its end.
final class KeepAliveClient {
    let fd: Int32
    var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { close(fd); throw BenchError("connect failed") }
    }

    deinit { close(fd) }

    /// Posts and returns the status.
    func post(headers: [(String, String)], body: [UInt8]) throws -> Int {
        var head = "POST /hook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: \(body.count)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        let out = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("write failed") }
            sent += n
        }
        // Headers, then content-length bytes of body.
        while true {
            if let end = find([13, 10, 13, 10]) {
                let headText = String(decoding: buffer[..<end], as: UTF8.self)
                let status = Int(headText.split(separator: " ").dropFirst().first ?? "") ?? 0
                let length =
                    headText.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < end + 4 + length { try fill() }
                buffer.removeFirst(end + 4 + length)
                return status
            }
            try fill()
        }
    }

    private func find(_ pattern: [UInt8]) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        for i in 0...(buffer.count - pattern.count) where Array(buffer[i..<i + pattern.count]) == pattern { return i }
        return nil
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw BenchError("connection closed") }
        buffer += chunk[0..<n]
    }
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
