import Synchronization
import Testing

@testable import SokuhoCore

@Suite("WaitingConnections: at the limit, the connection that waited longest makes room")
struct WaitingConnectionsTests {
    final class Closed: Sendable {
        let ids = Mutex<[Int]>([])
        func closer(_ n: Int) -> @Sendable () -> Void { { self.ids.withLock { $0.append(n) } } }
    }

    final class Conn {}

    @Test("the oldest waiting is evicted, one being answered never; full when none waits; closing frees a place")
    func rule() {
        let closed = Closed()
        let c = (0..<5).map { _ in Conn() }
        let id = c.map(ObjectIdentifier.init)
        let w = WaitingConnections(limit: 3)
        for i in 0..<3 {
            let a = w.open(id[i], close: closed.closer(i))
            #expect(a.evict == nil && !a.full)
        }
        // 0 is being answered; 1 then 2 wait, and 1 waited longest.
        w.setWaiting(id[0], false)
        let fourth = w.open(id[3], close: closed.closer(3))
        #expect(!fourth.full)
        fourth.evict?()
        #expect(closed.ids.withLock { $0 } == [1])
        w.closed(id[1])
        // 2 waits again after an answer: it now waited less long than 3.
        w.setWaiting(id[2], false)
        w.setWaiting(id[2], true)
        w.open(id[4], close: closed.closer(4)).evict?()
        #expect(closed.ids.withLock { $0 } == [1, 3])
        w.closed(id[3])
        // Everyone busy: full, nobody evicted.
        for i in [0, 2, 4] { w.setWaiting(id[i], false) }
        let extra = Conn()
        let over = w.open(ObjectIdentifier(extra), close: closed.closer(9))
        #expect(over.full && over.evict == nil)
        w.closed(ObjectIdentifier(extra))
        #expect(w.counts.open == 3 && w.counts.waiting == 0)
        w.closed(id[0])
        #expect(w.counts.open == 2)
        w.closed(id[0])
        #expect(w.counts.open == 2, "closing twice counts once")
    }
}
