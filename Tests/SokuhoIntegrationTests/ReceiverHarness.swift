import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// The real `sokuho receive`, started with any options (and optionally under `ulimit -n`), and
/// a raw HTTP/1.1 client to talk to it as a sender or an attacker would.
final class ReceiverProcess: @unchecked Sendable {
    let dir: String
    let secret: String
    let options: [String]
    let fileLimit: Int?
    private(set) var process: Process?
    private(set) var port = 0

    var secretPath: String { dir + "/secret" }
    var outPath: String { dir + "/received.jsonl" }
    var logPath: String { dir + "/receive.log" }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var received: [JSONValue] {
        ((try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONParser.parse(String($0))
        }
    }

    init(options: [String] = [], fileLimit: Int? = nil) throws {
        self.options = options
        self.fileLimit = fileLimit
        var template = Array("/tmp/sokuho-rcv-XXXXXX".utf8CString)
        guard let p = mkdtemp(&template) else { throw HarnessError("mkdtemp failed") }
        dir = String(cString: p)
        secret = "whsec_" + Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        try secret.write(toFile: secretPath, atomically: true, encoding: .utf8)
        chmod(secretPath, 0o600)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    var secrets: [WebhookSignature.Secret] { [try! WebhookSignature.Secret(secret)] }

    /// A receiver already listening (the test fails at once when it cannot start).
    static func started() throws -> ReceiverProcess {
        let r = try ReceiverProcess()
        if let failed = try r.start() { throw HarnessError("sokuho receive exited with \(failed.status): \(failed.log)") }
        return r
    }

    /// Runs `sokuho receive` and waits for its "listening on" line; returns its exit status
    /// and log instead when it exits first.
    @discardableResult
    func start(environment: [String: String] = [:]) throws -> (status: Int32, log: String)? {
        let p = Process()
        let args = ["receive", "--listen", "127.0.0.1:\(port)", "--secret-file", secretPath, "--out", outPath] + options
        if let n = fileLimit {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "ulimit -n \(n) && exec \"$0\" \"$@\"", DaemonHarness.sokuho] + args
        } else {
            p.executableURL = URL(fileURLWithPath: DaemonHarness.sokuho)
            p.arguments = args
        }
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        env.removeValue(forKey: "LC_MESSAGES")
        for (k, v) in environment { env[k] = v }
        p.environment = env
        try? FileManager.default.removeItem(atPath: logPath)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let h = FileHandle(forWritingAtPath: logPath)!
        p.standardError = h
        p.standardOutput = h
        try p.run()
        try? h.close()
        process = p
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let line = log.split(separator: "\n").last(where: { $0.contains("listening on") }),
                let r = line.range(of: "127.0.0.1:"), let bound = Int(line[r.upperBound...].prefix(while: \.isNumber))
            {
                port = bound
                return nil
            }
            if !p.isRunning {
                p.waitUntilExit()
                process = nil
                return (p.terminationStatus, log)
            }
            usleep(20_000)
        }
        throw HarnessError("sokuho receive did not start: \(log)")
    }

    var isRunning: Bool { process?.isRunning ?? false }

    func stop() {
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        process = nil
    }

    /// A correctly signed delivery now.
    func signedHeaders(id: String, body: [UInt8], timestamp: Int64 = Int64(Date().timeIntervalSince1970)) -> [(String, String)] {
        [
            ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", WebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: secrets)),
        ]
    }

    func deliver(id: String, body: String) throws -> HTTPAnswer {
        try HTTPAnswer.post(port: port, headers: signedHeaders(id: id, body: Array(body.utf8)), body: Array(body.utf8))
    }
}

struct HTTPAnswer {
    var status: Int
    var body: String

    /// One request on a new connection (`connection: close`); the answer read to the end.
    static func post(port: Int, path: String = "/hook", headers: [(String, String)], body: [UInt8], timeout: Double = 10) throws
        -> HTTPAnswer
    {
        var head = "POST \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nconnection: close\r\n"
        if !headers.contains(where: { $0.0.lowercased() == "content-length" }) { head += "content-length: \(body.count)\r\n" }
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        return try raw(port: port, bytes: Array((head + "\r\n").utf8) + body, timeout: timeout)
    }

    /// Sends bytes, reads until the peer closes; parses the status line.
    static func raw(port: Int, bytes: [UInt8], timeout: Double = 10) throws -> HTTPAnswer {
        let fd = try RawSocket.connect(port: port)
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { if n < 0 && got.isEmpty { throw HarnessError("no answer: \(String(cString: strerror(errno)))") }; break }
            got.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: got, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return HTTPAnswer(status: status, body: body)
    }
}

enum RawSocket {
    /// A blocking TCP connection to 127.0.0.1:port.
    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let r = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard r == 0 else {
            let e = errno
            close(fd)
            throw HarnessError("connect: \(String(cString: strerror(e)))")
        }
        return fd
    }

    /// True once the peer has closed `fd` (a read returns 0 or an error).
    static func closedByPeer(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var b: UInt8 = 0
        let n = recv(fd, &b, 1, Int32(MSG_DONTWAIT))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Raises this process's soft limit on open files to at least `n` (up to the hard limit).
    static func raiseFileLimit(to n: Int) {
        var lim = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        if lim.rlim_cur < rlim_t(n) {
            lim.rlim_cur = min(rlim_t(n), lim.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        }
    }
}
