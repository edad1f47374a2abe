import CMalloc
import Foundation

/// The daemon's process memory through glibc's allocator: how many arenas it may use, giving
/// freed memory back to the system, and how much private memory is resident.
public enum ProcessMemory {
    /// Limits glibc to `count` malloc arenas (it makes up to eight per core, one for each thread
    /// that meets a locked one, and keeps what each of them grew to). Call it before the threads
    /// start; returns false if glibc refused. An operator's own setting (`MALLOC_ARENA_MAX`, or
    /// `GLIBC_TUNABLES`) is left as it is.
    @discardableResult
    public static func limitArenas(_ count: Int32 = 2) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if environment["MALLOC_ARENA_MAX"] != nil || environment["GLIBC_TUNABLES"] != nil { return false }
        return mallopt(M_ARENA_MAX, count) == 1
    }

    /// Returns the free memory of every arena to the system (`malloc_trim(0)`): whole free pages
    /// inside the heaps, not only their tops. Takes the arenas' locks: call it when quiet.
    public static func trim() {
        _ = malloc_trim(0)
    }

    /// Resident private (anonymous) memory in KiB, `RssAnon` of /proc/self/status; nil when it
    /// cannot be read.
    public static func residentAnonymousKiB() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
            return Int(line.dropFirst("RssAnon:".count).split(separator: " ").first ?? "")
        }
        return nil
    }
}
