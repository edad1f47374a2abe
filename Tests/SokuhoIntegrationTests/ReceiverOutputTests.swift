import Foundation
import SokuhoCore
import Testing

/// Report texts are printed by the receiver; control characters must not reach the terminal raw.
@Suite("sokuho receive: what it prints", .serialized)
struct ReceiverOutputTests {
    @Test("control characters in a received report are not printed raw on the receiver's terminal")
    func printedSummaryIsEscaped() throws {
        let r = try ReceiverProcess.started()
        let body =
            #"{"type":"incident.opened","data":{"case_id":"INC-2026-0001","sequence":1,"information":"x\u001b[2J\r\nreceived: forged\u202e\u0085"}}"#
        #expect(try r.deliver(id: "msg_1", body: body).status == 200)
        try waitFor { r.log.contains("INC-2026-0001") }
        let log = r.log
        #expect(!log.unicodeScalars.contains { [0x1B, 0x0D, 0x202E, 0x85].contains($0.value) }, "\(log)")
        #expect(log.split(separator: "\n").filter { $0.hasPrefix("received:") }.count == 1, "one line, no forged one: \(log)")
    }
}
