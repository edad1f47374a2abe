import Foundation
import Testing

/// The fuzz targets' seed corpus and every crash ever saved, replayed through the same checks
/// libFuzzer runs (scripts/fuzz): a fixed crash stays fixed.
@Suite("Fuzz corpus and saved crashes replay cleanly")
struct FuzzReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    @Test("replay", arguments: ["report", "framing", "playbook", "webhook"])
    func replay(target: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: DaemonHarness.binDir + "/sokuho-fuzz")
        p.arguments = [target, Self.root + "/corpus/" + target, Self.root + "/crashes/" + target]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("no failure"))
        // A missing or empty corpus replays nothing and would prove nothing.
        let replayed = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
        #expect(replayed >= 3, "\(text)")
    }
}
