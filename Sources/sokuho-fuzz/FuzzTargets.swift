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
    static let names = ["report", "framing", "playbook"]

    static func run(_ target: String, _ bytes: [UInt8]) {
        switch target {
        case "report": report(bytes)
        case "framing": framing(bytes)
        case "playbook": playbook(bytes)
        default: fatalError("unknown fuzz target \(target); targets: \(names.joined(separator: ", "))")
        }
    }

    /// Report decoding, as from the socket and the spool: parse, validate, and round-trip.
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
}
