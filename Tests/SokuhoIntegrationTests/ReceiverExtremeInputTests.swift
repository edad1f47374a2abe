import Foundation
import SokuhoCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `webhook-timestamp` of -2^63 once killed the receiver (arithmetic overflow); every header and
/// length is now parsed strictly and bounded.
@Suite("sokuho receive: numbers and lengths at their extremes", .serialized)
struct ReceiverExtremeInputTests {
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    @Test("timestamps and lengths at their extremes are answered, never crash the receiver")
    func extremeNumbers() throws {
        let r = try ReceiverProcess.started()
        let body = Array("{}".utf8)
        for ts in ["-9223372036854775808", "9223372036854775807", "-1", "99999999999999999999", "1e9", "+\(Self.now())", " "] {
            let a = try HTTPAnswer.post(
                port: r.port, headers: [("webhook-id", "a"), ("webhook-timestamp", ts), ("webhook-signature", "v1,A")], body: body)
            #expect(a.status == 401, "\(ts): \(a)")
            #expect(r.isRunning, "sokuho receive died on webhook-timestamp \(ts): \(r.log)")
        }
        // A timestamp near -2^63 with a correct MAC for it: refused as out of tolerance.
        let signed = r.signedHeaders(id: "a", body: body, timestamp: .min + 1)
        #expect(try HTTPAnswer.post(port: r.port, headers: signed, body: body).status == 401)
        // Content-Length at and beyond the extremes: refused (413 or 400), no trap.
        for cl in ["9223372036854775807", "18446744073709551616", "99999999999999999999999", "-1"] {
            let a = try HTTPAnswer.post(port: r.port, headers: [("content-length", cl)] + r.signedHeaders(id: "b", body: body), body: body)
            #expect([400, 413].contains(a.status), "content-length \(cl): \(a)")
            #expect(r.isRunning, "sokuho receive died on content-length \(cl): \(r.log)")
        }
        // A head over the header limit: refused, no crash.
        let big = try HTTPAnswer.post(
            port: r.port, headers: [("x-pad", String(repeating: "a", count: 40_000))] + r.signedHeaders(id: "c", body: body), body: body)
        #expect(big.status >= 400)
        // Nine signature entries: refused before any MAC is computed.
        var nine = r.signedHeaders(id: "d", body: body)
        nine[2].1 = Array(repeating: "v1,AAAA", count: 8).joined(separator: " ") + " " + nine[2].1
        #expect(try HTTPAnswer.post(port: r.port, headers: nine, body: body).status == 401)
        // And it still stores a real delivery.
        #expect(try r.deliver(id: "msg_ok", body: #"{"n":1}"#).status == 200)
        #expect(r.received.count == 1)
        #expect(r.isRunning)
    }
}
