/// The one UTF-8 scanner: how much of a byte string is well-formed UTF-8 (by the Unicode
/// standard's table of well-formed sequences), and where it first is not.
public struct UTF8Scan: Sendable {
    /// Bytes that are not ASCII, and how many of those belong to well-formed characters.
    public var nonASCII = 0
    public var validNonASCII = 0
    /// The offset of the first byte that does not begin or continue a well-formed character.
    public var firstInvalidOffset: Int?

    public init(_ b: [UInt8]) {
        var i = 0
        while i < b.count {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: need = -1
            }
            var ok = need > 0 && i + need < b.count
            if ok {
                for k in 1...need {
                    let x = b[i + k]
                    let lo: UInt8 = k == 1 ? lower : 0x80, hi: UInt8 = k == 1 ? upper : 0xBF
                    if x < lo || x > hi { ok = false; break }
                }
            }
            if ok {
                nonASCII += need + 1
                validNonASCII += need + 1
                i += need + 1
            } else {
                nonASCII += 1
                if firstInvalidOffset == nil { firstInvalidOffset = i }
                i += 1
            }
        }
    }
}
