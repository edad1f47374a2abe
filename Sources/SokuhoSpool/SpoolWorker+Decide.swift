import Logging
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Deciding about an entry and completing the decision on disk.
extension SpoolWorker {
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
    ///
    /// Other lanes run while this one waits for the commit and for the disk (on `SpoolIOPool`):
    /// the copy is written and synced, renamed into place and its directory synced before the
    /// reporter's file is removed, as when one file was taken at a time.
    func decide(_ drop: SpoolDrop, source: [UInt8], bytes: [UInt8]? = nil) async {
        let raw = Array(source.dropFirst(s.layout.incoming.utf8.count + 1))
        // What was read: only that file is removed or moved once the decision is committed. A
        // file dropped under the same name meanwhile is another report, left for the next scan.
        let identity = EntryIdentity(path: source)
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
                let (directory, name, claims) = (s.layout.accepted, "\(caseID)--\(drop.name)", claims)
                let target = try await io.run {
                    Result { () throws(SpoolError) -> String in
                        let original = Self.still(source, identity)
                        if let bytes {
                            return try SpoolFiles.install(bytes, replacing: original, inDirectory: directory, as: name, claims: claims)
                        }
                        guard let original else { return "(not moved: another file took its name)" }
                        return try SpoolFiles.move(original, toDirectory: directory, as: name, claims: claims)
                    }
                }.get()
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
                let reason: JSONValue = [
                    "file": .string(drop.name), "code": .string(error.code.rawValue), "field": .optional(error.field),
                    "message": .string(error.message), "message_ja": .string(error.messageJa), "rejected_at": .string(at),
                    "event_seq": .int(seq), "sha256": drop.key.hasPrefix("unread:") ? .null : .string(drop.key),
                    "size": .int(Int64(drop.size)),
                    "owner": ["uid": .int(Int64(drop.owner.uid)), "gid": .int(Int64(drop.owner.gid))],
                ]
                let (directory, name, claims) = (s.layout.rejected, drop.name, claims)
                let target = try await io.run {
                    Result { () throws(SpoolError) -> String in
                        try SpoolFiles.reject(
                            Self.still(source, identity), name: name, into: directory, reason: reason, bytes: bytes, claims: claims)
                    }
                }.get()
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

    /// `source` when it is still the entry that was taken (`identity`), else nil: its name now
    /// holds another file (dropped while this one was decided), which must not be removed.
    nonisolated static func still(_ source: [UInt8], _ identity: EntryIdentity?) -> [UInt8]? {
        guard let identity, EntryIdentity(path: source) == identity else { return nil }
        return source
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
}
