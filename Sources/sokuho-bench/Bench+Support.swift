import ArgumentParser
import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoReceiver
import SokuhoStore
import Synchronization

/// What the benchmark's runs share: starting the daemon, client threads, the sample reports
/// and percentiles.
extension Bench {
    /// Writes `dir/sokuhod.yaml` (state in `dir/state`, everyone a reporter, `extra` YAML
    /// appended), starts the `sokuhod` next to the benchmark and waits until its socket answers.
    static func startDaemon(bin: String, dir: String, extra: String = "", logLevel: String = "warning") throws -> Process {
        try """
        state_dir: state
        socket:
          # The benchmark's clients are all one user; the default cap per user is 32.
          max_connections_per_user: 256
        roles:
          reporter:
            users: ["*"]
        log:
          level: \(logLevel)
        \(extra)
        """.write(toFile: dir + "/sokuhod.yaml", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin + "/sokuhod")
        p.arguments = ["--config", dir + "/sokuhod.yaml"]
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        while (try? ControlClient(path: dir + "/state/sokuhod.sock")) == nil {
            guard p.isRunning else { throw Failure("sokuhod exited with \(p.terminationStatus) (config \(dir)/sokuhod.yaml)") }
            usleep(10_000)
        }
        return p
    }

    /// Waits until the daemon's outbox has no pending message (every delivery recorded).
    static func waitForEmptyOutbox(_ client: ControlClient) async throws {
        while (try? client.call(OutboxListRequest(state: "pending", limit: 1).json))?["count"]?.intValue != 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body` on `n` threads of its own at once (concurrentPerform would run only as many
    /// as there are cores, and these clients mostly wait on their socket).
    static func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for w in 0..<n {
            done.enter()
            let t = Thread {
                body(w)
                done.leave()
            }
            t.stackSize = 1 << 20
            t.start()
        }
        done.wait()
    }

    static func report(_ i: Int) -> [String: JSONValue] {
        [
            "kind": "leak", "information": .string("ベンチマーク用の報告 #\(i)（顧客名簿）"), "location": "本社3階", "circumstances": "誤送信",
            "count": .int(Int64(i % 1000)), "report_id": .string("bench-\(i)"),
        ]
    }

    static func percentile(_ xs: [Double], _ q: Double) -> Double {
        guard !xs.isEmpty else { return .nan }
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count) * q).rounded(.up)) - 1)]
    }

    static func p(_ xs: [Double]) -> String {
        String(format: "p50 %.2f  p99 %.2f  max %.2f  (n=%d)", percentile(xs, 0.5), percentile(xs, 0.99), xs.max() ?? .nan, xs.count)
    }

    static func pj(_ xs: [Double]) -> JSONValue {
        ["p50": .double(percentile(xs, 0.5)), "p99": .double(percentile(xs, 0.99)), "n": .int(Int64(xs.count))]
    }
}

/// Arrival times at the receiver, by case id.
final class Arrivals: Sendable {
    private let state = Mutex<(times: [String: UInt64], waiters: [String: CheckedContinuation<UInt64, Never>])>(([:], [:]))

    func arrived(_ id: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        let waiter = state.withLock { s -> CheckedContinuation<UInt64, Never>? in
            if let w = s.waiters.removeValue(forKey: id) { return w }
            s.times[id] = now
            return nil
        }
        waiter?.resume(returning: now)
    }

    func wait(for id: String) async -> UInt64 {
        await withCheckedContinuation { c in
            let done = state.withLock { s -> UInt64? in
                if let t = s.times.removeValue(forKey: id) { return t }
                s.waiters[id] = c
                return nil
            }
            if let done { c.resume(returning: done) }
        }
    }
}

final class Samples: Sendable {
    private let xs = Mutex<[Double]>([])
    func add(_ x: Double) { xs.withLock { $0.append(x) } }
    var all: [Double] { xs.withLock { $0 } }
}

extension Samples {
    final class Strings: Sendable {
        private let xs = Mutex<[String]>([])
        func add(_ x: String) { xs.withLock { $0.append(x) } }
        var all: [String] { xs.withLock { $0 } }
    }
}

final class Counter: Sendable {
    private let n = Mutex(0)
    func add() { n.withLock { $0 += 1 } }
    var value: Int { n.withLock { $0 } }
}
