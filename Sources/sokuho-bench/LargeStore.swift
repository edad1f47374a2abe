import Foundation
import SokuhoClient
import SokuhoCore
import SokuhoStore

/// Figures that need a big store: `case list` and `case show` with many cases, and `audit verify`.
enum LargeStore {
    /// Fills a new database with `cases` cases, through the store's own group commit.
    static func fill(path: String, cases: Int) async throws -> Double {
        let store = try CaseStore(path: path)
        let actor = EventActor(peer: PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "bench"), role: .reporter, channel: "socket")
        let start = Date()
        let width = 64
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<width {
                group.addTask {
                    var i = w
                    while i < cases {
                        let r = try Report.validate(.object(Bench.report(5_000_000 + i)))
                        _ = try await store.openCase(r, actor: actor, at: Date(), year: 2026)
                        i += width
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(cases) / Date().timeIntervalSince(start)
    }

    /// Latencies of `case.list` (the newest 100) and `case.get` of random cases, in ms.
    static func readLatencies(socket: String, cases: Int, requests: Int) throws -> (list: [Double], show: [Double]) {
        let c = try ControlClient(path: socket)
        var list: [Double] = []
        var show: [Double] = []
        for _ in 0..<requests {
            var t = DispatchTime.now().uptimeNanoseconds
            let l = try c.call(CaseListRequest(limit: 100).json)
            guard l["ok"] == true else { throw Bench.Failure("case.list failed: \(l)") }
            list.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            let id = CaseID.make(year: 2026, number: Int.random(in: 1...cases))
            t = DispatchTime.now().uptimeNanoseconds
            let g = try c.call(CaseRequest(.caseGet, id: id).json)
            guard g["ok"] == true else { throw Bench.Failure("case.get failed: \(g)") }
            show.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        return (list, show)
    }
}

/// Resident memory and CPU time of a process, from /proc.
enum ProcessFigures {
    /// `VmRSS` (all resident pages, shared library code included) or another line of
    /// /proc/PID/status such as `RssAnon` (private memory only), in MiB.
    static func rssMiB(pid: Int32, field: String = "VmRSS") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") })
        else { return .nan }
        let kb = Double(line.split(separator: " ").dropFirst().first.map(String.init) ?? "") ?? .nan
        return kb / 1024
    }

    /// User + system CPU seconds used so far.
    static func cpuSeconds(pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return .nan }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) else { return .nan }
        return (u + s) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
