import Foundation
import SokuhoCore
import Testing

@testable import SokuhoConfig

@Suite("Playbook files: YAML with file:line:column in every error")
struct PlaybookLoaderTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("playbooks").path

    @Test("the shipped playbooks load as a set covering every kind, in both languages")
    func shipped() throws {
        let set = try PlaybookLoader.loadDirectory(Self.shipped).get()
        #expect(Set(set.entries.map(\.playbook.id)) == ["leak", "loss", "tampering", "damage", "other"])
        #expect(set.uncoveredKinds.isEmpty)
        for e in set.entries {
            let p = e.playbook
            #expect(p.steps.contains { $0.mandatory }, "\(p.id)")
            #expect(p.steps.contains { $0.id == "final_report" }, "\(p.id) has a final report step")
            #expect(p.steps.contains { $0.id == "follow_instructions" }, "\(p.id) follows the city's instructions")
            for s in p.steps {
                #expect(s.title.ja.unicodeScalars.contains { $0.value > 0x3000 }, "\(p.id).\(s.id) has a Japanese title")
                #expect(!s.guide.en.isEmpty && !s.guide.ja.isEmpty)
            }
        }
    }

    func error(_ yaml: String) -> ConfigError? {
        do { _ = try PlaybookLoader.parse(yaml, file: "p.yaml"); return nil } catch { return error }
    }

    static let head = """
        playbook: p
        title: {ja: 手順, en: Steps}
        applies_to:
          kinds: [leak]
        steps:

        """

    @Test("unknown keys, bad types, missing references, cycles, bad durations and conditions point at their line")
    func positions() {
        let step = "  - id: a\n    title: {ja: a, en: a}\n    guide: {ja: a, en: a}\n"
        var e = error(Self.head + step + "    colour: red\n")
        #expect(e?.line == 9 && e?.column == 5 && e?.key == "steps[0].colour", "\(String(describing: e))")
        e = error(Self.head + step + "    mandatory: yes please\n")
        #expect(e?.line == 9 && e?.key == "steps[0].mandatory", "\(String(describing: e))")
        e = error(Self.head + step + "    after: [b]\n")
        #expect(e?.line == 9 && e?.column == 13 && e?.reason.contains("no step has the id \"b\"") == true, "\(String(describing: e))")
        e = error(Self.head + step + "    due: 3 days\n")
        #expect(e?.line == 9 && e?.key == "steps[0].due", "\(String(describing: e))")
        e = error(Self.head + step + "    when: \"count > lots\"\n")
        #expect(e?.line == 9 && e?.column == 20, "\(String(describing: e))")  // the "l" of lots
        e = error(Self.head + step + "    after: [b]\n  - id: b\n    title: {ja: b, en: b}\n    guide: {ja: b, en: b}\n    after: [a]\n")
        #expect(e?.reason.contains("dependency cycle") == true, "\(String(describing: e))")
        #expect(e?.description.hasPrefix("p.yaml:13:5: steps[1].after: dependency cycle: a → b → a") == true, "\(String(describing: e))")
        e = error("playbook: p\ntitle: [\n")
        #expect(e?.reason.contains("invalid YAML") == true)
        e = error("")
        #expect(e?.reason.contains("empty") == true)
    }

    @Test("a set with two playbooks for the same kind at the same priority is refused, naming both files")
    func ambiguous() throws {
        let dir = NSTemporaryDirectory() + "sokuho-pb-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = Self.head + "  - id: a\n    title: {ja: a, en: a}\n    guide: {ja: a, en: a}\n"
        try text.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: "playbook: p", with: "playbook: q").write(
            toFile: dir + "/b.yml", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: dir + "/README.txt", atomically: true, encoding: .utf8)
        guard case .failure(let problems) = PlaybookLoader.loadDirectory(dir) else { Issue.record("accepted"); return }
        #expect(problems.description.contains("a.yaml and \(dir)/b.yml both apply to every leak case"), "\(problems)")
        #expect(try PlaybookLoader.loadDirectory(dir + "/missing").get().entries.isEmpty)
    }
}
