import Testing

@testable import SokuhoCore

@Suite("Report validation")
struct ReportValidationTests {
    static let minimal: [String: JSONValue] = [
        "kind": "leak", "information": "顧客名簿", "location": "本社", "circumstances": "誤送信",
    ]

    func validate(_ extra: [String: JSONValue]) throws(ValidationError) -> Report {
        var o = Self.minimal
        for (k, v) in extra { o[k] = v }
        return try Report.validate(.object(o))
    }

    func error(_ extra: [String: JSONValue], removing: String? = nil) -> ValidationError? {
        var o = Self.minimal
        for (k, v) in extra { o[k] = v }
        if let removing { o.removeValue(forKey: removing) }
        do { _ = try Report.validate(.object(o)); return nil } catch { return error }
    }

    @Test("a minimal report is valid; defaults apply")
    func minimal() throws {
        let r = try validate([:])
        #expect(r.kind == .leak)
        #expect(r.suspected == false)
        #expect(r.count == nil)
        #expect(r.countPrecision == nil)
        let counted = try validate(["count": 12])
        #expect(counted.countPrecision == .exact)
        let approx = try validate(["count": 420000, "count_precision": "approximate"])
        #expect(approx.countPrecision == .approximate)
    }

    @Test("every required field is named when missing, null or blank", arguments: Report.requiredFields)
    func required(_ field: String) {
        #expect(error([:], removing: field)?.code == .missingField)
        #expect(error([:], removing: field)?.field == field)
        #expect(error([field: nil])?.code == .missingField)
        if field != "kind" {
            #expect(error([field: " \u{3000}\n"])?.code == .emptyField)
            #expect(error([field: " \u{3000}\n"])?.field == field)
        }
    }

    @Test("wrong types are named")
    func types() {
        #expect(error(["count": "12"])?.code == .wrongType)
        #expect(error(["count": .double(1.5)])?.code == .wrongType)
        #expect(error(["suspected": "true"])?.code == .wrongType)
        #expect(error(["information": 5])?.code == .wrongType)
        #expect(error(["reporter": "me"])?.field == "reporter")
        #expect(error(["kind": 1])?.field == "kind")
    }

    @Test("values are checked")
    func values() {
        #expect(error(["count": -1])?.code == .invalidValue)
        #expect(error(["kind": "leek"])?.message.contains("did you mean \"leak\"") == true)
        #expect(error(["count_precision": "exact"])?.field == "count_precision")
        #expect(error(["count": 3, "count_precision": "roughly"])?.code == .invalidValue)
        #expect(error(["occurred_at": "2026-13-01"])?.field == "occurred_at")
        #expect(error(["discovered_at": "2026-02-30T10:00:00Z"])?.field == "discovered_at")
        #expect(error(["information": .string(String(repeating: "あ", count: 30000))])?.code == .invalidValue)
        #expect(error(["location": "a\u{0}b"])?.code == .invalidValue)
    }

    @Test("unknown fields are refused with a suggestion for near misses")
    func unknown() {
        let e = error(["locaton": "x"])
        #expect(e?.code == .unknownField)
        #expect(e?.field == "locaton")
        #expect(e?.message.contains("did you mean \"location\"") == true)
        #expect(e?.messageJa.contains("location") == true)
        #expect(error(["reporter": ["nmae": "x"]])?.field == "reporter.nmae")
        #expect(error(["zzz": 1])?.message.contains("known fields") == true)
    }

    @Test("text is trimmed; reporter and subcontractor are kept")
    func trimmed() throws {
        let r = try validate(["location": "  本社3階\u{3000}", "reporter": ["name": "山田", "contact": "内線123"], "subcontractor": "協力会社A"])
        #expect(r.location == "本社3階")
        #expect(r.reporter == Reporter(name: "山田", organization: nil, contact: "内線123"))
        #expect(r.subcontractor == "協力会社A")
        #expect(try validate(["reporter": [:]]).reporter == nil)
    }

    @Test("a report survives its own JSON form")
    func roundTrip() throws {
        let r = try validate(["count": 65, "suspected": true, "occurred_at": "2022-06-21", "report_id": "abc"])
        #expect(try Report.validate(r.json) == r)
    }
}

@Suite("Case updates")
struct CaseUpdateTests {
    let report = try! Report.validate(["kind": "leak", "information": "i", "location": "l", "circumstances": "c"])

    @Test("changes are from/to pairs; setting a count defaults its precision")
    func changes() throws {
        let c = try CaseUpdate.changes(["count": 10], to: report)
        #expect(c["count"] == ["from": nil, "to": 10])
        #expect(c["count_precision"] == ["from": nil, "to": "exact"])
        #expect(try CaseUpdate.changes(["information": "i"], to: report).isEmpty)
    }

    @Test("clearing the count clears its precision")
    func clear() throws {
        var r = report
        r.count = 5
        r.countPrecision = .approximate
        let c = try CaseUpdate.changes(["count": nil], to: r)
        #expect(c["count"] == ["from": 5, "to": nil])
        #expect(c["count_precision"] == ["from": "approximate", "to": nil])
    }

    @Test("refusals name the field")
    func refusals() {
        #expect(throws: ValidationError.self) { try CaseUpdate.changes(["report_id": "x"], to: report) }
        #expect(throws: ValidationError.self) { try CaseUpdate.changes([:], to: report) }
        #expect(throws: ValidationError.self) { try CaseUpdate.changes(["location": nil], to: report) }
        do { _ = try CaseUpdate.changes(["cont": 1], to: report) } catch {
            #expect(error.field == "cont")
            #expect(error.message.contains("count"))
        }
    }

    @Test("applying an update event changes the case")
    func apply() throws {
        let peer = PeerIdentity(uid: 1000, gid: 1000, pid: 42, user: "alice")
        var c = try Case.opened(
            id: "INC-2026-0001", at: "2026-11-26T00:00:00.000Z",
            data: Case.openingData(report: report, reportedBy: peer, source: .socket), hash: "h")
        #expect(c.missing == ["count"])
        let changes = try CaseUpdate.changes(["count": 7], to: c.report)
        try c.apply(type: EventType.caseUpdated.rawValue, at: "2026-11-26T01:00:00.000Z", data: ["changes": .object(changes)])
        #expect(c.report.count == 7)
        #expect(c.missing == [])
        #expect(c.version == 2)
        #expect(c.updatedAt == "2026-11-26T01:00:00.000Z")
    }
}
