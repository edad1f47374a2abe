import Foundation
import SokuhoCore
import Testing

@testable import SokuhoWebhook

@Suite("Standard Webhooks signing")
struct WebhookSignatureTests {
    @Test("the reference test vector reproduces exactly")
    func vector() throws {
        let secret = try WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let sig = WebhookSignature.sign(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1614265330,
            body: Array(#"{"test": 2432232314}"#.utf8), secret: secret)
        #expect(sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("several secrets give one entry each, separated by single spaces; verification accepts any")
    func rotation() throws {
        let a = try WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let b = try WebhookSignature.Secret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        let body = Array("{}".utf8)
        let header = WebhookSignature.header(id: "msg_1", timestamp: 1000, body: body, secrets: [a, b])
        #expect(header.split(separator: " ").count == 2)
        #expect(!header.contains("  "))
        #expect(WebhookSignature.verify(id: "msg_1", timestamp: "1000", signatures: header, body: body, secrets: [b], now: 1000) == nil)
        #expect(
            WebhookSignature.verify(id: "msg_1", timestamp: "1000", signatures: header, body: Array("{ }".utf8), secrets: [a], now: 1000)
                != nil)
        #expect(
            WebhookSignature.verify(id: "msg_1", timestamp: "1000", signatures: header, body: body, secrets: [a], now: 1301)?.contains(
                "300") == true)
        #expect(WebhookSignature.verify(id: "msg_2", timestamp: "1000", signatures: header, body: body, secrets: [a], now: 1000) != nil)
    }

    @Test("timestamps at the extremes are refused, never trap: -2^63, 2^63-1, signs, spaces, exponents, 19+ digits")
    func extremeTimestamps() throws {
        let a = try WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array("{}".utf8)
        for ts in [
            "-9223372036854775808", "9223372036854775807", "-1", "-0", "+1000", " 1000", "1000 ", "1e3", "", "0x10",
            "99999999999999999999999", "1000000000000000000", "１０００",
        ] {
            let header = "v1,AAAA"
            #expect(
                WebhookSignature.verify(id: "a", timestamp: ts, signatures: header, body: body, secrets: [a], now: 1000) != nil, "\(ts)")
            #expect(
                WebhookSignature.verify(id: "a", timestamp: ts, signatures: header, body: body, secrets: [a], now: .min) != nil, "\(ts)")
            #expect(
                WebhookSignature.verify(id: "a", timestamp: ts, signatures: header, body: body, secrets: [a], now: .max) != nil, "\(ts)")
        }
        // The largest accepted timestamp (18 digits) against the extremes of `now`: no overflow.
        #expect(
            WebhookSignature.verify(id: "a", timestamp: "999999999999999999", signatures: "v1,AAAA", body: body, secrets: [a], now: .min)
                != nil)
        #expect(WebhookSignature.within(0, of: .min, tolerance: 300) == false)
        #expect(WebhookSignature.within(.max, of: .min, tolerance: .max) == false)
        #expect(WebhookSignature.within(.min, of: .max, tolerance: .max) == false)
        #expect(WebhookSignature.within(.max, of: .max, tolerance: 0))
        #expect(WebhookSignature.within(5, of: 0, tolerance: -1) == false)
        #expect(WebhookSignature.parseTimestamp("0001614265330") == 1614265330)
        // A correctly signed message at the edge of the tolerance still verifies.
        let h = WebhookSignature.header(id: "a", timestamp: 1000, body: body, secrets: [a])
        #expect(WebhookSignature.verify(id: "a", timestamp: "1000", signatures: h, body: body, secrets: [a], now: 1300) == nil)
        #expect(WebhookSignature.verify(id: "a", timestamp: "1000", signatures: h, body: body, secrets: [a], now: 700) == nil)
        #expect(WebhookSignature.verify(id: "a", timestamp: "1000", signatures: h, body: body, secrets: [a], now: 699) != nil)
    }

    @Test("signature entries: compared as decoded MACs in constant time, at most 8, header and id bounded")
    func signatureEntries() throws {
        let a = try WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let b = try WebhookSignature.Secret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        let body = Array("{}".utf8)
        let good = WebhookSignature.sign(id: "msg_1", timestamp: 1000, body: body, secret: b)
        func check(_ sig: String, id: String = "msg_1") -> WebhookSignature.Verification {
            WebhookSignature.check(id: id, timestamp: "1000", signatures: sig, body: body, secrets: [a, b], now: 1000)
        }
        #expect(check(good) == .verified(secretIndex: 1))
        // Unknown versions and junk entries around a good one are skipped.
        #expect(check("v1a,xyz v0,AAAA v1,!!! " + good + " v2,AAAA") == .verified(secretIndex: 1))
        // The same MAC in other base64 spellings is still the same MAC (bytes are compared, not text).
        #expect(check("v1," + Data(base64Encoded: String(good.dropFirst(3)))!.base64EncodedString()) == .verified(secretIndex: 1))
        // A MAC one bit off, truncated or extended: refused.
        var mac = Array(Data(base64Encoded: String(good.dropFirst(3)))!)
        mac[31] ^= 1
        #expect(check("v1," + Data(mac).base64EncodedString()) == .refused("no valid v1 signature"))
        #expect(check("v1," + Data(mac.prefix(16)).base64EncodedString()) == .refused("no valid v1 signature"))
        // Nine entries (the good one last) are refused before any MAC is computed; eight are fine.
        let eight = Array(repeating: "v1,AAAA", count: 7) + [good]
        #expect(check(eight.joined(separator: " ")) == .verified(secretIndex: 1))
        let nine = Array(repeating: "v1,AAAA", count: 8) + [good]
        #expect(check(nine.joined(separator: " ")) == .refused("webhook-signature has more than 8 entries"))
        #expect(check(String(repeating: " ", count: 2000) + good) != .verified(secretIndex: 1))
        // The id: bounded, visible ASCII only.
        #expect(check(good, id: String(repeating: "m", count: 257)) != .verified(secretIndex: 1))
        #expect(check(WebhookSignature.sign(id: "a\nb", timestamp: 1000, body: body, secret: b), id: "a\nb") != .verified(secretIndex: 1))
        #expect(WebhookSignature.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!WebhookSignature.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!WebhookSignature.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(a.keyID.count == 16 && a.keyID != b.keyID)
    }

    @Test("bad secrets are refused with the reason")
    func badSecrets() {
        #expect(throws: EscalationError.self) { try WebhookSignature.Secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") }
        #expect(throws: EscalationError.self) { try WebhookSignature.Secret("whsec_!!!") }
        #expect(throws: EscalationError.self) { try WebhookSignature.Secret("whsec_" + Data(count: 8).base64EncodedString()) }
    }

    @Test("secret files must not be readable by others")
    func secretFile() throws {
        let path = NSTemporaryDirectory() + "secret-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# city\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        #expect(throws: WebhookError.self) { try Endpoint.loadSecrets(file: path) }
        chmod(path, 0o600)
        #expect(try Endpoint.loadSecrets(file: path).count == 1)
    }

    @Test("the payload carries the Article 18 facts, what is missing, the sequence and the chain head")
    func payload() throws {
        let report = try Report.validate([
            "kind": "leak", "information": "名簿", "location": "本社", "circumstances": "誤送信",
            "reporter": ["name": "山田", "contact": "内線1"],
        ])
        let c = Case(
            id: "INC-2026-0001", state: .open, report: report, reportedAt: "2026-11-26T00:00:00.000Z",
            reportedBy: PeerIdentity(uid: 1000, gid: 1000, pid: 1, user: "alice"), openingHash: "h1",
            updatedAt: "2026-11-26T00:00:00.000Z", version: 1)
        let p = EscalationMessage.payload(kind: .opened, case: c, sequence: 1, chainSeq: 7, chainHash: "h7", at: "2026-11-26T00:00:00.000Z")
        #expect(p["type"] == "incident.opened")
        #expect(p["timestamp"] == "2026-11-26T00:00:00.000Z")
        let d = try #require(p["data"])
        #expect(d["missing"] == ["count"])
        #expect(d["sequence"] == 1)
        #expect(d["audit"] == ["seq": 7, "hash": "h7", "opening_hash": "h1"])
        #expect(d["reporter_contact"]?["contact"] == "内線1")
        #expect(d["reported_by"] == nil, "no Unix identity leaves the machine")
        #expect(
            !EscalationMessage.id(installation: "0123456789abcdef", caseID: "INC-2026-0001", sequence: 2, endpoint: "city").contains("."))
        #expect(
            EscalationMessage.id(installation: "ab", caseID: "INC-2026-0001", sequence: 2, endpoint: "city.v2.市役所")
                == "msg_ab_INC-2026-0001_2_city-v2-市役所")
    }

    @Test("the repository's JSON Schema names every payload field")
    func schemaCoversPayload() throws {
        let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/schema/webhook.schema.json").path
        let schema = try JSONParser.parse(try String(contentsOfFile: schemaPath, encoding: .utf8))
        let props = try #require(schema["properties"]?["data"]?["properties"]?.objectValue)
        let report = try Report.validate(["kind": "leak", "information": "i", "location": "l", "circumstances": "c"])
        let c = Case(
            id: "INC-2026-0001", state: .open, report: report, reportedAt: "t", reportedBy: PeerIdentity(uid: 0, gid: 0, pid: 0, user: nil),
            openingHash: "h", updatedAt: "t", version: 1)
        let data = try #require(
            EscalationMessage.payload(kind: .updated, case: c, sequence: 2, chainSeq: 2, chainHash: "h", at: "t", changes: [:])["data"]?
                .objectValue)
        for key in data.keys { #expect(props[key] != nil, "schema lacks data.\(key)") }
        // A case that named ledger entries, and a ledger entry's own message.
        var linked = c
        linked.report.countUnit = CountUnit("人")
        linked.ledgerEntries = [["id": "L-0001"]]
        linked.fromLedger = ["count"]
        let entry = LedgerEntry(id: "L-0001", fields: LedgerFields(name: "n", category: .personal, media: .paper, storage: "s"), at: "t")
        for payload in [
            EscalationMessage.payload(kind: .opened, case: linked, sequence: 1, chainSeq: 1, chainHash: "h", at: "t"),
            EscalationMessage.ledgerPayload(
                kind: .received, entry: entry, request: ["request": "L-0001-T1"], sequence: 1, chainSeq: 1, chainHash: "h", at: "t",
                installation: "0123456789abcdef"),
        ] {
            for key in payload["data"]?.objectValue?.keys ?? [:].keys { #expect(props[key] != nil, "schema lacks data.\(key)") }
        }
    }
}
