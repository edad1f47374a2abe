import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 receiver for the peer comparison: Alertmanager's webhooks are unsigned,
/// so `sokuho receive` (which verifies every signature) would refuse them. Keep-alive, one
/// thread per connection, TCP_NODELAY, each response written in one buffer.
final class PlainReceiver: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let arrivals = Mutex<[(key: String, at: UInt64)]>([])
    private let up = Mutex(true)
    /// Extracts a key from each body (the alert's `i` label).
    let key: @Sendable ([UInt8]) -> [String]

    init(key: @escaping @Sendable ([UInt8]) -> [String]) throws {
        self.key = key
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 128)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        listener = fd
        port = Int(UInt16(bigEndian: addr.sin_port))
        Thread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { if errno == EINTR { continue }; return }
                Thread { self.serve(c) }.start()
            }
        }.start()
    }

    /// While down, requests get 503 (so the sender keeps them to retry, if it does).
    func setUp(_ v: Bool) { up.withLock { $0 = v } }

    var all: [(key: String, at: UInt64)] { arrivals.withLock { $0 } }

    func arrival(of key: String) -> UInt64? { arrivals.withLock { a in a.first { $0.key == key }?.at } }

    private func serve(_ c: Int32) {
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer { close(c) }
        while true {
            // Read headers.
            var headerEnd: Int?
            while headerEnd == nil {
                if let r = buffer.firstRange(of: [13, 10, 13, 10]) { headerEnd = r.upperBound; break }
                let n = chunk.withUnsafeMutableBytes { read(c, $0.baseAddress!, $0.count) }
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).lowercased()
            var length = 0
            if let r = head.range(of: "content-length:") {
                // "\r\n" is one Character in Swift: cut on the unicode scalars.
                let rest = String(head.unicodeScalars[r.upperBound...].prefix { $0 != "\r" && $0 != "\n" })
                length = Int(rest.trimmingCharacters(in: .whitespaces)) ?? 0
            }
            while buffer.count < headerEnd! + length {
                let n = chunk.withUnsafeMutableBytes { read(c, $0.baseAddress!, $0.count) }
                if n <= 0 { return }
                buffer.append(contentsOf: chunk[0..<n])
            }
            let body = Array(buffer[headerEnd!..<(headerEnd! + length)])
            if ProcessInfo.processInfo.environment["SOKUHO_BENCH_DEBUG"] != nil {
                FileHandle.standardError.write(Data("receiver: \(length) bytes, keys \(key(body))\n".utf8))
            }
            buffer.removeFirst(headerEnd! + length)
            let now = DispatchTime.now().uptimeNanoseconds
            let isUp = up.withLock { $0 }
            if isUp { arrivals.withLock { a in for k in key(body) { a.append((k, now)) } } }
            let response =
                isUp
                ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
                : "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}"
            let bytes = Array(response.utf8)
            _ = bytes.withUnsafeBytes { write(c, $0.baseAddress!, $0.count) }
        }
    }
}
