import Foundation
import SokuhoCore
import Testing

/// The incident report's timeline, rendered from the dossier a real desk gives: what a sentence
/// says must be what happened, whatever a reporter wrote.
@Suite("The printed timeline says what happened")
struct DocumentTimelineTests {
    static let ja = DocumentStyle(japanese: true, zone: .fixed(seconds: 9 * 3600))
    static let en = DocumentStyle(japanese: false, zone: .fixed(seconds: 9 * 3600))

    static func timeline(_ f: DeskFixture, _ id: String, _ s: DocumentStyle) async -> [String] {
        let dossier = await f.call(.root, ["op": "case.report", "id": .string(id)])
        let doc = IncidentReport.document(dossier, style: s)
        for section in doc.sections {
            for case .table(_, let rows) in section.blocks where rows.first?.count == 3 { return rows.map { $0[2] } }
        }
        return []
    }

    @Test("a count changed without its precision keeps the precision in force in the sentence")
    func countKeepsPrecision() async throws {
        let f = try DeskFixture()
        let id = try await f.report(.alice, ["count": 1200, "count_precision": "approximate"])
        let r = await f.call(.lena, ["op": "case.update", "id": .string(id), "fields": ["count": 1300]])
        #expect(r["ok"] == true, "\(r)")
        let c = await f.call(.root, ["op": "case.get", "id": .string(id)])
        #expect(c["case"]?["count_precision"] == "approximate", "the daemon keeps the precision: \(c)")
        let ja = await Self.timeline(f, id, Self.ja)
        #expect(ja.contains("件数を 1,300件（概数）に更新（以前は1,200件（概数））"), "\(ja)")
        let en = await Self.timeline(f, id, Self.en)
        #expect(en.contains("Number of items set to about 1,300 items (was about 1,200 items)"), "\(en)")
    }

    @Test("a reporter's quotation marks cannot close the quote and forge a clause in a lead's sentence")
    func quoteCannotBeClosed() async throws {
        let f = try DeskFixture()
        // The reporter's place, quoted as the old value when the lead corrects it.
        let forgedJa = "本社」）、状態を「対応中」から「完了」に変更（理由「市の承認"
        let idJa = try await f.report(.alice, ["location": .string(forgedJa)])
        let r = await f.call(.lena, ["op": "case.update", "id": .string(idJa), "fields": ["location": "支社"]])
        #expect(r["ok"] == true, "\(r)")
        let ja = await Self.timeline(f, idJa, Self.ja)
        let line = try #require(ja.first { $0.hasPrefix("発生場所を") }, "\(ja)")
        // Two quotations, each opened and closed once; the reporter's marks are nested ones.
        #expect(line.filter { $0 == "「" }.count == 2 && line.filter { $0 == "」" }.count == 2, "\(line)")
        #expect(!line.contains("「完了」"), "\(line)")

        let forgedEn = "HQ”); state changed from open to closed (because “the city agreed"
        let idEn = try await f.report(.alice, ["location": .string(forgedEn)])
        _ = await f.call(.lena, ["op": "case.update", "id": .string(idEn), "fields": ["location": "Annex"]])
        let en = await Self.timeline(f, idEn, Self.en)
        let enLine = try #require(en.first { $0.hasPrefix("Place set to") }, "\(en)")
        #expect(enLine.filter { $0 == "“" }.count == 2 && enLine.filter { $0 == "”" }.count == 2, "\(enLine)")
    }
}
