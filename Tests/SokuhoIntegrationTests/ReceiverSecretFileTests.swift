import Foundation
import SokuhoCore
import Testing

/// Checked on the opened file (fstat): mode and owner.
@Suite("sokuho receive: the secret file", .serialized)
struct ReceiverSecretFileTests {
    @Test("the secret file: refused when group or others may access it, or when someone else owns it")
    func secretFileChecks() throws {
        let r = try ReceiverProcess()
        chmod(r.secretPath, 0o640)
        let open = try #require(try r.start())
        #expect(open.status == 77)
        #expect(open.log.contains("accessible by group or others (mode 640)"), "\(open.log)")
        #expect(open.log.contains("chmod 600"))
        let ja = try #require(try r.start(environment: ["LANG": "ja_JP.UTF-8"]))
        #expect(ja.log.contains("グループまたは他のユーザー"), "\(ja.log)")
        chmod(r.secretPath, 0o604)
        #expect(try r.start()?.status == 77)
        chmod(r.secretPath, 0o600)
        if geteuid() == 0 {
            chown(r.secretPath, 12345, 12345)
            let other = try #require(try r.start())
            #expect(other.status == 77)
            #expect(other.log.contains("owned by uid 12345, not by root or by you"), "\(other.log)")
            chown(r.secretPath, 0, 0)
        }
        #expect(try r.start() == nil)
        #expect(try r.deliver(id: "msg_1", body: "{}").status == 200)
    }
}
