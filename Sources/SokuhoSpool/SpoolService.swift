import Foundation
import Logging
import ServiceLifecycle
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Takes every file that lands in `incoming/` and turns it into a case or a rejection, exactly
/// once (`docs/spool.md`).
///
/// For each file: read it safely (`SpoolReader`), decode it (`SpoolDecoder`), let the handler
/// commit the decision together with the file's name and SHA-256, and only then move the file to
/// `accepted/<CASE-ID>--<name>` or to `rejected/<name>` with `<name>.error.json`. A crash before
/// the commit leaves the file in `incoming/` to be taken again; a crash after it finds the
/// decision in the journal and only completes the move.
///
/// Pick-up: inotify (`IN_CLOSE_WRITE`, `IN_MOVED_TO`) for speed, a full scan at start, on queue
/// overflow and every `scanInterval` seconds. Files are taken oldest first, up to `window` at
/// once (`SpoolWorker`): their decisions share the store's group commits, their copies are
/// written and fsynced side by side (`SpoolIOPool`), and their directory syncs are shared
/// (`SpoolDirectorySync`). Each file still is moved only after its own decision is durable.
public struct SpoolService: Service {
    public let layout: SpoolLayout
    public let maxFileSize: Int
    public let scanInterval: Double
    /// A scan leaves files changed within this many seconds for later (they may still be written).
    public let settle: Double
    /// Seconds to wait before trying again after the handler could not record (storage failure).
    public let retryDelay: Double
    /// Files taken at once at most (see `window`).
    public let maxInFlight: Int
    let handler: any SpoolIntakeHandler
    /// Where the service reads the time (the settle check of scans).
    let clock: any WallClock
    let logger: Logger

    public init(
        layout: SpoolLayout, maxFileSize: Int, scanInterval: Double, handler: any SpoolIntakeHandler, clock: any WallClock,
        logger: Logger, settle: Double = 1, retryDelay: Double = 5, maxInFlight: Int = 32
    ) {
        self.clock = clock
        self.layout = layout
        self.maxFileSize = maxFileSize
        self.scanInterval = scanInterval
        self.handler = handler
        self.logger = logger
        self.settle = settle
        self.retryDelay = retryDelay
        self.maxInFlight = maxInFlight
    }

    /// Memory for the files being taken at once: with large files allowed, fewer are taken at once.
    static let inFlightBytes = 128 << 20
    /// Threads that wait for the disk together (`SpoolIOPool`).
    static let ioThreads = 8

    /// How many files are taken at once: `maxInFlight`, fewer when `inFlightBytes` cannot hold
    /// that many files of `maxFileSize`, and at least one.
    public var window: Int { max(1, min(maxInFlight, Self.inFlightBytes / max(1, maxFileSize))) }

    public func run() async throws {
        try layout.prepare()
        let watcher = try InotifyWatcher(directory: layout.incoming, scanInterval: scanInterval)
        logger.info(
            "spool watched",
            metadata: [
                "dir": "\(layout.root)", "max_file_size": "\(maxFileSize)", "scan_interval": "\(scanInterval)s",
                "in_flight": "\(window)",
            ])
        let io = SpoolIOPool(threads: min(window, Self.ioThreads))
        defer { io.stop() }
        let worker = SpoolWorker(service: self, watcher: watcher, io: io)
        watcher.post(.scan(reason: "start"))
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                // Lanes take queued files until none waits; a shutdown lets each finish its file.
                await withDiscardingTaskGroup { lanes in
                    for await event in watcher.events {
                        let start = await worker.handle(event)
                        for _ in 0..<start { lanes.addTask { await worker.runLane() } }
                    }
                    await worker.stop()
                }
            } onGracefulShutdown: {
                watcher.stop()
            }
        } onCancel: {
            watcher.stop()
        }
    }
}
