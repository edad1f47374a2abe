import Foundation
import SokuhoCore

// What the test targets share: a minimal report, a seeded generator, a shell runner and the
// record check every crash and property test ends with. A plain target (not a test target), so
// each test target can depend on it.

/// A minimal valid report, with `extra` fields set or replaced.
public func minimalReport(_ extra: [String: JSONValue] = [:]) -> JSONValue {
    var o: [String: JSONValue] = [
        "kind": "leak", "information": "顧客名簿（氏名・住所）", "location": "本社3階 共有フォルダ",
        "circumstances": "アクセス権の設定誤りで全社員が閲覧可能だった",
    ]
    for (k, v) in extra { o[k] = v }
    return .object(o)
}

/// SplitMix64: a small deterministic generator, so a failing random run can be replayed by seed.
public struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The result of a shell command.
public struct ShellRun: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs `/bin/sh -c command` and collects its output.
public func shell(_ command: String) throws -> ShellRun {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ShellRun(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

/// Each case's messages to the city endpoint, read with `sqlite3` from the database at `path`:
/// the problems found, where messages are not numbered 1, 2, 3, … without gaps. Empty when the
/// numbering holds.
public func outboxNumberingProblems(database path: String, endpoint: String = "city") throws -> [String] {
    let sql =
        "SELECT case_id, group_concat(sequence) FROM (SELECT case_id, sequence FROM outbox WHERE endpoint = '\(endpoint)' "
        + "ORDER BY case_id, sequence) GROUP BY case_id"
    let rows = try shell("sqlite3 '\(path)' \"\(sql)\"").stdout
    var problems: [String] = []
    for line in rows.split(separator: "\n") {
        let parts = line.split(separator: "|")
        guard parts.count == 2 else { continue }
        let numbers = parts[1].split(separator: ",").compactMap { Int($0) }
        if numbers != Array(1...numbers.count) { problems.append("\(parts[0]) has messages \(numbers)") }
    }
    return problems
}
