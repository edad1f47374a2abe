import NIOCore
import NIOEmbedded
import SokuhoCore
import Testing

@testable import SokuhoControl

@Suite("Connection bounds: caps, buffer budget, line and idle timeouts")
struct ConnectionGuardTests {
    static func limits(_ edit: (inout ConnectionLimits) -> Void = { _ in }) -> ConnectionLimits {
        var l = ConnectionLimits()
        l.maxConnections = 4
        l.maxConnectionsPerUser = 2
        l.maxBuffered = 4096
        l.lineTimeout = 10
        l.idleTimeout = 60
        edit(&l)
        return l
    }

    @Test("connections are capped per user and in all; closing frees the place")
    func caps() {
        let b = ConnectionBudget(limits: Self.limits())
        #expect(b.open(uid: 1) == nil)
        #expect(b.open(uid: 1) == nil)
        guard case .tooManyConnections(total: false, _)? = b.open(uid: 1) else { Issue.record("per-user cap"); return }
        #expect(b.open(uid: 2) == nil)
        #expect(b.open(uid: 3) == nil)
        guard case .tooManyConnections(total: true, _)? = b.open(uid: 4) else { Issue.record("total cap"); return }
        b.close(uid: 1)
        #expect(b.open(uid: 4) == nil)
        #expect(b.openConnections == 4)
    }

    func channel(_ budget: ConnectionBudget, uid: UInt32 = 7) throws -> EmbeddedChannel {
        let ch = EmbeddedChannel(handler: ConnectionGuard(uid: uid, budget: budget))
        try ch.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/x")).wait()
        return ch
    }

    static func answer(_ ch: EmbeddedChannel) throws -> JSONValue? {
        guard var out = try ch.readOutbound(as: ByteBuffer.self) else { return nil }
        return try JSONParser.parse(out.readBytes(length: out.readableBytes) ?? [])
    }

    @Test("an unfinished line counts against the budget; past it the connection is told and closed")
    func budget() throws {
        let b = ConnectionBudget(limits: Self.limits())
        let ch = try channel(b)
        try ch.writeInbound(ByteBuffer(string: String(repeating: "a", count: 900)))
        #expect(b.bufferedBytes == 900)
        try ch.writeInbound(ByteBuffer(string: "b\n{\"op\""))
        #expect(b.bufferedBytes == 5, "a finished line no longer counts")
        try ch.writeInbound(ByteBuffer(string: String(repeating: "c", count: 2000)))  // per user: 4096 / 4 = 1024
        #expect(try Self.answer(ch)?["error"]?["code"] == "too_busy")
        #expect(!ch.isActive)
        #expect(b.bufferedBytes == 0, "a closed connection holds nothing")
    }

    @Test("a line not finished within line_timeout is answered timeout and closed")
    func lineTimeout() throws {
        let b = ConnectionBudget(limits: Self.limits())
        let ch = try channel(b)
        for _ in 0..<9 {
            try ch.writeInbound(ByteBuffer(string: "a"))
            ch.embeddedEventLoop.advanceTime(by: .seconds(1))
        }
        #expect(ch.isActive, "a byte a second keeps the connection open only until the line's deadline")
        ch.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try Self.answer(ch)?["error"]?["code"] == "timeout")
        #expect(!ch.isActive)
    }

    @Test("an idle connection closes; one awaiting its answer does not")
    func idle() throws {
        let b = ConnectionBudget(limits: Self.limits())
        let idle = try channel(b)
        idle.embeddedEventLoop.advanceTime(by: .seconds(61))
        #expect(!idle.isActive)
        let busy = try channel(b)
        try busy.writeInbound(ByteBuffer(string: "{\"op\":\"status\"}\n"))
        busy.embeddedEventLoop.advanceTime(by: .seconds(120))
        #expect(busy.isActive, "the daemon is still working on its request")
        try busy.writeOutbound(ByteBuffer(string: "{\"ok\":true}\n"))
        busy.embeddedEventLoop.advanceTime(by: .seconds(61))
        #expect(!busy.isActive)
    }

    @Test("a client whose answers back up because it never reads is closed after the idle timeout")
    func neverReads() throws {
        let b = ConnectionBudget(limits: Self.limits())
        let ch = try channel(b)
        try ch.writeInbound(ByteBuffer(string: "{\"op\":\"status\"}\n"))
        ch.isWritable = false
        ch.embeddedEventLoop.advanceTime(by: .seconds(61))
        #expect(!ch.isActive)
    }
}
