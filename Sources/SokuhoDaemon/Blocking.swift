import Dispatch

/// Blocking work (libcurl, `malloc_trim`, SQLite's memory release) run off the cooperative
/// thread pool, whose few threads must never wait.
enum Blocking {
    /// Runs `work` on a Dispatch thread and returns its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            DispatchQueue.global().async { c.resume(returning: work()) }
        }
    }
}
