import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Group sync of directories: everyone who asks for a sync of a directory while one is running
/// is served by the next one, which starts after their request. Many files renamed into
/// `accepted/` at about the same time cost a few `fsync`s of the directory, not one each.
///
/// Contract: `sync(_:)` returns only after an `fsync` of the directory that *started after the
/// call*, so every entry created or renamed before the call is durable — when that `fsync`
/// succeeds. Its result is not reported (as before this type): after a failed directory sync the
/// reporter's original is still removed, and a crash before the directory reaches the disk could
/// lose the new entry's name while its decision stays in the journal.
final class SpoolDirectorySync: @unchecked Sendable {
    // `@unchecked`: `syncs` is only touched under `condition`.
    private struct State {
        /// Syncs started and finished, counted.
        var started: UInt64 = 0
        var finished: UInt64 = 0
        var running = false
    }

    private let condition = NSCondition()
    private var syncs: [String: State] = [:]

    /// The one instance of the process: directories are told apart by path.
    static let shared = SpoolDirectorySync()

    /// Makes the entries of `directory` durable (see the contract above).
    func sync(_ directory: String) {
        condition.lock()
        defer { condition.unlock() }
        let needed = (syncs[directory]?.started ?? 0) + 1
        while (syncs[directory]?.finished ?? 0) < needed {
            var s = syncs[directory] ?? State()
            if s.running {
                condition.wait()
                continue
            }
            s.running = true
            s.started += 1
            let generation = s.started
            syncs[directory] = s
            condition.unlock()
            let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if dfd >= 0 {
                fsync(dfd)
                close(dfd)
            }
            condition.lock()
            syncs[directory]?.running = false
            syncs[directory]?.finished = generation
            condition.broadcast()
        }
    }
}
