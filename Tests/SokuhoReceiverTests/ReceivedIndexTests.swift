import Foundation
import SokuhoCore
import Testing

@testable import SokuhoReceiver

#if canImport(Glibc)
import Glibc
#endif

@Suite("The receiver's memory of stored messages")
struct ReceivedIndexTests {
    typealias R = ReceivedIndex.Record

    @Test("same id and body: duplicate; other body from the same secret: conflict; from another secret: new")
    func classify() {
        var index = ReceivedIndex()
        let a = R(bodySHA256: "b1", payloadSHA256: "p1", keyID: "k1")
        #expect(index.classify(id: "m", a) == .new)
        index.insert(id: "m", a)
        #expect(index.classify(id: "m", a) == .duplicate)
        // A re-delivery verified by a rotated secret is still the same message.
        #expect(index.classify(id: "m", R(bodySHA256: "b1", payloadSHA256: "p1", keyID: "k2")) == .duplicate)
        #expect(index.classify(id: "m", R(bodySHA256: "b2", payloadSHA256: "p2", keyID: "k1")) == .conflict(storedSHA256: "b1"))
        // Another holder of a secret cannot claim this id and have the owner's messages refused.
        #expect(index.classify(id: "m", R(bodySHA256: "b2", payloadSHA256: "p2", keyID: "k2")) == .new)
        // The raw body decides when both digests are known (same JSON, other bytes: another message).
        #expect(index.classify(id: "m", R(bodySHA256: "b3", payloadSHA256: "p1", keyID: "k1")) == .conflict(storedSHA256: "b1"))
        #expect(index.classify(id: "other", a) == .new)
    }

    @Test("old lines (no digest, no key id) load, compare by canonical payload and conflict with any secret")
    func oldLines() {
        let text = #"{"payload":{"a":1,"b":2},"received_at":"t","webhook_id":"old"}"# + "\n" + "garbage\n" + #"{"webhook_id":"torn","#
        let index = ReceivedIndex.load(Array(text.utf8))
        #expect(index.records.keys.sorted() == ["old"])
        let same = WebhookSignature.sha256Hex((try! JSONParser.parse(#"{"b":2,"a":1}"#)).canonicalBytes)
        #expect(index.classify(id: "old", R(bodySHA256: "x", payloadSHA256: same, keyID: "k9")) == .duplicate)
        #expect(index.classify(id: "old", R(bodySHA256: "x", payloadSHA256: "other", keyID: "k9")) != .new)
    }

    @Test("a torn last line is ended on start, so the next line is not swallowed")
    func tornLine() throws {
        let path = NSTemporaryDirectory() + "rcv-\(UUID().uuidString).jsonl"
        defer { unlink(path) }
        try (#"{"payload":{},"webhook_id":"a"}"# + "\n" + #"{"payl"#).write(toFile: path, atomically: true, encoding: .utf8)
        let secret = try WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let r = try WebhookReceiver(settings: .init(host: "127.0.0.1", port: 0, secrets: [secret], outPath: path), log: { _ in })
        #expect(r.seen.records.keys.sorted() == ["a"])
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("\n"))
    }

    @Test("timeouts: huge, negative and NaN values never trap when converted")
    func timeouts() {
        #expect(WebhookReceiver.Settings.validTimeout(10))
        for v in [0, -1, .nan, .infinity, 1e300, 86_401] as [Double] {
            #expect(!WebhookReceiver.Settings.validTimeout(v))
            _ = WebhookReceiver.Settings.amount(v)
        }
    }
}
