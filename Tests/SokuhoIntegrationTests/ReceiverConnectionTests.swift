import Foundation
import SokuhoCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// 1,100 slow connections under `ulimit -n 1024` used to make a signed delivery time out.
@Suite("sokuho receive: slow, silent and too many connections", .serialized)
struct ReceiverConnectionTests {
    @Test("1,100 idle and slow connections under ulimit -n 1024: a signed delivery is still answered at once")
    func slowConnectionsDoNotStarveSenders() throws {
        RawSocket.raiseFileLimit(to: 4096)
        let r = try ReceiverProcess(fileLimit: 1024)
        try #require(r.start() == nil)
        var idle: [Int32] = []
        var slow: [Int32] = []
        defer { for fd in idle + slow { close(fd) } }
        for _ in 0..<600 { idle.append(try RawSocket.connect(port: r.port)) }
        for _ in 0..<500 {
            let fd = try RawSocket.connect(port: r.port)
            _ = send(fd, "P", 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            slow.append(fd)
        }
        // One more byte a second on each slow connection while the delivery is made.
        let stop = LockedFlag()
        let stopped = DispatchSemaphore(value: 0)
        let dripping = slow
        let dripper = Thread {
            let line = Array("OST /hook HTTP/1.1\r\nx: ".utf8)
            var i = 0
            while !stop.isSet {
                for fd in dripping {
                    _ = withUnsafePointer(to: line[i % line.count]) { send(fd, $0, 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                }
                i += 1
                for _ in 0..<10 where !stop.isSet { Thread.sleep(forTimeInterval: 0.1) }
            }
            stopped.signal()
        }
        dripper.start()
        // The thread is done with the descriptors before they are closed (and reused).
        defer { stop.set(); stopped.wait() }
        Thread.sleep(forTimeInterval: 1)
        let started = Date()
        let answer = try r.deliver(id: "msg_under_load", body: #"{"n":1}"#)
        let elapsed = Date().timeIntervalSince(started)
        print("signed delivery with 600 idle + 500 slow connections held (ulimit -n 1024): \(Int(elapsed * 1000)) ms")
        #expect(answer.status == 200, "\(answer) \(r.log)")
        #expect(elapsed < 2, "\(elapsed) s")
        #expect(r.received.count == 1)
        #expect(r.log.contains("at most"), "the cap is lowered to the open-file limit: \(r.log)")
        // The receiver told, once, that it closes connections to make room.
        #expect(r.log.components(separatedBy: "connection cap").count == 2, "\(r.log)")
    }

    @Test("idle and slow connections are closed after the timeouts; a delivery during it is served")
    func timeoutsCloseConnections() throws {
        RawSocket.raiseFileLimit(to: 4096)
        let r = try ReceiverProcess(options: ["--idle-timeout", "1.5", "--request-timeout", "1"])
        try #require(r.start() == nil)
        var idle: [Int32] = []
        var slow: [Int32] = []
        defer { for fd in idle + slow { close(fd) } }
        let opened = Date()
        for _ in 0..<250 { idle.append(try RawSocket.connect(port: r.port)) }
        for _ in 0..<250 {
            let fd = try RawSocket.connect(port: r.port)
            _ = send(fd, "P", 1, Int32(MSG_NOSIGNAL))
            slow.append(fd)
        }
        let started = Date()
        #expect(try r.deliver(id: "msg_1", body: "{}").status == 200)
        let elapsed = Date().timeIntervalSince(started)
        print("signed delivery with 250 idle + 250 slow connections held: \(Int(elapsed * 1000)) ms")
        #expect(elapsed < 5, "served while 500 connections are held: \(elapsed) s")
        // Slow ones (a request begun) go after about 1 s, idle ones after about 1.5 s — not before.
        try waitFor(timeout: 30) { slow.allSatisfy(RawSocket.closedByPeer) }
        try waitFor(timeout: 30) { idle.allSatisfy(RawSocket.closedByPeer) }
        let took = Date().timeIntervalSince(opened)
        #expect(took >= 1.4, "closed no earlier than the idle timeout: \(took) s")
        // A keep-alive connection that sent a request and then nothing is closed too.
        let ka = try RawSocket.connect(port: r.port)
        defer { close(ka) }
        let req = Array("POST /hook HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\n\r\n{}".utf8)
        _ = req.withUnsafeBytes { send(ka, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        try waitFor(timeout: 10) { RawSocket.closedByPeer(ka) }
        #expect(r.isRunning)
    }

    @Test("over the connection cap, silent connections make room for a sender")
    func connectionCap() throws {
        let r = try ReceiverProcess(options: ["--max-connections", "50"])
        try #require(r.start() == nil)
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for _ in 0..<200 { held.append(try RawSocket.connect(port: r.port)) }
        // The oldest are closed: never more than 50 open at once.
        try waitFor(timeout: 5) { held.prefix(150).allSatisfy(RawSocket.closedByPeer) }
        #expect(held.suffix(50).filter(RawSocket.closedByPeer).isEmpty)
        #expect(try r.deliver(id: "msg_1", body: "{}").status == 200)
        #expect(r.received.count == 1)
    }
}

/// A flag shared with a thread.
final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
