/// The one hex encoder: lower-case for digests and escapes, upper-case where a byte is shown
/// to a person (`0xC3`).
public enum Hex {
    public static let lowerDigits: [UInt8] = Array("0123456789abcdef".utf8)
    public static let upperDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The bytes as hex digits, two per byte (lower-case unless `uppercase`).
    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes, uppercase: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        append(bytes, to: &out, uppercase: uppercase)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the bytes' hex digits to `out`.
    public static func append<Bytes: Sequence<UInt8>>(_ bytes: Bytes, to out: inout [UInt8], uppercase: Bool = false) {
        let table = uppercase ? upperDigits : lowerDigits
        for b in bytes {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0xF)])
        }
    }

    /// Whether `hex` spells `bytes` exactly, in lower-case digits.
    public static func matches<Bytes: Sequence<UInt8>>(_ bytes: Bytes, lowercaseHex hex: UnsafeBufferPointer<UInt8>) -> Bool {
        let table = lowerDigits
        var i = 0
        for b in bytes {
            guard i + 1 < hex.count, hex[i] == table[Int(b >> 4)], hex[i + 1] == table[Int(b & 0xF)] else { return false }
            i += 2
        }
        return i == hex.count
    }
}
