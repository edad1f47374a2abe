import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Watches one directory with inotify on a thread of its own and turns what it sees into
/// `SpoolWatcher.Event`s. Events are hints: the directory is the truth, so the watcher also asks
/// for a full scan on a timer and whenever the kernel's queue overflowed.
public final class InotifyWatcher: @unchecked Sendable {
    public enum Event: Sendable, Equatable {
        /// A file was closed after writing, or renamed into the directory (its name's raw bytes).
        case file([UInt8])
        /// An entry was created. Regular files are taken on close or rename, not here; links,
        /// FIFOs and the like, which are never written and closed, are set aside at once.
        case created([UInt8])
        /// Look at everything: `reason` is `start`, `timer`, `overflow`, `retry` or `settle`.
        case scan(reason: String)
    }

    public let directory: String
    public let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let inotifyFD: Int32
    private let stopRead: Int32
    /// The pipe's write end while the thread runs; `nil` once `stop()` wrote to it or the thread
    /// closed it. Held under the lock so a second `stop()` (graceful shutdown, then
    /// cancellation) never writes to a closed descriptor whose number may already belong to a
    /// socket or the database.
    private let stopWrite: Mutex<Int32?>
    private let interval: Double
    private var thread: Thread?

    /// Starts watching `directory`; a `.scan(reason: "timer")` comes every `scanInterval` seconds
    /// without other activity.
    public init(directory: String, scanInterval: Double) throws(SpoolError) {
        self.directory = directory
        self.interval = scanInterval
        (events, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .unbounded)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SpoolError.inotify(path: directory, reason: String(cString: strerror(errno))) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw SpoolError.inotify(path: directory, reason: reason)
        }
        var p: [Int32] = [0, 0]
        guard pipe(&p) == 0 else {
            close(fd)
            throw SpoolError.inotify(path: directory, reason: "pipe2: \(String(cString: strerror(errno)))")
        }
        for end in p { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        inotifyFD = fd
        stopRead = p[0]
        stopWrite = Mutex(p[1])
        let t = Thread { [self] in self.loop() }
        t.name = "sokuho-spool-watch"
        thread = t
        t.start()
    }

    /// Adds an event from outside (a retry or settle timer).
    public func post(_ event: Event) { continuation.yield(event) }

    /// Stops the thread and ends `events`. Safe to call more than once, from any thread.
    public func stop() {
        stopWrite.withLock { fd in
            guard let end = fd else { return }
            var b: UInt8 = 1
            _ = write(end, &b, 1)
            close(end)
            fd = nil
        }
    }

    private func loop() {
        defer {
            continuation.finish()
            close(inotifyFD)
            close(stopRead)
            stopWrite.withLock { fd in
                if let end = fd { close(end) }
                fd = nil
            }
        }
        let bufferSize = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        let timeout = Int32(min(interval * 1000, Double(Int32.max)))
        while true {
            var fds = [
                pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0), pollfd(fd: stopRead, events: Int16(POLLIN), revents: 0),
            ]
            let n = poll(&fds, 2, timeout)
            if n < 0 { if errno == EINTR { continue }; return }
            if fds[1].revents != 0 { return }
            if n == 0 { continuation.yield(.scan(reason: "timer")); continue }
            let got = read(inotifyFD, buffer, bufferSize)
            if got <= 0 { continue }
            var offset = 0
            var names: [Event] = []
            var rescan: String?
            while offset + MemoryLayout<inotify_event>.size <= got {
                let e = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = offset + MemoryLayout<inotify_event>.size
                if e.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    rescan = "overflow"
                } else if e.mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 {
                    rescan = "watch-lost"
                } else if e.len > 0 {
                    let p = (buffer + nameStart).assumingMemoryBound(to: UInt8.self)
                    let name = Array(UnsafeBufferPointer(start: p, count: strnlen(UnsafePointer<CChar>(OpaquePointer(p)), Int(e.len))))
                    names.append(e.mask & UInt32(IN_CREATE) != 0 ? .created(name) : .file(name))
                }
                offset = nameStart + Int(e.len)
            }
            for event in names { continuation.yield(event) }
            if let rescan { continuation.yield(.scan(reason: rescan)) }
        }
    }
}
