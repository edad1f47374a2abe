import Foundation
import Logging
import SokuhoCore
import SokuhoDaemon
import SokuhoStore
import Testing

@Suite("Delivery reads the time from the injected clock")
struct DeliveryClockTests {
    @Test("a message falls due at the desk's time; the worker times the attempt and the retry by its clock")
    func injectedClock() async throws {
        let t = Date(timeIntervalSince1970: 1_900_000_000)
        let clock = DeskFixture.StillClock(date: t)
        let f = try DeskFixture(clock: clock)
        let id = try await f.report(.alice)
        let queued = try await f.store.outbox(caseID: id)
        #expect(queued.count == 1)
        #expect(queued.first?.nextAttemptAt == t.timeIntervalSince1970)

        // No endpoint configured: the attempt is recorded and retried 300 s after the clock's time.
        let worker = DeliveryWorker(
            store: f.store, clock: clock, endpoints: [], schedule: .standard, wakeup: Wakeup(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await worker.run() }
        // Wait for the attempt (the loop ends as soon as it is recorded); the bound is generous:
        // under the whole suite on 2 cores the worker may wait long for a thread.
        let deadline = ContinuousClock.now + .seconds(240)
        var message = try #require(queued.first)
        while ContinuousClock.now < deadline {
            message = try #require(try await f.store.outbox(caseID: id).first)
            if message.attempts > 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        task.cancel()
        _ = try? await task.value
        #expect(message.attempts == 1)
        #expect(message.nextAttemptAt == t.timeIntervalSince1970 + 300)
        #expect(message.lastError == "endpoint city is not configured")
    }
}
