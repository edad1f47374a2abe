import Foundation
import Logging
import SokuhoCore
import Synchronization
import Testing

@testable import SokuhoSpool

#if canImport(Glibc)
import Glibc
#endif

/// Many files at once: a bounded number taken together, each decided and moved exactly once, no
/// two given the same name.
@Suite("Spool bursts: files taken together, bounded, each exactly once")
struct SpoolBurstTests {
    @Test("the queue gives each name out once, never while it is being taken, and again when re-added meanwhile")
    func queue() {
        var q = SpoolQueue()
        let a: [UInt8] = [0x61], b: [UInt8] = [0x62]
        q.add(a, fromScan: true)
        q.add(b, fromScan: true)
        q.add(a, fromScan: false)  // an event: take it as it is
        #expect(q.count == 2)
        #expect(q.next() == SpoolQueue.Entry(name: a, fromScan: false))
        q.add(a, fromScan: true)  // named again while being taken: waits until done
        #expect(q.next() == SpoolQueue.Entry(name: b, fromScan: true))
        #expect(q.next() == nil)
        q.done(a)
        #expect(q.next() == SpoolQueue.Entry(name: a, fromScan: true))
        q.done(a)
        q.done(b)
        #expect(q.next() == nil)
        #expect(q.inProgress == 0)
        for i in 0..<1000 { q.add(Array("f\(i)".utf8), fromScan: true) }
        var seen = 0
        while let e = q.next() {
            #expect(e.name == Array("f\(seen)".utf8))  // in the order added
            q.done(e.name)
            seen += 1
        }
        #expect(seen == 1000)
    }

    @Test("names claimed at once are all different, and free again once released")
    func claims() throws {
        let dir = NSTemporaryDirectory() + "sokuho-claims-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: dir + "/x.json", contents: Data())
        let claims = SpoolNameClaims()
        let chosen = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            let name = claims.claim(in: dir, for: "x.json")
            chosen.withLock { $0.append(name) }
        }
        let names = chosen.withLock { $0 }
        #expect(Set(names).count == 200)
        #expect(!names.contains("x.json"))  // on disk already
        for n in names { claims.release(in: dir, n) }
        #expect(claims.count == 0)
        #expect(claims.claim(in: dir, for: "x.json") == "x-2.json")
    }

    @Test("a burst is taken `window` files at once, never more; each file is decided once and moved once")
    func bounded() async throws {
        let layout = SpoolLayout(root: NSTemporaryDirectory() + "sokuho-burst-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        try layout.prepare()
        let window = 8, total = 200
        for i in 0..<total {
            let bytes = i % 10 == 3 ? Array("{".utf8) : Array(#"{"kind":"loss","n":\#(i)}"#.utf8)
            FileManager.default.createFile(atPath: layout.tmp + "/f\(i).json", contents: Data(bytes))
        }
        for i in 0..<total { rename(layout.tmp + "/f\(i).json", layout.incoming + "/f\(i).json") }
        let handler = GatedHandler(gate: window)
        let service = SpoolService(
            layout: layout, maxFileSize: 1 << 16, scanInterval: 30, handler: handler, clock: TestClock(), logger: Logger(label: "test"),
            settle: 0, maxInFlight: window)
        #expect(service.window == window)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        // Generous: in the whole suite, blocking tests can hold the two cooperative threads for
        // minutes; the wait ends as soon as the gate opens.
        let done = await handler.waitForGate(timeout: 600)
        #expect(done, "the first \(window) files were never taken at once")
        let deadline = Date().addingTimeInterval(600)
        func count(_ dir: String) -> Int { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).count }
        while Date() < deadline, count(layout.incoming) > 0 || count(layout.accepted) + count(layout.rejected) < total + total / 10 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let accepted = try FileManager.default.contentsOfDirectory(atPath: layout.accepted).sorted()
        let rejected = try FileManager.default.contentsOfDirectory(atPath: layout.rejected).filter { !$0.hasSuffix(".error.json") }
        #expect(accepted.count == total - total / 10)
        #expect(rejected.count == total / 10)
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.incoming).isEmpty)
        let stats = handler.stats
        #expect(stats.maxAtOnce == window, "at most \(window) at once, and that many")
        #expect(stats.decided.count == total)
        #expect(Set(stats.decided).count == total, "a file was decided twice")
        // Each accepted copy holds its own file's bytes.
        for name in accepted {
            let file = String(name[name.range(of: "--")!.upperBound...])
            let i = Int(file.dropFirst().dropLast(5))!
            let bytes = FileManager.default.contents(atPath: layout.accepted + "/" + name).map { Array($0) }
            #expect(bytes == Array(#"{"kind":"loss","n":\#(i)}"#.utf8), "\(name)")
        }
    }
}

/// Decides files as the daemon would (accepts JSON objects, rejects the rest), holding the first
/// `gate` intakes until that many wait at once: proof that files are taken together.
final class GatedHandler: SpoolIntakeHandler {
    struct Stats {
        var inFlight = 0
        var maxAtOnce = 0
        var decided: [String] = []
        var waiting: [CheckedContinuation<Void, Never>] = []
        var opened = false
    }
    let gate: Int
    private let state = Mutex(Stats())

    init(gate: Int) { self.gate = gate }

    var stats: Stats { state.withLock { $0 } }

    func intake(_ drop: SpoolDrop) async throws -> SpoolDecision {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let release = state.withLock { s -> [CheckedContinuation<Void, Never>] in
                s.inFlight += 1
                s.maxAtOnce = max(s.maxAtOnce, s.inFlight)
                if s.opened { return [c] }
                s.waiting.append(c)
                if s.waiting.count < gate { return [] }
                s.opened = true
                defer { s.waiting = [] }
                return s.waiting
            }
            for r in release { r.resume() }
        }
        await Task.yield()
        let n = state.withLock { s -> Int in
            s.inFlight -= 1
            s.decided.append(drop.name)
            return s.decided.count
        }
        switch drop.content {
        case .success: return .accepted(caseID: "C-\(n)", duplicate: false)
        case .failure(let e): return .rejected(e, eventSeq: Int64(n), at: "2026-11-28T00:00:00Z")
        }
    }

    /// Whether the gate opened (`gate` intakes waited at once) within `timeout` seconds; at the
    /// timeout it opens anyway, so nothing hangs.
    func waitForGate(timeout: Double) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if state.withLock({ $0.opened }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let held = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.opened = true
            defer { s.waiting = [] }
            return s.waiting
        }
        for c in held { c.resume() }
        return false
    }
}

struct TestClock: WallClock {
    func now() -> Date { Date() }
}
