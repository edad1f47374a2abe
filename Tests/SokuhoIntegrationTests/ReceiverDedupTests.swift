import Foundation
import SokuhoCore
import Testing

/// Two installs sending the same id used to see the second message answered 200 and dropped.
@Suite("sokuho receive: a webhook-id names one message", .serialized)
struct ReceiverDedupTests {
    @Test("the same webhook-id with another body is refused with 409 and never stored, also after a restart")
    func sameIDDifferentBody() throws {
        let r = try ReceiverProcess.started()
        let first = try r.deliver(id: "msg_INC-2026-0001_1_city", body: #"{"from":"contractor A"}"#)
        #expect(first.status == 200)
        #expect(first.body.contains(#""duplicate":false"#))
        // A re-delivery of the same message: 200, stored once.
        let again = try r.deliver(id: "msg_INC-2026-0001_1_city", body: #"{"from":"contractor A"}"#)
        #expect(again.status == 200)
        #expect(again.body.contains(#""duplicate":true"#))
        // Another message under the same id (a second install sending the same id): 409, loudly.
        let other = try r.deliver(id: "msg_INC-2026-0001_1_city", body: #"{"from":"contractor B"}"#)
        #expect(other.status == 409, "\(other)")
        #expect(other.body.contains("different body"))
        #expect(r.received.count == 1)
        #expect(r.received.first?["payload"]?["from"] == "contractor A")
        let warning = try #require(r.log.split(separator: "\n").first { $0.contains("warning") && $0.contains("409") })
        #expect(warning.contains("msg_INC-2026-0001_1_city"))
        #expect(!warning.contains("contractor"), "the log line must not carry the body")
        // Each stored line keeps its fields and adds the body's digest.
        let line = try #require(r.received.first)
        #expect(line["body_sha256"]?.stringValue == WebhookSignature.sha256Hex(Array(#"{"from":"contractor A"}"#.utf8)))
        #expect(line["webhook_id"] != nil && line["received_at"] != nil && line["payload"] != nil)

        // After a restart, the same holds (the index is rebuilt from the file) …
        r.stop()
        try #require(r.start() == nil)
        #expect(try r.deliver(id: "msg_INC-2026-0001_1_city", body: #"{"from":"contractor B"}"#).status == 409)
        #expect(try r.deliver(id: "msg_INC-2026-0001_1_city", body: #"{"from":"contractor A"}"#).body.contains(#""duplicate":true"#))
        #expect(r.received.count == 1)

        // … and lines written before the digest was kept (and a line torn by a crash) still load.
        r.stop()
        let old =
            #"{"payload":{"from":"old"},"received_at":"2026-01-01T00:00:00.000Z","webhook_id":"msg_old"}"# + "\n"
            + #"{"payload":{"from":"torn"#
        let h = try #require(FileHandle(forWritingAtPath: r.outPath))
        h.seekToEndOfFile()
        h.write(Data(old.utf8))
        try h.close()
        try #require(r.start() == nil)
        #expect(try r.deliver(id: "msg_old", body: #"{ "from" : "old" }"#).body.contains(#""duplicate":true"#))
        #expect(try r.deliver(id: "msg_old", body: #"{"from":"new"}"#).status == 409)
        #expect(try r.deliver(id: "msg_after", body: #"{"n":2}"#).status == 200)
        // The message after the torn line is on a line of its own.
        #expect(r.received.compactMap { $0["webhook_id"]?.stringValue } == ["msg_INC-2026-0001_1_city", "msg_old", "msg_after"])
    }
}
