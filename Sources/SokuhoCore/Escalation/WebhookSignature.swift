import Crypto
import Foundation

/// Standard Webhooks v1 signatures (github.com/standard-webhooks/standard-webhooks).
///
/// The signed content is the UTF-8 bytes of `{webhook-id}.{webhook-timestamp}.{body}`; the
/// signature is HMAC-SHA256 keyed with the base64-decoded part of the `whsec_…` secret, sent as
/// `v1,<base64>`. With several secrets (key rotation) the header carries one entry per secret,
/// separated by single spaces.
public enum WebhookSignature {
    /// A signing secret.
    public struct Secret: Sendable, Equatable {
        public let key: [UInt8]

        /// Parses `whsec_<base64>`; the decoded key must be 24 to 64 bytes.
        public init(_ text: String) throws(EscalationError) {
            let trimmed = text.trimmingWhitespace()
            guard trimmed.hasPrefix("whsec_") else {
                throw EscalationError.badSecret("a webhook secret starts with whsec_")
            }
            guard let data = Data(base64Encoded: String(trimmed.dropFirst(6))) else {
                throw EscalationError.badSecret("the part after whsec_ is not base64")
            }
            guard (24...64).contains(data.count) else {
                throw EscalationError.badSecret("the secret must decode to 24–64 bytes, not \(data.count)")
            }
            key = Array(data)
        }

        /// The secrets of a secret file: one `whsec_…` per line; blank lines and `#` comments
        /// are ignored. At least one is required.
        public static func list(_ text: String) throws(EscalationError) -> [Secret] {
            var secrets: [Secret] = []
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(line).trimmingWhitespace()
                if l.isEmpty || l.hasPrefix("#") { continue }
                do { secrets.append(try Secret(l)) } catch {
                    throw EscalationError.badSecret("line \(i + 1): \(error)")
                }
            }
            if secrets.isEmpty { throw EscalationError.badSecret("no whsec_ secret found") }
            return secrets
        }
    }

    /// `v1,<base64>` for one secret.
    public static func sign(id: String, timestamp: Int64, body: [UInt8], secret: Secret) -> String {
        var content = Array("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header value for all secrets.
    public static func header(id: String, timestamp: Int64, body: [UInt8], secrets: [Secret]) -> String {
        secrets.map { sign(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Verifies a received message: a matching `v1` signature for one of `secrets`, and a
    /// timestamp within `tolerance` seconds of `now`. Returns the reason when it does not verify.
    public static func verify(id: String, timestamp: String, signatures: String, body: [UInt8], secrets: [Secret],
                              now: Int64, tolerance: Int64 = 300) -> String? {
        guard !id.isEmpty else { return "missing webhook-id" }
        guard let ts = Int64(timestamp) else { return "webhook-timestamp is not an integer" }
        if abs(now - ts) > tolerance { return "webhook-timestamp is more than \(tolerance) s away from now" }
        let expected = Set(secrets.map { sign(id: id, timestamp: ts, body: body, secret: $0) })
        for entry in signatures.split(separator: " ") where expected.contains(String(entry)) { return nil }
        return "no valid v1 signature"
    }
}

/// Errors of the escalation model.
public enum EscalationError: Error, Sendable, Equatable, CustomStringConvertible {
    case badSecret(String)

    public var description: String {
        switch self {
        case .badSecret(let r): "invalid webhook secret: \(r)"
        }
    }
}
