import Foundation
import Testing

@testable import SokuhoCore

/// A webhook secret never prints: not alone, not inside the struct that holds it (as a service's
/// description does in a debug log line).
@Suite struct SecretRedactionTests {
    struct Holder { var name = "city"; var secrets: [WebhookSignature.Secret] }

    @Test func secretsNeverPrint() throws {
        let secret = try WebhookSignature.Secret("whsec_" + Data(repeating: 231, count: 32).base64EncodedString())
        for text in [
            String(describing: secret), String(reflecting: secret), String(describing: Holder(secrets: [secret])),
            String(reflecting: Holder(secrets: [secret])), "\(Holder(secrets: [secret]))",
        ] {
            #expect(!text.contains("231"), "\(text)")
            #expect(text.contains("redacted"), "\(text)")
        }
    }
}
