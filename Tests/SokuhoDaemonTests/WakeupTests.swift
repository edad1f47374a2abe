import Foundation
import SokuhoDaemon
import Testing

@Suite("Wakeup: an early wake never leaves the next wait returning at once")
/// Upper bounds are far below the waits' timeouts yet far above any delay a loaded machine adds
/// (the whole suite shares two cores); lower bounds prove that no wake-up was left pending.
struct WakeupTests {
    static func elapsed(_ body: () async -> Void) async -> Double {
        let start = ContinuousClock.now
        await body()
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test("a signal wakes the waiter at once; the waits after it sleep their whole timeout")
    func signalThenSleep() async {
        let w = Wakeup()
        w.signal()
        let first = await Self.elapsed { await w.wait(timeout: .seconds(3600)) }
        #expect(first < 1800, "a pending signal ends the wait at once, not after its timeout")
        // The defect: the cancelled sleeper of that wait signalled again, so every later wait
        // returned at once and the worker spun. Each of these must take its full timeout.
        for _ in 0..<3 {
            let t = await Self.elapsed { await w.wait(timeout: .milliseconds(200)) }
            #expect(t >= 0.18, "wait returned after \(t) s instead of sleeping 0.2 s")
        }
    }

    @Test("a signal during a wait ends it early, and leaves nothing pending")
    func signalDuringWait() async {
        let w = Wakeup()
        let waiter = Task { await Self.elapsed { await w.wait(timeout: .seconds(3600)) } }
        try? await Task.sleep(for: .milliseconds(100))
        w.signal()
        let t = await waiter.value
        #expect(t < 1800)
        let next = await Self.elapsed { await w.wait(timeout: .milliseconds(200)) }
        #expect(next >= 0.18, "nothing may be left pending after an early wake: \(next) s")
    }

    @Test("cancelling the waiting task ends the wait")
    func cancellation() async {
        let w = Wakeup()
        let task = Task { await Self.elapsed { await w.wait(timeout: .seconds(3600)) } }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        #expect(await task.value < 1800)
    }
}
