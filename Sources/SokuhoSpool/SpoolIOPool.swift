import Foundation

/// A few threads of its own for the spool's blocking file work: reading and decoding a file,
/// writing copies and reason files, and their `fsync`s.
///
/// The cooperative threads of Swift concurrency (one per core) must not wait for the disk: with
/// them, files taken at once would still be synced one or two at a time. Here up to `threads`
/// syncs wait together, and the file system makes one journal commit of them.
///
/// Jobs run in the order they were given. `stop()` lets the threads end once the queue is empty;
/// a job given after `stop()` still runs (on the caller's thread), so nobody waits for ever.
final class SpoolIOPool: @unchecked Sendable {
    // `@unchecked`: `jobs` and `stopped` are only touched under `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopped = false

    init(threads: Int, name: String = "sokuho-spool-io") {
        for i in 0..<max(1, threads) {
            let t = Thread { [self] in self.loop() }
            t.name = "\(name)-\(i)"
            t.start()
        }
    }

    /// Runs `work` on one of the pool's threads and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
            if !submit({ c.resume(returning: work()) }) { c.resume(returning: work()) }
        }
    }

    /// Ends the threads once they have run what is queued. Safe to call more than once.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Queues `job`; false once stopped.
    private func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopped { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    private func loop() {
        while true {
            condition.lock()
            while head == jobs.count, !stopped { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head >= 64, head * 2 >= jobs.count {  // drop what was taken, now and then
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
