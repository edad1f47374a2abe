import NIOCore
import NIOEmbedded
import SokuhoConfig
import SokuhoControl
import SokuhoCore
import SokuhoSpool

/// The fuzz targets (`scripts/fuzz`, `docs/performance.md`). Each feeds untrusted bytes to a
/// parser the daemon exposes to the outside and checks more than "no crash": round trips and
/// agreement with a simple reference.
enum FuzzTargets {
    static let names = ["report", "framing", "playbook", "webhook"]

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "report": report(bytes)
        case "framing": framing(bytes)
        case "playbook": playbook(bytes)
        case "webhook": webhook(bytes)
        default: fatalError("unknown fuzz target \(target); targets: \(names.joined(separator: ", "))")
        }
    }

    /// Report and request decoding, as from the socket and the spool: parse, validate, and round-trip.
    static func report(_ bytes: [UInt8]) {
        if let v = try? JSONParser.parse(bytes) {
            // Canonicalisation is idempotent: what is hashed reads back to the same bytes.
            // (Values may change type: 1.5e3 is written 1500 and reads back as an integer.)
            let again = try? JSONParser.parse(v.canonicalBytes)
            precondition(again?.canonicalBytes == v.canonicalBytes, "canonical JSON does not round-trip")
            if let r = try? Report.validate(v) {
                let back = try? Report.validate(r.json)
                precondition(back == r, "a valid report does not round-trip through its JSON")
            }
            if case .object(let o) = v {
                _ = try? CaseUpdate.split(.object(o))
                _ = try? AppiItems.validate(.object(o))
                // A socket request: what decodes sends the same members again, and decodes to them.
                for op in ControlOperation.allCases where o["op"]?.stringValue == op.rawValue || o["op"] == nil {
                    guard let r = try? op.decode(o), case .object(let sent) = r.json else { continue }
                    precondition((try? op.decode(sent))?.json == r.json, "\(op.rawValue): a decoded request does not decode to itself")
                }
            }
        }
        let name = bytes.first.map { ["a.json", "a.yaml", "a.txt", "a"][Int($0) % 4] } ?? "a.json"
        if case .success(let c) = SpoolDecoder.decode(bytes, name: name) {
            _ = try? Report.validate(c.fields)
        }
        _ = Instruction.fromWebhookAnswer(bytes)
    }

    /// Socket framing: the decoder, fed in chunks, must agree with splitting on newlines.
    static func framing(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let maxLine = 1 + Int(first % 64)
        let chunk = 1 + Int((bytes.count > 1 ? bytes[1] : 7) % 16)
        let input = Array(bytes.dropFirst(2))
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLineBytes: maxLine)))
        var i = 0
        while i < input.count {
            var b = channel.allocator.buffer(capacity: chunk)
            b.writeBytes(input[i..<min(input.count, i + chunk)])
            _ = try? channel.writeInbound(b)
            i += chunk
        }
        _ = try? channel.finish()
        var got: [String] = []
        while let f = try? channel.readInbound(as: LineFrame.self) {
            switch f {
            case .line(let l): got.append("L" + String(decoding: l.readableBytesView, as: UTF8.self))
            case .tooLong: got.append("T")
            }
        }
        // Reference: split on \n; a complete piece longer than the limit is one "too long";
        // a final piece without \n is a line unless over the limit (then discarded).
        var expected: [String] = []
        var pieces = input.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let last = pieces.removeLast()
        for p in pieces {
            if p.count > maxLine { expected.append("T"); continue }
            var line = p
            if line.last == 0x0D { line.removeLast() }
            expected.append("L" + String(decoding: line, as: UTF8.self))
        }
        if !last.isEmpty {
            if last.count > maxLine { expected.append("T") } else { expected.append("L" + String(decoding: last, as: UTF8.self)) }
        }
        precondition(got == expected, "framing disagrees with the reference: \(got) vs \(expected)")
    }

    /// Playbook files: parse; a valid playbook round-trips through its stored form with its hash.
    static func playbook(_ bytes: [UInt8]) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return }
        guard let p = try? PlaybookLoader.parse(text, file: "fuzz.yaml") else { return }
        let again = try? Playbook.parse(p.json)
        precondition(again == p && again?.hash == p.hash, "a valid playbook does not round-trip")
        _ = try? Condition(parsing: text)
    }

    static let webhookSecrets = [
        try! WebhookSignature.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        try! WebhookSignature.Secret("whsec_" + String(repeating: "B", count: 44)),
    ]

    /// Standard Webhooks verification as `sokuho receive` does it. The input is
    /// `webhook-id \n webhook-timestamp \n webhook-signature \n body`. Never traps, whatever the
    /// numbers; the timestamp parser and the tolerance check agree with a 128-bit reference;
    /// a message signed with a configured secret verifies, and with one bit changed does not.
    static func webhook(_ bytes: [UInt8]) {
        var parts = bytes.split(separator: 0x0A, maxSplits: 3, omittingEmptySubsequences: false).map(Array.init)
        while parts.count < 4 { parts.append([]) }
        let id = String(decoding: parts[0], as: UTF8.self)
        let ts = String(decoding: parts[1], as: UTF8.self)
        let sig = String(decoding: parts[2], as: UTF8.self)
        let body = parts[3]
        let now: Int64 = 1_700_000_000
        for n in [now, .min, .max, 0] {
            _ = WebhookSignature.check(id: id, timestamp: ts, signatures: sig, body: body, secrets: webhookSecrets, now: n)
        }
        // The strict timestamp parser against a reference: 1 to 18 ASCII digits, nothing else.
        let digitsOnly = !parts[1].isEmpty && parts[1].count <= 18 && parts[1].allSatisfy { (0x30...0x39).contains($0) }
        let parsed = WebhookSignature.parseTimestamp(ts)
        precondition((parsed != nil) == digitsOnly, "timestamp parser disagrees with the reference on \(parts[1])")
        if let p = parsed { precondition(Int64(ts) == p, "timestamp parsed as \(p)") }
        // The tolerance check against 128-bit arithmetic, on values taken from the input.
        var a: Int64 = 0, b: Int64 = 0
        for (i, x) in bytes.prefix(16).enumerated() {
            if i < 8 { a = a << 8 | Int64(x) } else { b = b << 8 | Int64(x) }
        }
        let tolerance = Int64(bytes.count > 16 ? bytes[16] : 0) * 37
        let reference = (Int128(a) - Int128(b)).magnitude <= UInt128(tolerance)
        precondition(WebhookSignature.within(b, of: a, tolerance: tolerance) == reference, "tolerance check wrong for \(a), \(b)")
        // A message signed now with the second secret verifies (junk entries before it or not) …
        guard let t = parsed, WebhookSignature.within(t, of: now, tolerance: 300), !id.isEmpty, id.utf8.count <= 256,
            id.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return }
        let good = WebhookSignature.sign(id: id, timestamp: t, body: body, secret: webhookSecrets[1])
        let verdict = WebhookSignature.check(id: id, timestamp: ts, signatures: good, body: body, secrets: webhookSecrets, now: now)
        precondition(verdict == .verified(secretIndex: 1), "a correctly signed message is refused: \(verdict)")
        let entries = sig.split(separator: " ").count
        if entries < 8, sig.utf8.count + good.utf8.count < 1000 {
            let mixed = WebhookSignature.check(
                id: id, timestamp: ts, signatures: sig + " " + good, body: body, secrets: webhookSecrets, now: now)
            // (Index 0 when the fuzzed entries are themselves a valid signature with the first secret.)
            if case .refused = mixed { preconditionFailure("junk entries hide a good signature: \(mixed)") }
        }
        // … and one changed bit in the body, or another id, does not (unless the fuzzed header was
        // itself a valid signature for the changed message: practically impossible).
        var other = body
        if other.isEmpty { other = [0] } else { other[0] ^= 1 }
        precondition(
            WebhookSignature.check(id: id, timestamp: ts, signatures: good, body: other, secrets: webhookSecrets, now: now)
                != .verified(secretIndex: 1),
            "a signature verifies a changed body")
    }
}
