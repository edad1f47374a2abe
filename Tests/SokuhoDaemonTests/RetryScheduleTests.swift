import SokuhoDaemon
import Testing

@Suite("The retry schedule of the outbox")
struct RetryScheduleTests {
    @Test("the schedule: delays with jitter, Retry-After wins when longer, then exhausted")
    func schedule() {
        let s = RetrySchedule.standard
        #expect(s.delays.count == 9)
        #expect(s.delay(afterAttempt: 1, retryAfter: nil, jitter: 0) == 5)
        #expect(s.delay(afterAttempt: 2, retryAfter: nil, jitter: 0.1) == 330)
        #expect(s.delay(afterAttempt: 1, retryAfter: 120, jitter: 0) == 120)
        #expect(s.delay(afterAttempt: 9, retryAfter: nil, jitter: 0) == 86400)
        #expect(s.delay(afterAttempt: 10, retryAfter: nil, jitter: 0) == nil)
    }
}
