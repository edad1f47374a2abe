import Foundation
import Logging
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The mutable side of `SpoolService`: what waits in `incoming/`, what is being taken, and what
/// was set aside.
///
/// Up to `window` lanes (tasks of `SpoolService.run`) take entries at once. Each lane takes one
/// entry from start to end — read, decide, move — and suspends while its file is read or
/// written (on `SpoolIOPool`) and while its decision is committed; meanwhile the others go on,
/// so the store's group commit makes one transaction of many decisions and the pool syncs many
/// copies together. Per entry nothing changes: it is moved only after its own decision is
/// durable, and no entry is taken by two lanes at once (`SpoolQueue`).
actor SpoolWorker {
    let s: SpoolService
    let watcher: InotifyWatcher
    let io: SpoolIOPool
    /// Names chosen in `accepted/` and `rejected/` for files still being written.
    let claims = SpoolNameClaims()
    /// Lanes at most (`SpoolService.window`).
    let window: Int
    var queue = SpoolQueue()
    /// Lanes running.
    var lanes = 0
    /// Set at shutdown: lanes finish the entry they hold and take no other.
    var stopping = false
    var settleScanPending = false
    var retryScanPending = false
    /// Entries decided but left in `incoming/` (a directory, or a move that failed twice), by
    /// name, with the identity they had: skipped by later scans without being read or logged
    /// again, until they change. Bounded by `maxSetAside`.
    var setAside: [[UInt8]: EntryIdentity] = [:]
    /// Entries whose move failed once, by name: the next failure sets them aside.
    var failedMoves: Set<[UInt8]> = []
    /// Entries deferred so far (their owner's rejections were over the limit).
    var deferredCount = 0
    /// When a scan first found each entry still changing.
    var settlingSince: [[UInt8]: Double] = [:]
    /// Seconds a changing file is waited for at most.
    static let maxSettle: Double = 60
    static let maxSetAside = 100_000
    var setAsideFull = false
    /// Longest name taken as it is: `<CASE-ID>--<name>` and `<name>.error.json` must stay within
    /// the 255-byte limit of file names.
    static let maxNameBytes = 200

    /// What identifies one version of an entry: device, inode, size, change time.
    struct EntryIdentity: Equatable {
        var dev: UInt64, ino: UInt64, size: Int64, ctime: Int64

        init?(path: [UInt8]) {
            var st = stat()
            guard lstat(SpoolFiles.cPath(path), &st) == 0 else { return nil }
            dev = UInt64(st.st_dev)
            ino = UInt64(st.st_ino)
            size = Int64(st.st_size)
            ctime = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        }
    }

    init(service: SpoolService, watcher: InotifyWatcher, io: SpoolIOPool) {
        (self.s, self.watcher, self.io) = (service, watcher, io)
        window = service.window
    }

    /// Queues the entries `event` names and returns how many lanes to start for them.
    func handle(_ event: InotifyWatcher.Event) async -> Int {
        switch event {
        case .file(let raw):
            queue.add(raw, fromScan: false)
        case .created(let raw):
            var st = stat()
            if lstat(SpoolFiles.cPath(path(s.layout.incoming, raw)), &st) == 0, st.st_mode & S_IFMT != S_IFREG {
                queue.add(raw, fromScan: false)
            }
        case .scan(let reason):
            if reason == "settle" { settleScanPending = false }
            if reason == "retry" { retryScanPending = false }
            if reason == "watch-lost" {
                s.logger.error(
                    "the spool's incoming/ directory was removed or moved; scanning on a timer only",
                    metadata: ["dir": "\(s.layout.incoming)"])
            } else if reason != "timer" {
                s.logger.debug("spool scan", metadata: ["reason": "\(reason)"])
            }
            await scan()
        }
        if stopping { return 0 }
        let start = max(0, min(window - lanes, queue.count))
        lanes += start
        return start
    }

    /// One lane: takes waiting entries one after another until none waits (or shutdown).
    func runLane() async {
        while !stopping, let entry = queue.next() {
            await take(entry.name, fromScan: entry.fromScan)
            queue.done(entry.name)
        }
        lanes -= 1
    }

    /// Lets the lanes end after the entry each holds.
    func stop() { stopping = true }

    /// Queues every entry of `incoming/`, oldest first (the directory is listed on the pool).
    func scan() async {
        let incoming = s.layout.incoming
        let listed = await io.run { () -> Result<[[UInt8]], SpoolError> in Self.list(incoming) }
        switch listed {
        case .success(let names):
            for name in names { queue.add(name, fromScan: true) }
        case .failure(let e):
            s.logger.error("cannot read the spool", metadata: ["dir": "\(incoming)", "error": "\(e)"])
        }
    }

    /// The names in `directory` (without `.` and `..`), oldest modification first.
    static func list(_ directory: String) -> Result<[[UInt8]], SpoolError> {
        guard let dir = opendir(directory) else {
            return .failure(.cannotRead(path: directory, reason: String(cString: strerror(errno))))
        }
        var entries: [(name: [UInt8], mtime: Int64)] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var st = stat()
            let mtime =
                lstat(SpoolFiles.cPath(Array(directory.utf8) + [0x2F] + name), &st) == 0
                ? Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec) : 0
            entries.append((name, mtime))
        }
        closedir(dir)
        entries.sort { $0.mtime != $1.mtime ? $0.mtime < $1.mtime : $0.name.lexicographicallyPrecedes($1.name) }
        return .success(entries.map(\.name))
    }

    /// Takes one entry of `incoming/`.
    func take(_ raw: [UInt8], fromScan: Bool) async {
        let source = path(s.layout.incoming, raw)
        if let known = setAside[raw] {
            if known == EntryIdentity(path: source) { return }
            setAside[raw] = nil
        }
        guard let name = String(validating: raw, as: UTF8.self) else {
            await takeBadName(
                raw, source: source, why: ("is not valid UTF-8", "が UTF-8 ではありません"),
                advice: ("Name files in UTF-8", "ファイル名は UTF-8 で付けてください"))
            return
        }
        if SpoolLayout.isIgnored(name) { return }
        if raw.count > Self.maxNameBytes {
            await takeBadName(
                raw, source: source,
                why: ("is \(raw.count) bytes long (at most \(Self.maxNameBytes))", "が長すぎます（\(raw.count) バイト、上限 \(Self.maxNameBytes) バイト）"),
                advice: ("Use a shorter name", "短い名前を付けてください"))
            return
        }
        // Controls and direction-changing characters could forge a line on a screen or in a log.
        if name.unicodeScalars.contains(where: { TerminalSafe.isControlOrFormat($0) }) {
            await takeBadName(
                raw, source: source, why: ("holds control or direction-changing characters", "に制御文字や表示方向を変える文字が含まれています"),
                advice: ("Use letters, digits, '-', '_' and '.'", "英数字と - _ . で名前を付けてください"))
            return
        }
        let now = s.clock.now().timeIntervalSince1970
        // A file that keeps changing is waited for, but not for ever: after `maxSettle` seconds
        // it is taken as it is (someone touching it on purpose cannot hold it back).
        let firstSeen = settlingSince[raw] ?? now
        let settledBefore = fromScan && now - firstSeen < Self.maxSettle ? now - s.settle : nil
        // Read and decoded on the pool: the file's bytes live only as long as this lane needs them.
        let (filePath, maxSize) = (s.layout.incoming + "/" + name, s.maxFileSize)
        let (entry, content) = await io.run { () -> (SpoolEntry, Result<SpoolDecoder.Content, ValidationError>?) in
            let entry = SpoolReader.read(path: filePath, maxSize: maxSize, settledBefore: settledBefore, now: now)
            guard case .file(let bytes, _, _) = entry else { return (entry, nil) }
            return (entry, SpoolDecoder.decode(bytes, name: name))
        }
        switch entry {
        case .vanished:
            settlingSince[raw] = nil
        case .settling:
            if settlingSince.count >= Self.maxSetAside { settlingSince.removeAll(keepingCapacity: true) }
            settlingSince[raw] = firstSeen
            scheduleScan(reason: "settle", after: s.settle, pending: &settleScanPending)
        case .unread(let key, let size, let owner, let reason):
            let drop = SpoolDrop(
                name: name, key: key, size: size, owner: PeerIdentity(uid: owner.uid, gid: owner.gid, pid: 0, user: nil),
                content: .failure(reason))
            await decide(drop, source: source)
        case .file(let bytes, let sha, let owner):
            let drop = SpoolDrop(
                name: name, key: sha, size: bytes.count, owner: PeerIdentity(uid: owner.uid, gid: owner.gid, pid: 0, user: nil),
                content: content ?? SpoolDecoder.decode(bytes, name: name))
            settlingSince[raw] = nil
            await decide(drop, source: source, bytes: bytes)
        }
    }

    func scheduleScan(reason: String, after seconds: Double, pending: inout Bool) {
        if pending { return }
        pending = true
        let watcher = self.watcher
        Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            watcher.post(.scan(reason: reason))
        }
    }

    func path(_ dir: String, _ name: [UInt8]) -> [UInt8] {
        Array(dir.utf8) + [0x2F] + name
    }
}
