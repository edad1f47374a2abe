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
/// overflow and every `scanInterval` seconds. Files are taken one at a time, oldest first.
public struct SpoolService: Service {
    public let layout: SpoolLayout
    public let maxFileSize: Int
    public let scanInterval: Double
    /// A scan leaves files changed within this many seconds for later (they may still be written).
    public let settle: Double
    /// Seconds to wait before trying again after the handler could not record (storage failure).
    public let retryDelay: Double
    let handler: any SpoolIntakeHandler
    /// Where the service reads the time (the settle check of scans).
    let clock: any WallClock
    let logger: Logger

    public init(
        layout: SpoolLayout, maxFileSize: Int, scanInterval: Double, handler: any SpoolIntakeHandler, clock: any WallClock,
        logger: Logger, settle: Double = 1, retryDelay: Double = 5
    ) {
        self.clock = clock
        self.layout = layout
        self.maxFileSize = maxFileSize
        self.scanInterval = scanInterval
        self.handler = handler
        self.logger = logger
        self.settle = settle
        self.retryDelay = retryDelay
    }

    public func run() async throws {
        try layout.prepare()
        let watcher = try InotifyWatcher(directory: layout.incoming, scanInterval: scanInterval)
        logger.info(
            "spool watched", metadata: ["dir": "\(layout.root)", "max_file_size": "\(maxFileSize)", "scan_interval": "\(scanInterval)s"])
        let worker = SpoolWorker(service: self, watcher: watcher)
        watcher.post(.scan(reason: "start"))
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                for await event in watcher.events {
                    await worker.handle(event)
                }
            } onGracefulShutdown: {
                watcher.stop()
            }
        } onCancel: {
            watcher.stop()
        }
    }
}

/// The mutable side of `SpoolService`, used only from its one task.
final class SpoolWorker {
    let s: SpoolService
    let watcher: InotifyWatcher
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

    init(service: SpoolService, watcher: InotifyWatcher) { (self.s, self.watcher) = (service, watcher) }

    func handle(_ event: InotifyWatcher.Event) async {
        switch event {
        case .file(let raw):
            await take(raw, fromScan: false)
        case .created(let raw):
            var st = stat()
            if lstat(SpoolFiles.cPath(path(s.layout.incoming, raw)), &st) == 0, st.st_mode & S_IFMT != S_IFREG {
                await take(raw, fromScan: false)
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
    }

    /// Takes every file in `incoming/`, oldest first.
    func scan() async {
        guard let dir = opendir(s.layout.incoming) else {
            s.logger.error(
                "cannot read the spool", metadata: ["dir": "\(s.layout.incoming)", "error": "\(String(cString: strerror(errno)))"])
            return
        }
        var entries: [(name: [UInt8], mtime: Int64)] = []
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            var st = stat()
            let mtime =
                lstat(SpoolFiles.cPath(path(s.layout.incoming, name)), &st) == 0
                ? Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec) : 0
            entries.append((name, mtime))
        }
        closedir(dir)
        entries.sort { $0.mtime != $1.mtime ? $0.mtime < $1.mtime : $0.name.lexicographicallyPrecedes($1.name) }
        for e in entries { await take(e.name, fromScan: true) }
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
        let drop: SpoolDrop
        switch SpoolReader.read(path: s.layout.incoming + "/" + name, maxSize: s.maxFileSize, settledBefore: settledBefore, now: now) {
        case .vanished:
            settlingSince[raw] = nil
            return
        case .settling:
            if settlingSince.count >= Self.maxSetAside { settlingSince.removeAll(keepingCapacity: true) }
            settlingSince[raw] = firstSeen
            scheduleScan(reason: "settle", after: s.settle, pending: &settleScanPending)
            return
        case .unread(let key, let size, let owner, let reason):
            drop = SpoolDrop(
                name: name, key: key, size: size, owner: PeerIdentity(uid: owner.uid, gid: owner.gid, pid: 0, user: nil),
                content: .failure(reason))
        case .file(let bytes, let sha, let owner):
            drop = SpoolDrop(
                name: name, key: sha, size: bytes.count, owner: PeerIdentity(uid: owner.uid, gid: owner.gid, pid: 0, user: nil),
                content: SpoolDecoder.decode(bytes, name: name))
            settlingSince[raw] = nil
            await decide(drop, source: source, bytes: bytes)
            return
        }
        await decide(drop, source: source)
    }

    /// Leaves an entry in `incoming/` for good (until it changes): later scans skip it unread.
    func leave(_ raw: [UInt8], source: [UInt8]) {
        guard setAside.count < Self.maxSetAside else {
            if !setAsideFull {
                setAsideFull = true
                s.logger.error("more than \(Self.maxSetAside) entries are left in incoming/; remove them (sokuho spool list shows them)")
            }
            return
        }
        setAside[raw] = EntryIdentity(path: source)
    }

    /// Commits the decision on `drop`, then completes it on disk. An accepted file's `bytes` (the
    /// ones hashed) are written by the daemon into `accepted/`, owned by it and read-only, and
    /// the reporter's file is removed: nobody but the daemon can change the evidence afterwards.
    func decide(_ drop: SpoolDrop, source: [UInt8], bytes: [UInt8]? = nil) async {
        let raw = Array(source.dropFirst(s.layout.incoming.utf8.count + 1))
        let decision: SpoolDecision
        do {
            decision = try await s.handler.intake(drop)
        } catch {
            s.logger.error(
                "spool file not taken; nothing recorded, it stays in incoming/ and is tried again",
                metadata: ["file": "\(drop.name)", "error": "\(error)", "retry_in": "\(s.retryDelay)s"])
            scheduleScan(reason: "retry", after: s.retryDelay, pending: &retryScanPending)
            return
        }
        do {
            switch decision {
            case .deferred(let after):
                deferredCount += 1
                if deferredCount == 1 || deferredCount % 1000 == 0 {
                    s.logger.warning(
                        "spool entries deferred: their owner has had too many files rejected in a row; tried again later",
                        metadata: ["uid": "\(drop.owner.uid)", "deferred": "\(deferredCount)", "retry_in": "\(Int(after))s"])
                }
                scheduleScan(reason: "retry", after: after, pending: &retryScanPending)
                return
            case .accepted(let caseID, let duplicate):
                let target: String
                if let bytes {
                    target = try SpoolFiles.install(bytes, replacing: source, inDirectory: s.layout.accepted, as: "\(caseID)--\(drop.name)")
                } else {
                    target = try SpoolFiles.move(source, toDirectory: s.layout.accepted, as: "\(caseID)--\(drop.name)")
                }
                s.logger.notice(
                    duplicate ? "spool file was taken before; moved to accepted/" : "spool file accepted",
                    metadata: [
                        "file": "\(drop.name)", "case": "\(caseID)", "moved_to": "\(target)", "uid": "\(drop.owner.uid)",
                    ])
            case .rejected(let error, let seq, let at):
                if SpoolReader.isDirectoryKey(drop.key) {
                    // A directory is never moved (nor entered): its rejection is recorded, and
                    // it stays where it is, skipped by later scans.
                    leave(raw, source: source)
                    s.logger.warning(
                        "spool entry rejected and left in incoming/ (a directory is never moved)",
                        metadata: [
                            "file": "\(drop.name)", "code": "\(error.code.rawValue)", "uid": "\(drop.owner.uid)",
                        ])
                    return
                }
                let target = try SpoolFiles.reject(
                    source, name: drop.name, into: s.layout.rejected,
                    reason: [
                        "file": .string(drop.name), "code": .string(error.code.rawValue), "field": .optional(error.field),
                        "message": .string(error.message), "message_ja": .string(error.messageJa), "rejected_at": .string(at),
                        "event_seq": .int(seq), "sha256": drop.key.hasPrefix("unread:") ? .null : .string(drop.key),
                        "size": .int(Int64(drop.size)),
                        "owner": ["uid": .int(Int64(drop.owner.uid)), "gid": .int(Int64(drop.owner.gid))],
                    ], bytes: bytes)
                // The reason's message may quote the report; the log names the code and field only.
                s.logger.warning(
                    "spool file rejected",
                    metadata: [
                        "file": "\(drop.name)", "code": "\(error.code.rawValue)", "field": "\(error.field ?? "-")",
                        "moved_to": "\(target)", "uid": "\(drop.owner.uid)",
                    ])
            }
            failedMoves.remove(raw)
        } catch {
            // The decision is committed: the next scan finds it in the journal and completes the
            // move. A second failure sets the entry aside: it is not read or logged again.
            if failedMoves.contains(raw) {
                failedMoves.remove(raw)
                leave(raw, source: source)
                s.logger.error(
                    "spool file decided but cannot be moved; left in incoming/ and not tried again until it changes",
                    metadata: ["file": "\(drop.name)", "error": "\(error)"])
            } else {
                if failedMoves.count >= Self.maxSetAside { failedMoves.removeAll(keepingCapacity: true) }
                failedMoves.insert(raw)
                s.logger.error(
                    "spool file decided but not moved; the next scan completes the move",
                    metadata: ["file": "\(drop.name)", "error": "\(error)"])
                scheduleScan(reason: "retry", after: s.retryDelay, pending: &retryScanPending)
            }
        }
    }

    /// A name that cannot be shown or kept as it is (not UTF-8, too long, or holding control
    /// characters) is never read nor quoted: the entry is set aside unread under a safe name.
    func takeBadName(_ raw: [UInt8], source: [UInt8], why: (en: String, ja: String), advice: (en: String, ja: String)) async {
        var st = stat()
        guard lstat(SpoolFiles.cPath(source), &st) == 0 else { return }
        let hex = SpoolReader.sha256Hex(raw).prefix(16)
        let name = "invalid-name-\(hex)"
        let isDirectory = st.st_mode & S_IFMT == S_IFDIR
        let drop = SpoolDrop(
            name: name, key: isDirectory ? SpoolReader.key(("a directory", "ディレクトリ"), st) : "unread:badname:\(st.st_dev):\(st.st_ino)",
            size: Int(st.st_size), owner: PeerIdentity(uid: UInt32(st.st_uid), gid: UInt32(st.st_gid), pid: 0, user: nil),
            content: .failure(
                ValidationError(
                    String(validating: raw, as: UTF8.self) == nil ? .invalidUTF8 : .invalidValue, field: nil,
                    "the file name \(why.en); it was set aside as \(name) unread. \(advice.en)",
                    ja: "ファイル名\(why.ja)。\(name) として読まずに退避しました。\(advice.ja)")))
        await decide(drop, source: source)
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
