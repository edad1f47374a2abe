import Foundation
import SokuhoCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files keep landing while the daemon is killed with SIGKILL at random moments and restarted.
/// At the end every file is accounted for exactly once. Size: `SOKUHO_CRASH_FILES` (default 1000).
@Suite("Spool crash test: SIGKILL at random moments loses nothing and doubles nothing")
struct SpoolCrashTests {
    static let fileCount = Int(ProcessInfo.processInfo.environment["SOKUHO_CRASH_FILES"] ?? "") ?? 1000

    /// Every tenth file is malformed, in one of several ways.
    static func content(_ i: Int) -> (bytes: [UInt8], good: Bool) {
        if i % 10 == 7 {
            let bad: [[UInt8]] = [Array("{\"kind\": ".utf8), [], Array("kind: leak\n".utf8), [0xFF, 0x00, 0x13], Array("[]".utf8)]
            return (bad[(i / 10) % bad.count], false)
        }
        let report = """
            {"kind": "\(["leak", "loss", "tampering", "damage", "other"][i % 5])", "information": "顧客名簿 \(i)",
             "location": "拠点 \(i % 7)", "circumstances": "誤送信 \(i)", "count": \(i)\(i % 3 == 0 ? ", \"report_id\": \"crash-\(i)\"" : "")}
            """
        return (Array(report.utf8), true)
    }

    static func name(_ i: Int) -> String { String(format: "drop-%05d.%@", i, i % 4 == 1 ? "yaml" : "json") }

    @Test("every dropped file becomes exactly one case or one rejection; the audit chain verifies")
    func crash() throws {
        let d = try DaemonHarness.started()
        let total = Self.fileCount
        let writerDone = DispatchSemaphore(value: 0)
        let failure = LockedBox<String?>(nil)
        // The writer: drops files in small bursts, as scripts and people do.
        DispatchQueue.global().async {
            defer { writerDone.signal() }
            var rng = SystemRandomNumberGenerator()
            for i in 0..<total {
                do { try d.drop(Self.name(i), Self.content(i).bytes) } catch { failure.set("drop \(i): \(error)"); return }
                if i % 10 == 0 { usleep(UInt32.random(in: 2_000...60_000, using: &rng)) }
            }
        }
        // The killer: SIGKILL at random moments while files land, then start again.
        var kills = try d.killRepeatedly(until: writerDone.wait(timeout:), every: 40...250, pause: 0...50_000)
        if let f = failure.value { Issue.record(Comment(rawValue: f)); return }
        // One last kill in the middle of catching up.
        d.stop(signal: SIGKILL)
        kills += 1
        try d.start()
        #expect(d.wait(timeout: 120) { d.files("incoming").isEmpty }, "left in incoming/: \(d.files("incoming").prefix(10))")

        let accepted = d.files("accepted")
        let rejected = d.rejectedFiles
        let expectedGood = Set((0..<total).filter { Self.content($0).good }.map(Self.name))
        let expectedBad = Set((0..<total).filter { !Self.content($0).good }.map(Self.name))
        let acceptedNames = accepted.map { String($0[$0.range(of: "--")!.upperBound...]) }
        #expect(accepted.count + rejected.count == total, "kills \(kills): \(accepted.count) accepted + \(rejected.count) rejected")
        #expect(Set(acceptedNames) == expectedGood)
        #expect(acceptedNames.count == expectedGood.count, "a file was accepted twice")
        #expect(Set(rejected) == expectedBad)
        for name in rejected { #expect(FileManager.default.fileExists(atPath: d.spoolDir + "/rejected/" + name + ".error.json")) }

        // One case per accepted file, each naming its file; one rejection event per rejected file.
        let status = try d.call(["op": "status"])
        #expect(status["status"]?["cases"]?.intValue == Int64(expectedGood.count))
        d.stop()
        let q = try DaemonHarness.shell(
            """
            sqlite3 \(d.dbPath) "SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.source.file')) FROM events WHERE type = 'case.opened'; \
            SELECT COUNT(*), COUNT(DISTINCT json_extract(data, '$.file')) FROM events WHERE type = 'spool.rejected'; \
            SELECT COUNT(*) FROM events WHERE type NOT IN ('case.opened', 'spool.rejected');"
            """)
        #expect(
            q.stdout.split(separator: "\n") == [
                "\(expectedGood.count)|\(expectedGood.count)", "\(expectedBad.count)|\(expectedBad.count)", "0",
            ],
            "\(q.stdout) \(q.stderr)")
        // Each case holds the count its file said.
        let counts = try DaemonHarness.shell(
            """
            sqlite3 \(d.dbPath) "SELECT COUNT(*) FROM events WHERE type = 'case.opened' AND \
            CAST(substr(json_extract(data, '$.source.file'), 6, 5) AS INTEGER) != json_extract(data, '$.report.count')"
            """)
        #expect(counts.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)")
        // Files whose decision was committed just before a kill, and only moved after the restart.
        let completed = d.log.components(separatedBy: "was taken before; moved").count - 1
        print(
            "spool crash test: \(total) files, \(kills) SIGKILLs, \(accepted.count) accepted, \(rejected.count) rejected, \(completed) moves completed after a restart"
        )
    }
}

/// A value shared between a test and its helper threads.
final class LockedBox<T>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
    func set(_ n: T) { lock.lock(); v = n; lock.unlock() }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
}
