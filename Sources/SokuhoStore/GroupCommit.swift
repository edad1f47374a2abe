import GRDB
import SokuhoCore
import Synchronization

/// Group commit: writes that arrive while a transaction is being made durable wait, and are
/// then done together in one transaction — one fsync for many reports, updates and delivery
/// records. Every write of the store goes through it.
///
/// Contract, unchanged from one transaction per write:
/// - a caller is answered only after the transaction holding its write is committed
///   (`synchronous=FULL`): every acknowledgement is durable;
/// - each write runs in its own savepoint, so one that fails never affects another;
/// - if the commit itself fails (disk full, I/O error), every write of the batch gets that
///   error and none is acknowledged;
/// - writes happen in arrival order, so chain positions and case numbers follow it.
///
/// A write that arrives alone is done at once (a batch of one): nothing waits for company.
/// The city's store (`SokuhoCity.CityStore`) uses it too, for the contractors' messages.
public final class GroupCommit: Sendable {
    typealias Work = @Sendable (Database) throws -> any Sendable

    private struct Waiting {
        var work: Work
        var continuation: CheckedContinuation<Result<any Sendable, StoreError>, Never>
    }

    private struct State {
        var queue: [Waiting] = []
        var writing = false
    }

    private let state = Mutex(State())
    private let pool: DatabasePool
    /// The largest batch in one transaction (bounds the latency a batch adds).
    let maxBatch: Int

    public init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Runs `work` in the next transaction and returns once that transaction is durable.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let outcome = await withCheckedContinuation { (c: CheckedContinuation<Result<any Sendable, StoreError>, Never>) in
            let start = state.withLock { s -> Bool in
                s.queue.append(Waiting(work: { db in try work(db) }, continuation: c))
                if s.writing { return false }
                s.writing = true
                return true
            }
            if start { Task { await self.drain() } }
        }
        switch outcome {
        case .success(let v): return v as! T
        case .failure(let e): throw e
        }
    }

    /// Writes batches until the queue is empty; only one drain runs at a time.
    private func drain() async {
        while true {
            let batch = state.withLock { s -> [Waiting] in
                if s.queue.isEmpty {
                    s.writing = false
                    return []
                }
                let n = min(s.queue.count, maxBatch)
                let b = Array(s.queue.prefix(n))
                s.queue.removeFirst(n)
                return b
            }
            if batch.isEmpty { return }
            let works = batch.map(\.work)
            var outcomes: [Result<any Sendable, StoreError>]
            do {
                outcomes = try await pool.write { db -> [Result<any Sendable, StoreError>] in
                    var out: [Result<any Sendable, StoreError>] = []
                    out.reserveCapacity(works.count)
                    for work in works {
                        var value: (any Sendable)?
                        do {
                            try db.inSavepoint {
                                value = try work(db)
                                return .commit
                            }
                            out.append(.success(value!))
                        } catch {
                            out.append(.failure(CaseStore.map(error)))
                        }
                    }
                    return out
                }
            } catch {
                // Nothing of this batch is durable: nobody is told otherwise.
                outcomes = Array(repeating: .failure(CaseStore.map(error)), count: batch.count)
            }
            for (w, o) in zip(batch, outcomes) { w.continuation.resume(returning: o) }
        }
    }
}
