/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// Contract:
/// - input must be valid UTF-8 (checked up front, so errors can say so plainly);
/// - exactly one value, optionally surrounded by whitespace;
/// - duplicate object keys are an error (a second value would silently replace the first),
///   reported at the second key;
/// - nesting deeper than `maxDepth` is an error (no stack exhaustion on hostile input);
/// - integers that fit in `Int64` become `.int`, every other number `.double`.
public struct JSONParser {
    public static let defaultMaxDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int

    /// Parses one complete JSON document.
    public static func parse<Bytes: Collection>(_ input: Bytes, maxDepth: Int = defaultMaxDepth) throws(JSONError)
        -> JSONValue where Bytes.Element == UInt8
    {
        let array = Array(input)
        if array.isEmpty { throw JSONError(.empty, offset: 0) }
        guard String(validating: array, as: UTF8.self) != nil else {
            throw JSONError(.invalidUTF8, offset: JSONParser.firstInvalidUTF8Offset(array))
        }
        var parser = JSONParser(bytes: array, maxDepth: maxDepth)
        parser.skipWhitespace()
        if parser.index == array.count { throw JSONError(.empty, offset: 0) }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.index != array.count { throw JSONError(.trailingData, offset: parser.index) }
        return value
    }

    /// Parses a JSON document given as a Swift string.
    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        UTF8Scan(bytes).firstInvalidOffset ?? bytes.count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let b = peek() else { throw JSONError(.unexpectedEnd, offset: index) }
        switch b {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONError(.unexpectedCharacter(b), offset: index)
        }
    }

    private mutating func expectLiteral(_ word: String) throws(JSONError) {
        let start = index
        for b in word.utf8 {
            guard index < bytes.count, bytes[index] == b else { throw JSONError(.invalidLiteral, offset: start) }
            index += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw JSONError(.tooDeep, offset: index) }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { index += 1; return .object([:]) }
        // Members are gathered first, so the dictionary is made once at its size.
        var members: [Member] = []
        do { try parseMembers(depth: depth, into: &members) } catch {
            // A duplicate key before the error is the first problem in the document.
            if let duplicate = Self.firstDuplicate(members) { throw duplicate }
            throw error
        }
        var result = [String: JSONValue](minimumCapacity: members.count)
        for m in members where result.updateValue(m.value, forKey: m.key) != nil {
            throw JSONError(.duplicateKey(m.key), offset: m.offset)
        }
        return .object(result)
    }

    /// An object member as read, with the offset of its key.
    private typealias Member = (key: String, value: JSONValue, offset: Int)

    /// Reads members up to and including the closing `}`.
    private mutating func parseMembers(depth: Int, into members: inout [Member]) throws(JSONError) {
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else {
                throw JSONError(peek() == nil ? .unexpectedEnd : .expectedKey, offset: index)
            }
            let keyOffset = index
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw JSONError(.expectedColon, offset: index) }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth), keyOffset))
            skipWhitespace()
            guard let c = peek() else { throw JSONError(.unexpectedEnd, offset: index) }
            index += 1
            if c == UInt8(ascii: "}") { return }
            if c != UInt8(ascii: ",") { throw JSONError(.expectedCommaOrEnd, offset: index - 1) }
        }
    }

    /// The error for the first member whose key came before, if any.
    private static func firstDuplicate(_ members: [Member]) -> JSONError? {
        var seen = Set<String>()
        for m in members where !seen.insert(m.key).inserted { return JSONError(.duplicateKey(m.key), offset: m.offset) }
        return nil
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        if depth > maxDepth { throw JSONError(.tooDeep, offset: index) }
        index += 1
        var result: [JSONValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { index += 1; return .array(result) }
        while true {
            skipWhitespace()
            result.append(try parseValue(depth: depth))
            skipWhitespace()
            guard let c = peek() else { throw JSONError(.unexpectedEnd, offset: index) }
            index += 1
            if c == UInt8(ascii: "]") { return .array(result) }
            if c != UInt8(ascii: ",") { throw JSONError(.expectedCommaOrEnd, offset: index - 1) }
        }
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONError(.invalidEscape, offset: index) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw JSONError(.invalidEscape, offset: index)
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    private mutating func parseString() throws(JSONError) -> String {
        let start = index
        index += 1  // opening quote
        var out: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else { throw JSONError(.unterminatedString, offset: start) }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                defer { index += 1 }
                // Without escapes the string is the bytes between the quotes.
                if out.isEmpty && runStart == start + 1 { return String(decoding: bytes[runStart..<index], as: UTF8.self) }
                out.append(contentsOf: bytes[runStart..<index])
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw JSONError(.controlCharacterInString, offset: index) }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw JSONError(.unterminatedString, offset: start) }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw JSONError(.invalidEscape, offset: index) }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(.invalidEscape, offset: index - 6) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw JSONError(.invalidEscape, offset: index - 6)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw JSONError(.invalidEscape, offset: index - 6) }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default:
                    throw JSONError(.invalidEscape, offset: index - 2)
                }
                runStart = index
                continue
            }
            index += 1
        }
    }

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        var isInteger = true
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw JSONError(.invalidNumber, offset: start)
        }
        if first == UInt8(ascii: "0") {
            index += 1
            if let n = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(n) {
                throw JSONError(.invalidNumber, offset: start)
            }
        } else {
            while let d = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(d) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            var digits = 0
            while let d = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(d) { index += 1; digits += 1 }
            if digits == 0 { throw JSONError(.invalidNumber, offset: start) }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            var digits = 0
            while let d = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(d) { index += 1; digits += 1 }
            if digits == 0 { throw JSONError(.invalidNumber, offset: start) }
        }
        if isInteger, index - start <= 18 {
            // At most 18 characters: the value fits in Int64 without overflow checks.
            var v: Int64 = 0
            for d in bytes[start..<index] where d != UInt8(ascii: "-") { v = v * 10 + Int64(d - UInt8(ascii: "0")) }
            return .int(bytes[start] == UInt8(ascii: "-") ? -v : v)
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let i = Int64(text) { return .int(i) }
        guard let d = Double(text), d.isFinite else { throw JSONError(.invalidNumber, offset: start) }
        return .double(d)
    }
}
