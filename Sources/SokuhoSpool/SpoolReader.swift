import Crypto
import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One entry of `incoming/`, read safely.
public enum SpoolEntry: Sendable {
    /// A regular file, read whole.
    case file(bytes: [UInt8], sha256: String, owner: (uid: UInt32, gid: UInt32))
    /// Set aside without being read (or followed): why, and a key naming the entry.
    case unread(key: String, size: Int, owner: (uid: UInt32, gid: UInt32), reason: ValidationError)
    /// Changed within the settle time and found by a scan, not an inotify event: it may still be
    /// being written into `incoming/` directly. Look again later.
    case settling
    /// Gone (taken by another pass, or removed by its writer).
    case vanished
}

/// Reads a spool entry without following links, without blocking on FIFOs or devices, and
/// without reading more than the size limit.
public enum SpoolReader {
    /// - Parameters:
    ///   - maxSize: larger files are set aside unread.
    ///   - settledBefore: when given (scans), a file changed after this time (seconds since the
    ///     epoch) is `.settling`.
    ///   - now: the current time (seconds since the epoch): a change time more than a second
    ///     after it does not hold a file. `SpoolService` passes its injected clock's time; the
    ///     default reads the system clock, for callers without one.
    public static func read(
        path: String, maxSize: Int, settledBefore: Double? = nil,
        now: Double = Date().timeIntervalSince1970
    ) -> SpoolEntry {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .vanished }
        let owner = (uid: UInt32(st.st_uid), gid: UInt32(st.st_gid))
        if let kind = unsafeKind(st.st_mode) {
            return .unread(
                key: key(kind, st), size: Int(st.st_size), owner: owner,
                reason: ValidationError(
                    .unsafeFile, field: nil,
                    "\(kind.en) is not a report file; it was set aside without being \(kind.en == "a directory" ? "entered" : "opened")",
                    ja: "\(kind.ja)は報告ファイルではありません。開かずに退避しました"))
        }
        // The inode change time, which only the kernel sets (writes and renames update it), never
        // the modification time, which `touch` or a copy from another machine may put in the
        // future. A change time ahead of the clock (the clock was set back) does not hold a file.
        if let settledBefore {
            let changed = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
            if changed > settledBefore, changed < now + 1 { return .settling }
        }
        if Int(st.st_size) > maxSize { return tooLarge(st, maxSize: maxSize) }

        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 {
            let e = errno
            switch e {
            case ENOENT: return .vanished
            case ELOOP:
                return .unread(
                    key: key(("a symbolic link", "シンボリックリンク"), st), size: 0, owner: owner,
                    reason: ValidationError(
                        .unsafeFile, field: nil, "a symbolic link is not a report file; it was set aside without being followed",
                        ja: "シンボリックリンクは報告ファイルではありません。たどらずに退避しました"))
            case EACCES, EPERM:
                let mode = String(st.st_mode & 0o7777, radix: 8)
                return .unread(
                    key: key(("unreadable", "読めないファイル"), st), size: Int(st.st_size), owner: owner,
                    reason: ValidationError(
                        .unreadableFile, field: nil,
                        "sokuhod may not read the file (mode 0\(mode)); make it group-readable (chmod g+r) before renaming it into incoming/",
                        ja: "sokuhod がファイルを読めません（モード 0\(mode)）。incoming/ に移す前に chmod g+r で読めるようにしてください"))
            default:
                return .unread(
                    key: key(("unreadable", "読めないファイル"), st), size: Int(st.st_size), owner: owner,
                    reason: ValidationError(
                        .unreadableFile, field: nil, "the file cannot be opened: \(String(cString: strerror(e)))",
                        ja: "ファイルを開けません: \(String(cString: strerror(e)))"))
            }
        }
        defer { close(fd) }
        // The entry may have been swapped between lstat and open: trust only what was opened.
        var fst = stat()
        guard fstat(fd, &fst) == 0 else { return .vanished }
        let fowner = (uid: UInt32(fst.st_uid), gid: UInt32(fst.st_gid))
        if let kind = unsafeKind(fst.st_mode) {
            return .unread(
                key: key(kind, fst), size: 0, owner: fowner,
                reason: ValidationError(
                    .unsafeFile, field: nil, "\(kind.en) is not a report file; it was set aside unread",
                    ja: "\(kind.ja)は報告ファイルではありません。読まずに退避しました"))
        }
        if fst.st_mode & 0o022 != 0 {
            // Others could have written into it (a name someone prepared for another reporter,
            // say): its owner is not who wrote it, so it is nobody's report.
            let mode = String(fst.st_mode & 0o7777, radix: 8)
            return .unread(
                key: key(("a file others may write", "他人が書き込めるファイル"), fst), size: Int(fst.st_size), owner: fowner,
                reason: ValidationError(
                    .unsafeFile, field: nil,
                    "others may write to the file (mode 0\(mode)), so it may not be its owner's report; drop a file only you can write (chmod 640, or sokuho spool drop)",
                    ja: "他人が書き込めるファイルです（モード 0\(mode)）。所有者本人の報告とは限らないため受け付けません（chmod 640 にするか sokuho spool drop を使ってください）"))
        }
        if fst.st_nlink > 1 {
            // Someone may hold a second name for these bytes and change them after their hash is
            // recorded: evidence must have one name only, the one handed over.
            return .unread(
                key: key(("a hard-linked file", "ハードリンクされたファイル"), fst), size: Int(fst.st_size), owner: fowner,
                reason: ValidationError(
                    .unsafeFile, field: nil,
                    "the file has \(fst.st_nlink) names (hard links); a report file must have only one, so nobody can change it after it is handed over. Copy it instead of linking it (cp, not ln)",
                    ja: "ファイルに名前（ハードリンク）が \(fst.st_nlink) 個あります。提出後に誰も変更できないよう、報告ファイルの名前は一つだけにしてください（ln ではなく cp でコピー）"))
        }
        if Int(fst.st_size) > maxSize { return tooLarge(fst, maxSize: maxSize) }
        // Sized from fstat, grown if the file grows meanwhile, never past maxSize + 1.
        var bytes = [UInt8](repeating: 0, count: min(maxSize + 1, Int(fst.st_size) + 4096))
        var total = 0
        while true {
            if total == bytes.count {
                if bytes.count > maxSize { break }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, maxSize + 1 - bytes.count)))
            }
            let n = bytes.withUnsafeMutableBytes { raw in Glibc.read(fd, raw.baseAddress! + total, raw.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = String(cString: strerror(errno))
                return .unread(
                    key: key(("unreadable", "読めないファイル"), fst), size: Int(fst.st_size), owner: fowner,
                    reason: ValidationError(
                        .unreadableFile, field: nil, "the file cannot be read: \(e)", ja: "ファイルを読めません: \(e)"))
            }
            if n == 0 { break }
            total += n
        }
        if total > maxSize { return tooLarge(fst, maxSize: maxSize) }
        bytes.removeSubrange(total...)
        return .file(bytes: bytes, sha256: sha256Hex(bytes), owner: fowner)
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }

    static func tooLarge(_ st: stat, maxSize: Int) -> SpoolEntry {
        .unread(
            key: key(("too large", "大きすぎるファイル"), st), size: Int(st.st_size), owner: (UInt32(st.st_uid), UInt32(st.st_gid)),
            reason: ValidationError(
                .fileTooLarge, field: nil,
                "the file is \(st.st_size) bytes; spool files may have at most \(maxSize) bytes (spool.max_file_size). A report describes the incident; attach no data",
                ja: "ファイルが \(st.st_size) バイトあります。上限は \(maxSize) バイト（spool.max_file_size）です。報告には事故の説明だけを書き、データそのものは添付しないでください"))
    }

    static func unsafeKind(_ mode: mode_t) -> (en: String, ja: String)? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFLNK: ("a symbolic link", "シンボリックリンク")
        case S_IFIFO: ("a FIFO (named pipe)", "FIFO（名前付きパイプ）")
        case S_IFCHR, S_IFBLK: ("a device", "デバイスファイル")
        case S_IFSOCK: ("a socket", "ソケット")
        case S_IFDIR: ("a directory", "ディレクトリ")
        default: ("an unknown kind of entry", "不明な種類のエントリ")
        }
    }

    /// The key of a directory (`key` with the kind "a directory"): a directory is never moved.
    public static func isDirectoryKey(_ key: String) -> Bool { key.hasPrefix("unread:directory:") }

    /// A journal key for an entry that is not read: what it is and which inode it was.
    static func key(_ kind: (en: String, ja: String), _ st: stat) -> String {
        let k = kind.en.split(separator: " ").last.map(String.init) ?? "entry"
        return "unread:\(k):\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }
}
