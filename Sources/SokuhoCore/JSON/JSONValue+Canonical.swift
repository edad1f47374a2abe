/// Canonical serialisation: the exact bytes that are hashed into the audit chain.
///
/// Rules (also in `docs/protocol.md`, so anyone can re-implement the verifier):
/// - no whitespace;
/// - object keys sorted by their UTF-8 bytes;
/// - strings: `"` and `\` escaped with a backslash, control characters below U+0020 as
///   `\b \f \n \r \t` or `\u00XX` (lower-case hex); everything else as raw UTF-8, `/` unescaped;
/// - integers in plain decimal; other numbers in Swift's shortest round-trip form.
///
/// The same serialiser writes every response line of the control socket.
extension JSONValue {
    /// The canonical UTF-8 bytes of this value.
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// The canonical form as a string.
    public var canonicalString: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
        case .int(let i): JSONValue.writeInteger(i, into: &out)
        case .double(let d):
            if d.rounded() == d, abs(d) < 1e15 {
                JSONValue.writeInteger(Int64(d), into: &out)
            } else {
                out.append(contentsOf: String(d).utf8)
            }
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                v.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            // The members' positions sorted by key: no hashing per key, and no values moved.
            var order = Array(o.indices)
            order.sort { JSONValue.utf8Precedes(o[$0].key, o[$1].key) }
            for (i, position) in order.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(o[position].key, into: &out)
                out.append(UInt8(ascii: ":"))
                o[position].value.write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whether `a` sorts before `b` by their UTF-8 bytes (the canonical key order; Swift's own
    /// `<` on strings compares by Unicode canonical equivalence, which is not the same order).
    ///
    /// Reads both strings' bytes in place (no copy, no retain: this runs for every pair of keys).
    static func utf8Precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.withContiguousStorageIfAvailable { pa in
            b.utf8.withContiguousStorageIfAvailable { pb in
                let n = min(pa.count, pb.count)
                var i = 0
                while i < n {
                    if pa[i] != pb[i] { return pa[i] < pb[i] }
                    i += 1
                }
                return pa.count < pb.count
            } ?? a.utf8.lexicographicallyPrecedes(b.utf8)
        } ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// An integer in plain decimal, written without an intermediate string.
    static func writeInteger(_ i: Int64, into out: inout [UInt8]) {
        if i >= 0, i < 10 {
            out.append(0x30 + UInt8(i))
            return
        }
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var v = i.magnitude
        let start = out.count
        while v > 0 {
            out.append(0x30 + UInt8(v % 10))
            v /= 10
        }
        out[start...].reverse()
    }

    /// A string with the canonical escapes. Runs that need none are copied at once.
    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(0x22)
        // Native strings (all of Sokuho's) give their bytes in place; others go byte by byte.
        let written: Void? = s.utf8.withContiguousStorageIfAvailable { bytes in
            writeEscaped(bytes, into: &out)
        }
        if written == nil { Array(s.utf8).withUnsafeBufferPointer { writeEscaped($0, into: &out) } }
        out.append(0x22)
    }

    /// The bytes of a string's body with the canonical escapes; runs that need none are copied at once.
    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var run = 0
        for i in 0..<bytes.count {
            let b = bytes[i]
            if b >= 0x20, b != 0x22, b != 0x5C { continue }
            if run < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            run = i + 1
            switch b {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            default:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                Hex.append(CollectionOfOne(b), to: &out)
            }
        }
        if run < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...])) }
    }
}
