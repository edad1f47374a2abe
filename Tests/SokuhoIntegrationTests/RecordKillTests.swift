import Foundation
import SokuhoCore
import SokuhoTestSupport
import Testing

/// The record under random use with SIGKILLs at random moments: every acknowledged change is
/// kept as acknowledged, `sokuho audit verify` passes, and each case's messages to the city are
/// numbered without gaps. Steps: 150 in the suite, `SOKUHO_PROPERTY_STEPS` for more.
@Suite("The record holds across SIGKILL during random use")
struct RecordKillTests {
    @Test("random ops, SIGKILLs and restarts; acknowledged changes kept, verify passes, no gaps")
    func randomKills() throws {
        let steps = Int(ProcessInfo.processInfo.environment["SOKUHO_PROPERTY_STEPS"] ?? "") ?? 150
        var rng = SeededRandom(seed: 0x5EED)
        let d = try DaemonHarness(extra: "city:\n  webhook:\n    url: http://127.0.0.1:9/hook\n    secret_file: city.secret\n")
        try ("whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()).write(
            toFile: d.dir + "/city.secret", atomically: true, encoding: .utf8)
        chmod(d.dir + "/city.secret", 0o600)
        try d.start()
        var cases: [String] = []
        var acknowledged: [(Int64, String)] = []
        for step in 0..<steps {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 6 {
                d.stop(signal: SIGKILL)
                try d.start()
                continue
            }
            let id = cases.randomElement(using: &rng) ?? "INC-2026-0001"
            let request: JSONValue
            switch roll % 5 {
            case 0, 1:
                request = ["op": "report", "report": minimalReport(["report_id": .string("k-\(Int.random(in: 0..<60, using: &rng))")])]
            case 2: request = ["op": "case.update", "id": .string(id), "fields": ["count": .int(Int64(step))]]
            case 3: request = ["op": "instruction.add", "id": .string(id), "text": "対応せよ", "from": "市"]
            default:
                request = [
                    "op": "case.transition", "id": .string(id), "to": ["contained", "open", "resolved"].randomElement(using: &rng)!,
                ]
            }
            guard let answer = try? d.call(request) else { continue }  // killed mid-request: not acknowledged
            if let cid = answer["case"]?["id"]?.stringValue, !cases.contains(cid) { cases.append(cid) }
            if let seq = answer["receipt"]?["seq"]?.intValue, let hash = answer["receipt"]?["hash"]?.stringValue {
                acknowledged.append((seq, hash))
            }
        }
        d.stop()
        let rows = try DaemonHarness.shell("sqlite3 \(d.dbPath) 'SELECT seq, hash FROM events'").stdout
        var stored: [Int64: String] = [:]
        for line in rows.split(separator: "\n") {
            let p = line.split(separator: "|")
            if p.count == 2, let s = Int64(p[0]) { stored[s] = String(p[1]) }
        }
        for (seq, hash) in acknowledged { #expect(stored[seq] == hash, "acknowledged event \(seq) lost or changed") }
        let verify = try d.cli(["audit", "verify", "--db", d.dbPath])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        for problem in try outboxNumberingProblems(database: d.dbPath) { Issue.record(Comment(rawValue: problem)) }
        print(
            "record under SIGKILL: \(steps) steps, \(cases.count) cases, \(acknowledged.count) acknowledged changes, \(stored.count) events"
        )
    }
}
