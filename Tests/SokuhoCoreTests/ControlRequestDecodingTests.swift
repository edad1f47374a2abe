import Testing

@testable import SokuhoCore

/// The daemon decodes each op's members into the same type the CLI builds: what the CLI sends
/// decodes to the same request, and a hostile member is refused naming it.
@Suite struct ControlRequestDecodingTests {
    static func decode(_ op: ControlOperation, _ o: [String: JSONValue]) throws -> (any ControlRequest)? { try op.decode(o) }

    @Test func whatTheCLISendsDecodesToTheSameRequest() throws {
        for request in ControlRequestTests.everyRequest {
            guard case .object(let o) = request.json else { continue }
            let decoded = try #require(try Self.decode(request.operation, o), "\(request.operation.rawValue)")
            #expect(decoded.operation == request.operation)
            if request.operation == .statusReport {
                // Times are kept in the record's form.
                #expect(decoded.json == ["op": "status.report", "from": "2026-11-01T00:00:00.000Z", "to": "2026-11-30T00:00:00.000Z"])
            } else {
                #expect(decoded.json == request.json, "\(request.operation.rawValue)")
            }
        }
    }

    @Test(arguments: [
        (ControlOperation.caseGet, [String: JSONValue](), ErrorCode.missingField, "id"),
        (.caseGet, ["id": 7], .wrongType, "id"),
        (.caseGet, ["id": "INC-2026-0001\u{1b}[2J"], .invalidValue, "id"),
        (.caseTransition, ["id": "INC-2026-0001"], .missingField, "to"),
        (.caseTransition, ["id": "INC-2026-0001", "to": .array(["closed"])], .wrongType, "to"),
        (.caseList, ["limit": 0], .invalidValue, "limit"),
        (.caseList, ["mine": "yes"], .wrongType, "mine"),
        (.report, ["report": "a leak"], .wrongType, "report"),
        (.caseUpdate, ["id": "INC-2026-0001", "fields": .array([])], .wrongType, "fields"),
        (.stepSkip, ["id": "INC-2026-0001", "step": "contain"], .missingField, "reason"),
        (.spoolList, ["states": "waiting"], .wrongType, "states"),
        (.spoolList, ["states": .array([1])], .invalidValue, "states"),
        (.instructionAdd, ["id": "INC-2026-0001", "text": "t", "from": "f", "issued_at": "yesterday"], .invalidValue, "issued_at"),
        (.caseSubmit, ["id": "INC-2026-0001", "report": "final"], .invalidValue, "report"),
        (.statusReport, ["from": "2026-11-30", "to": "2026-11-01"], .invalidValue, "to"),
        (.ledgerApprove, ["request": "L-0001"], .invalidValue, "request"),
        (.ledgerReturn, ["request": "L-0001-D1", "note": "n"], .invalidValue, "request"),
        (.ledgerUpdate, ["id": "L-0001", "fields": "records=3"], .emptyField, "fields"),
        (.disposalApply, ["id": "L-0001", "method": "m", "medium": "m", "quantity": "1"], .missingField, "planned"),
    ])
    func aHostileMemberIsRefusedNamingIt(op: ControlOperation, members: [String: JSONValue], code: ErrorCode, field: String) {
        var thrown: ValidationError?
        do { _ = try Self.decode(op, members) } catch let e as ValidationError { thrown = e } catch { Issue.record("\(error)") }
        #expect(thrown?.code == code, "\(op.rawValue) \(members)")
        #expect(thrown?.field == field, "\(op.rawValue) \(members)")
    }

    @Test func aNameFromAnotherModuleIsCheckedWithTheSameWords() {
        #expect(throws: ValidationError.self) { try FieldReader.enumValue("to", "clsoed", CaseState.self) }
        do {
            _ = try FieldReader.enumValue("to", "clsoed", CaseState.self)
        } catch {
            #expect(error.message.contains("did you mean \"closed\""))
        }
        #expect((try? FieldReader.enumValue("to", nil as String?, CaseState.self)) == .some(nil))
    }
}
