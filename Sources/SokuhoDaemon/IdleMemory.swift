import Logging
import ServiceLifecycle
import Synchronization

/// Gives memory back when the daemon falls quiet after activity: first what `release` frees
/// (SQLite's caches, `CaseStore.releaseMemory`), then glibc's free pages (`ProcessMemory.trim`).
///
/// Contract:
/// - `touch()` marks activity (a request, a change, a delivery): a counter under a lock, it never
///   waits;
/// - memory is released once `quiet` after start, and then once after each stretch of activity,
///   when nothing has touched for `quiet`: a steady stream of work is never interrupted by it;
/// - between a release and the next touch the service waits without a timer: an idle daemon is
///   not woken by it;
/// - each release is logged at debug level, "memory released while idle", with the resident
///   private memory before and after (`rss_anon_kib_before`, `rss_anon_kib_after`).
public final class IdleMemory: Service, Sendable {
    private struct State {
        var touches: UInt64 = 0
        /// The `run` loop waiting for the next touch.
        var waiter: CheckedContinuation<Void, Never>?
        var cancelled = false
    }

    private let state = Mutex(State())
    let quiet: Duration
    let logger: Logger
    let release: @Sendable () -> Void

    /// - Parameter release: frees what the daemon holds for speed; runs on a Dispatch thread, with
    ///   nothing else of this service running.
    public init(quiet: Duration = .seconds(2), logger: Logger, release: @escaping @Sendable () -> Void = {}) {
        self.quiet = quiet
        self.logger = logger
        self.release = release
    }

    /// Marks activity: the next release waits until the daemon is quiet again.
    public func touch() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.touches &+= 1
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    private var touches: UInt64 { state.withLock { $0.touches } }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await self.releaseWhenQuiet() }
    }

    private func releaseWhenQuiet() async {
        // The touch count at the last release; nil: none yet (the first comes after start).
        var released: UInt64?
        while !Task.isCancelled {
            if let released { await waitForTouch(after: released) }
            var seen: UInt64
            repeat {
                seen = touches
                try? await Task.sleep(for: quiet)
            } while !Task.isCancelled && touches != seen
            if Task.isCancelled { return }
            let before = ProcessMemory.residentAnonymousKiB()
            await Blocking.run {
                self.release()
                ProcessMemory.trim()
            }
            let after = ProcessMemory.residentAnonymousKiB()
            logger.debug(
                "memory released while idle",
                metadata: [
                    "rss_anon_kib_before": "\(before.map(String.init) ?? "-")", "rss_anon_kib_after": "\(after.map(String.init) ?? "-")",
                ])
            released = seen
        }
    }

    /// Returns at the first touch after the count `count` (at once if there was one), or when the
    /// task is cancelled.
    private func waitForTouch(after count: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.touches != count || s.cancelled { return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                s.cancelled = true
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume()
        }
    }
}
