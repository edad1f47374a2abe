import GRDB

extension CaseStore {
    /// Gives back the memory SQLite holds for speed: the writer's page cache, schema and
    /// statement caches are emptied, and the reader connections are closed (a later read opens
    /// them again), and the cases kept for the playbook runner's looks are forgotten. Nothing
    /// durable changes.
    ///
    /// Blocks until the reads and the write in progress are finished: call it off the cooperative
    /// pool, when the daemon is quiet (`IdleMemory`).
    public func releaseMemory() {
        recent.clear()
        pool.releaseMemory()
    }
}
