import Foundation
import Logging
import SokuhoCore
import Synchronization
import Testing

@testable import SokuhoSpool

#if canImport(Glibc)
import Glibc
#endif

/// A file dropped again under the same name while the first is being decided is another report:
/// the first is kept as it was read, the second is read and decided as itself, nothing is lost.
@Suite("Spool: the same name dropped again while the first file is decided")
struct SpoolRedropTests {
    @Test("as a reporter correcting a file at once: both versions are kept, each with its own decision")
    func redrop() async throws {
        let layout = SpoolLayout(root: NSTemporaryDirectory() + "sokuho-redrop-" + UUID().uuidString)
        try FileManager.default.createDirectory(atPath: layout.root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: layout.root) }
        try layout.prepare()
        let first = Array(#"{"kind":"loss","v":1}"#.utf8), second = Array(#"{"kind":"loss","v":2}"#.utf8)
        func drop(_ bytes: [UInt8]) {
            FileManager.default.createFile(atPath: layout.tmp + "/r.json", contents: Data(bytes))
            rename(layout.tmp + "/r.json", layout.incoming + "/r.json")
        }
        drop(first)
        let handler = HoldFirstHandler()
        let service = SpoolService(
            layout: layout, maxFileSize: 1 << 16, scanInterval: 30, handler: handler, clock: TestClock(), logger: Logger(label: "test"),
            settle: 0)
        let running = Task { try await service.run() }
        defer { running.cancel() }
        // The first version is being decided (its intake holds): the corrected one replaces it.
        #expect(await handler.wait(timeout: 600) { $0 >= 1 })
        drop(second)
        handler.releaseFirst()
        #expect(await handler.wait(timeout: 600) { $0 >= 2 }, "the second version was never read")
        func accepted() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: layout.accepted)) ?? []).sorted() }
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline, accepted().count < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(accepted() == ["C-1--r.json", "C-2--r.json"])
        #expect(FileManager.default.contents(atPath: layout.accepted + "/C-1--r.json").map { Array($0) } == first)
        #expect(FileManager.default.contents(atPath: layout.accepted + "/C-2--r.json").map { Array($0) } == second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.incoming).isEmpty)
    }
}

/// Accepts every file, numbering the cases; holds the first intake until released.
final class HoldFirstHandler: SpoolIntakeHandler {
    private struct State {
        var calls = 0
        var held: CheckedContinuation<Void, Never>?
        var released = false
    }
    private let state = Mutex(State())

    func intake(_ drop: SpoolDrop) async throws -> SpoolDecision {
        let n = state.withLock { s -> Int in
            s.calls += 1
            return s.calls
        }
        if n == 1 {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.released { return true }
                    s.held = c
                    return false
                }
                if now { c.resume() }
            }
        }
        return .accepted(caseID: "C-\(n)", duplicate: false)
    }

    func releaseFirst() {
        let held = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.released = true
            defer { s.held = nil }
            return s.held
        }
        held?.resume()
    }

    /// Whether the number of intakes so far meets `condition` within `timeout` seconds.
    func wait(timeout: Double, _ condition: (Int) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(state.withLock { $0.calls }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
