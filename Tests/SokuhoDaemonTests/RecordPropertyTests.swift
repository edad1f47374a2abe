import Foundation
import SokuhoCore
import SokuhoStore
import SokuhoTestSupport
import Testing

/// Seeded random sequences of every op from every kind of user, with refusals, malformed
/// requests and restarts. Afterwards: every acknowledged change is in the record, `audit verify`
/// passes (it replays every case and compares it with the stored one), and each case's messages
/// to each endpoint are numbered 1, 2, 3, … without gaps.
/// Steps per seed: 300 in the suite; `SOKUHO_PROPERTY_STEPS` and `SOKUHO_PROPERTY_SEEDS` for more.
@Suite("The record holds under random use by every role")
struct RecordPropertyTests {
    static let steps = Int(ProcessInfo.processInfo.environment["SOKUHO_PROPERTY_STEPS"] ?? "") ?? 300
    static let seeds: [UInt64] = {
        let n = Int(ProcessInfo.processInfo.environment["SOKUHO_PROPERTY_SEEDS"] ?? "") ?? 3
        return (0..<UInt64(n)).map { 0x50C0 + $0 }
    }()

    /// Junk a careless or hostile client sends: wrong types, unknown ops and members, huge ids.
    static func junk(_ rng: inout SeededRandom) -> JSONValue {
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .array([1, 2])
        case 1: return ["op": 42]
        case 2: return ["op": "case.delete", "id": "INC-2026-0001"]
        case 3: return ["op": "case.get", "id": .string(String(repeating: "9", count: Int.random(in: 1...5000, using: &rng)))]
        case 4: return ["op": "report", "report": ["kind": "leak", "information": "\u{1b}[2J", "location": "l", "circumstances": "c"]]
        case 5: return ["op": "case.update", "id": "INC-2026-0001", "fields": ["count": -1]]
        default: return ["op": "report", "extra": true]
        }
    }

    @Test("acknowledged changes are kept; verify passes; messages have no gaps", arguments: RecordPropertyTests.seeds)
    func randomUse(seed: UInt64) async throws {
        var rng = SeededRandom(seed: seed)
        let f = try DeskFixture()
        var cases: [String] = []
        var acknowledged: [(seq: Int64, hash: String)] = []
        for step in 0..<Self.steps {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 3 {
                try f.restart()
                continue
            }
            let who = DeskFixture.Who.allCases.randomElement(using: &rng)!
            let request: JSONValue
            if roll < 12 {
                request = Self.junk(&rng)
            } else {
                let op = ControlOperation.allCases.randomElement(using: &rng)!
                let id = cases.randomElement(using: &rng) ?? "INC-2026-0001"
                var r = PermissionMatrixTests.request(op, id: Int.random(in: 0..<10, using: &rng) == 0 ? "INC-2026-9999" : id)
                if op == .report, case .object(var o) = r {
                    o["report"] = minimalReport([
                        "report_id": .string("p-\(Int.random(in: 0..<40, using: &rng))"),
                        "information": .string("情報 \(step)"),
                    ])
                    r = .object(o)
                }
                if op == .caseUpdate, case .object(var o) = r {
                    o["fields"] = ["count": .int(Int64(Int.random(in: 0...5000, using: &rng)))]
                    r = .object(o)
                }
                request = r
            }
            let answer = await f.call(who, request)
            if let id = answer["case"]?["id"]?.stringValue, !cases.contains(id) { cases.append(id) }
            if let seq = answer["receipt"]?["seq"]?.intValue, let hash = answer["receipt"]?["hash"]?.stringValue {
                acknowledged.append((seq, hash))
            }
        }
        try f.restart()
        // Every acknowledged change is there, as acknowledged.
        let rows = try shell("sqlite3 '\(f.dbPath)' 'SELECT seq, hash FROM events'").stdout
        var stored: [Int64: String] = [:]
        for line in rows.split(separator: "\n") {
            let parts = line.split(separator: "|")
            if parts.count == 2, let seq = Int64(parts[0]) { stored[seq] = String(parts[1]) }
        }
        for a in acknowledged { #expect(stored[a.seq] == a.hash, "seed \(seed): acknowledged event \(a.seq) missing or changed") }
        // The verifier passes: the chain, and every case replayed equals the stored case.
        let verdict = try f.verify()
        #expect(verdict.problem == nil, "seed \(seed): \(String(describing: verdict.problem))")
        #expect(verdict.casesChecked == cases.count)
        // Messages to the city are numbered without gaps, per case.
        for problem in try outboxNumberingProblems(database: f.dbPath) { Issue.record("seed \(seed): \(problem)") }
        print(
            "record property, seed \(seed): \(Self.steps) steps, \(cases.count) cases, \(acknowledged.count) acknowledged changes, \(stored.count) events"
        )
    }
}
