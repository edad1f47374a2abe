import Foundation
import SokuhoCore

#if canImport(Glibc)
import Glibc
#endif

/// Spool figures: a file renamed into incoming/ until it lies in accepted/ (the case is committed
/// just before that move), one at a time and in a burst. Watches accepted/ with inotify, so the
/// measurement itself does not poll.
struct SpoolBench {
    let spool: String

    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Drops `count` files one after another and returns each drop → accepted latency in ms.
    func latencies(count: Int) throws -> [Double] {
        let watch = try Watch(directory: spool + "/accepted")
        defer { watch.close() }
        var out: [Double] = []
        for i in 0..<count {
            let name = "lat-\(i).json"
            try write(name, .object(Bench.report(2_000_000 + i)))
            let start = DispatchTime.now().uptimeNanoseconds
            guard rename(spool + "/tmp/" + name, spool + "/incoming/" + name) == 0 else { throw Failure(description: "rename failed") }
            try watch.wait(untilCount: 1, timeout: 10)
            out.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return out
    }

    /// Writes `count` files in tmp/, renames them all into incoming/ at once, and returns the
    /// seconds until the last one is in accepted/.
    func burst(count: Int) throws -> Double {
        let watch = try Watch(directory: spool + "/accepted")
        defer { watch.close() }
        for i in 0..<count { try write("burst-\(i).yaml", .object(Bench.report(3_000_000 + i))) }
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            guard rename(spool + "/tmp/burst-\(i).yaml", spool + "/incoming/burst-\(i).yaml") == 0 else {
                throw Failure(description: "rename failed")
            }
        }
        try watch.wait(untilCount: count, timeout: 120)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    func write(_ name: String, _ report: JSONValue) throws {
        guard
            FileManager.default.createFile(
                atPath: spool + "/tmp/" + name, contents: Data(report.canonicalBytes), attributes: [.posixPermissions: 0o640])
        else { throw Failure(description: "cannot write \(spool)/tmp/\(name)") }
    }

    /// Counts files renamed into a directory.
    final class Watch {
        let fd: Int32
        init(directory: String) throws {
            fd = inotify_init1(Int32(IN_CLOEXEC))
            guard fd >= 0, inotify_add_watch(fd, directory, UInt32(IN_MOVED_TO)) >= 0 else {
                throw Failure(description: "inotify on \(directory): \(String(cString: strerror(errno)))")
            }
        }

        func wait(untilCount target: Int, timeout: Double) throws {
            var seen = 0
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let deadline = Date().addingTimeInterval(timeout)
            while seen < target {
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
                if poll(&p, 1, left) <= 0 { throw Failure(description: "spool: only \(seen) of \(target) files accepted in \(timeout) s") }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                var off = 0
                while off + MemoryLayout<inotify_event>.size <= n {
                    let len = buffer.withUnsafeBytes { $0.load(fromByteOffset: off + 12, as: UInt32.self) }
                    seen += 1
                    off += MemoryLayout<inotify_event>.size + Int(len)
                }
            }
        }

        func close() { Glibc.close(fd) }
    }
}
