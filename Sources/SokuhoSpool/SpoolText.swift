import SokuhoCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the text of a spool file: UTF-8 with or without a BOM, UTF-16 with a BOM (Windows
/// Notepad's "Unicode"), and Shift_JIS / CP932, which Japanese Windows tools still write.
///
/// The choice is made from the bytes alone, and refuses rather than guesses:
/// - a BOM decides;
/// - bytes that are valid UTF-8 are UTF-8;
/// - bytes that are *mostly* valid UTF-8 are damaged UTF-8 and refused (`invalid_utf8`, naming
///   the first bad byte) — never reinterpreted as Shift_JIS mojibake;
/// - otherwise the bytes must decode strictly as CP932 and hold at least one double-byte
///   (kanji, kana, full-width) character;
/// - NUL bytes mean binary data, refused.
public enum SpoolText {
    public struct Decoded: Sendable, Equatable {
        public var text: String
        /// `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be` or `shift_jis`.
        public var encoding: String
    }

    public static func decode(_ bytes: [UInt8]) -> Result<Decoded, ValidationError> {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            let body = Array(bytes.dropFirst(3))
            if let s = String(validating: body, as: UTF8.self) { return .success(Decoded(text: s, encoding: "utf-8-bom")) }
            let bad = UTF8Scan(body).firstInvalidOffset.map { $0 + 3 } ?? 3
            return .failure(invalidUTF8(bytes, at: bad, withBOM: true))
        }
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            let body = bytes.dropFirst(2)
            var units: [UInt16] = []
            units.reserveCapacity(body.count / 2)
            var i = body.startIndex
            while i + 1 < body.endIndex {
                let a = UInt16(body[i]), b = UInt16(body[i + 1])
                units.append(little ? a | b << 8 : a << 8 | b)
                i += 2
            }
            if body.count % 2 == 0, let s = String(validating: units, as: UTF16.self) {
                return .success(Decoded(text: s, encoding: little ? "utf-16le" : "utf-16be"))
            }
            return .failure(
                ValidationError(
                    .invalidUTF8, field: nil, "the file starts with a UTF-16 byte order mark but is not valid UTF-16; save it as UTF-8",
                    ja: "ファイルは UTF-16 の BOM で始まりますが、正しい UTF-16 ではありません。UTF-8 で保存し直してください"))
        }
        if let nul = bytes.firstIndex(of: 0) {
            return .failure(
                ValidationError(
                    .unsupportedFormat, field: nil,
                    "the file holds binary data, not text (a NUL byte at offset \(nul)); spool files must be JSON or YAML text",
                    ja: "ファイルはテキストではなくバイナリです（\(nul) バイト目に NUL）。JSON または YAML のテキストで置いてください"))
        }
        if let s = String(validating: bytes, as: UTF8.self) { return .success(Decoded(text: s, encoding: "utf-8")) }
        let scan = UTF8Scan(bytes)
        if scan.validNonASCII * 2 >= scan.nonASCII {
            return .failure(invalidUTF8(bytes, at: scan.firstInvalidOffset ?? 0, withBOM: false))
        }
        if let s = CP932.decode(bytes), CP932.hasDoubleByteCharacter(bytes) {
            return .success(Decoded(text: s, encoding: "shift_jis"))
        }
        let offset = scan.firstInvalidOffset ?? 0
        let (line, column) = position(ofByte: offset, in: bytes, from: 0)
        return .failure(
            ValidationError(
                .invalidUTF8, field: nil,
                "the file is neither UTF-8 nor Shift_JIS (CP932): byte 0x\(hex(bytes[offset])) at offset \(offset) (line \(line), column \(column)) is not a character; save it as UTF-8",
                ja:
                    "ファイルは UTF-8 でも Shift_JIS（CP932）でもありません（\(offset) バイト目 0x\(hex(bytes[offset]))、\(line) 行 \(column) 桁）。UTF-8 で保存し直してください",
                line: line, column: column))
    }

    static func invalidUTF8(_ bytes: [UInt8], at offset: Int, withBOM: Bool) -> ValidationError {
        let b = offset < bytes.count ? "byte 0x\(hex(bytes[offset]))" : "the end of the file"
        let (line, column) = position(ofByte: offset, in: bytes, from: withBOM ? 3 : 0)
        return ValidationError(
            .invalidUTF8, field: nil,
            "the file is not valid UTF-8\(withBOM ? " despite its UTF-8 byte order mark" : ""): \(b) at offset \(offset) (line \(line), column \(column)) does not continue a character (damaged or cut off?)",
            ja: "ファイルが正しい UTF-8 ではありません（\(offset) バイト目、\(line) 行 \(column) 桁）。破損または途中で切れている可能性があります",
            line: line, column: column)
    }

    /// Line and column of the first bad byte at `offset`, counted in the valid UTF-8 before it
    /// (from `start`, after a BOM).
    static func position(ofByte offset: Int, in bytes: [UInt8], from start: Int) -> (line: Int, column: Int) {
        let end = min(max(offset, start), bytes.count)
        let prefix = String(decoding: bytes[start..<end], as: UTF8.self)
        return SpoolDecoder.position(in: prefix, byteOffset: prefix.utf8.count)
    }

    static func hex(_ b: UInt8) -> String { Hex.encode(CollectionOfOne(b), uppercase: true) }
}

/// Strict CP932 (Windows-31J) decoding through the C library's iconv.
enum CP932 {
    static func decode(_ bytes: [UInt8]) -> String? {
        let cd = iconv_open("UTF-8", "CP932")
        guard let cd, cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 3 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outLeft = outBuf.count
                let rc = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                guard rc != -1, inLeft == 0 else { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let produced else { return nil }
        return String(validating: output[..<produced], as: UTF8.self)
    }

    /// Whether the bytes hold a two-byte Shift_JIS character (a lead byte 0x81–0x9F or 0xE0–0xFC).
    static func hasDoubleByteCharacter(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if (0x81...0x9F).contains(c) || (0xE0...0xFC).contains(c) { return true }
            i += 1
        }
        return false
    }
}
