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
                    switch error {
                    case .badSecret(let reason): throw EscalationError.badSecret("line \(i + 1): \(reason)")
                    }
                }
            }
            if secrets.isEmpty { throw EscalationError.badSecret("no whsec_ secret found") }
            return secrets
        }
    }

    /// The three `webhook-*` headers, parsed and bounded — everything about a message that can be
    /// checked without its body. A server checks them before it reads the body, so a request that
    /// cannot verify costs no body read (`Headers.parse` refuses exactly what `check` refuses
    /// before it computes a MAC).
    public struct Headers: Sendable {
        public var id: String
        public var timestamp: Int64
        /// The MACs presented: only `v1,` entries that decode to 32 bytes (lengths are public).
        public var macs: [[UInt8]]

        public struct Refusal: Error, Sendable { public var reason: String }

        public static func parse(id: String, timestamp: String, signatures: String, now: Int64, tolerance: Int64 = 300)
            -> Result<Headers, Refusal>
        {
            guard !id.isEmpty else { return .failure(Refusal(reason: "missing webhook-id")) }
            guard id.utf8.count <= Limits.maxIDBytes, id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                return .failure(Refusal(reason: "webhook-id must be 1 to \(Limits.maxIDBytes) visible ASCII characters"))
            }
            guard let ts = parseTimestamp(timestamp) else {
                return .failure(Refusal(reason: "webhook-timestamp is not an integer of 1 to \(Limits.maxTimestampDigits) digits"))
            }
            guard within(ts, of: now, tolerance: tolerance) else {
                return .failure(Refusal(reason: "webhook-timestamp is more than \(tolerance) s away from now"))
            }
            guard signatures.utf8.count <= Limits.maxSignatureHeaderBytes else {
                return .failure(Refusal(reason: "webhook-signature is longer than \(Limits.maxSignatureHeaderBytes) bytes"))
            }
            let entries = signatures.utf8.split(separator: 0x20)
            guard entries.count <= Limits.maxSignatureEntries else {
                return .failure(Refusal(reason: "webhook-signature has more than \(Limits.maxSignatureEntries) entries"))
            }
            var macs: [[UInt8]] = []
            for entry in entries where entry.starts(with: "v1,".utf8) {
                if let d = Data(base64Encoded: Data(entry.dropFirst(3))), d.count == SHA256.byteCount { macs.append(Array(d)) }
            }
            guard !macs.isEmpty else { return .failure(Refusal(reason: "no valid v1 signature")) }
            return .success(Headers(id: id, timestamp: ts, macs: macs))
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

    /// Limits on what a receiver accepts before doing any work on it.
    public enum Limits {
        /// `webhook-id`: 1 to 256 bytes of visible ASCII.
        public static let maxIDBytes = 256
        /// `webhook-timestamp`: 1 to 18 ASCII digits (so it always fits an `Int64`).
        public static let maxTimestampDigits = 18
        /// `webhook-signature`: at most 8 space-separated entries, 1,024 bytes in all.
        public static let maxSignatureEntries = 8
        public static let maxSignatureHeaderBytes = 1024
    }

    /// The outcome of checking a received message.
    public enum Verification: Sendable, Equatable {
        /// Verified with `secrets[secretIndex]` (the first secret, in order, that any entry matches).
        case verified(secretIndex: Int)
        /// Refused, with the reason (safe to send back: it never quotes the input).
        case refused(String)
    }

    /// Verifies a received message: a matching `v1` signature for one of `secrets`, and a
    /// timestamp within `tolerance` seconds of `now`. Returns the reason when it does not verify.
    public static func verify(
        id: String, timestamp: String, signatures: String, body: [UInt8], secrets: [Secret],
        now: Int64, tolerance: Int64 = 300
    ) -> String? {
        if case .refused(let reason) = check(
            id: id, timestamp: timestamp, signatures: signatures, body: body, secrets: secrets,
            now: now, tolerance: tolerance)
        {
            return reason
        }
        return nil
    }

    /// Verifies a received message and tells which secret verified it.
    ///
    /// Every header is parsed strictly and bounded before any arithmetic: the timestamp is
    /// digits only (no sign, no spaces), compared with `now` without overflow whatever the two
    /// values are; each `v1,` entry is base64-decoded and its MAC compared in constant time with
    /// the expected MAC of every secret.
    public static func check(
        id: String, timestamp: String, signatures: String, body: [UInt8], secrets: [Secret],
        now: Int64, tolerance: Int64 = 300
    ) -> Verification {
        let headers: Headers
        switch Headers.parse(id: id, timestamp: timestamp, signatures: signatures, now: now, tolerance: tolerance) {
        case .failure(let refusal): return .refused(refusal.reason)
        case .success(let h): headers = h
        }
        let (ts, presented) = (headers.timestamp, headers.macs)
        var content = Array("\(id).\(ts).".utf8)
        content.append(contentsOf: body)
        var verifiedBy: Int?
        for (i, secret) in secrets.enumerated() {
            let expected = Array(HMAC<SHA256>.authenticationCode(for: content, using: SymmetricKey(data: secret.key)))
            // Every presented MAC is compared, whether or not an earlier one matched.
            var match = false
            for mac in presented { match = constantTimeEqual(mac, expected) || match }
            if match, verifiedBy == nil { verifiedBy = i }
        }
        if let i = verifiedBy { return .verified(secretIndex: i) }
        return .refused("no valid v1 signature")
    }

    /// `1…18` ASCII digits as an `Int64`; nil for anything else (signs, spaces, `1e3`, longer).
    public static func parseTimestamp(_ text: String) -> Int64? {
        let digits = text.utf8
        guard (1...Limits.maxTimestampDigits).contains(digits.count) else { return nil }
        var value: Int64 = 0
        for d in digits {
            guard (0x30...0x39).contains(d) else { return nil }
            value = value * 10 + Int64(d - 0x30)  // at most 18 digits: below Int64.max
        }
        return value
    }

    /// |now − ts| ≤ tolerance, for any two values: the subtraction reports overflow instead of
    /// trapping (an overflowing difference is beyond any tolerance).
    public static func within(_ ts: Int64, of now: Int64, tolerance: Int64) -> Bool {
        guard tolerance >= 0 else { return false }
        let (diff, overflow) = now.subtractingReportingOverflow(ts)
        if overflow { return false }  // the true difference exceeds Int64.max ≥ tolerance
        return diff.magnitude <= UInt64(tolerance)
    }

    /// Equal-length byte arrays compared without an early exit (XOR-accumulate); different
    /// lengths are unequal (the length of a MAC is no secret).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var acc: UInt8 = 0
        for i in a.indices { acc |= a[i] ^ b[i] }
        return acc == 0
    }

    /// Lower-case hex SHA-256 of `bytes` (the receiver keeps the body's digest to tell a
    /// re-delivery from a different message under the same id).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}

extension WebhookSignature.Secret {
    /// A short public name for the secret (16 hex digits of a SHA-256 over a label and the key):
    /// tells which secret verified a stored message without revealing it.
    public var keyID: String {
        String(WebhookSignature.sha256Hex(Array("sokuho receive key id\u{0}".utf8) + key).prefix(16))
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

extension WebhookSignature.Secret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never the key: a secret printed in a log line (a service's description at debug level,
    /// an error) shows only that it is there and how long it is.
    public var description: String { "Secret(\(key.count) bytes, redacted)" }
    public var debugDescription: String { description }
    /// Reflection (`dump`, `String(describing:)` of an enclosing struct) shows the redacted form too.
    public var customMirror: Mirror { Mirror(self, children: ["key": "redacted (\(key.count) bytes)"]) }
}
