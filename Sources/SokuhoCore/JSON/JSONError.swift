/// Why a JSON document could not be parsed, and where (byte offset).
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case empty
        case invalidUTF8
        case unexpectedEnd
        case unexpectedCharacter(UInt8)
        case invalidLiteral
        case expectedKey
        case expectedColon
        case expectedCommaOrEnd
        case duplicateKey(String)
        case unterminatedString
        case controlCharacterInString
        case invalidEscape
        case invalidNumber
        case tooDeep
        case trailingData
    }

    public let reason: Reason
    public let offset: Int

    public init(_ reason: Reason, offset: Int) { (self.reason, self.offset) = (reason, offset) }

    public var description: String {
        let what: String
        switch reason {
        case .empty: what = "the input is empty"
        case .invalidUTF8: what = "the input is not valid UTF-8"
        case .unexpectedEnd: what = "the JSON text ends too early"
        case .unexpectedCharacter(let b):
            what =
                b >= 0x20 && b < 0x7F
                ? "unexpected character '\(Character(Unicode.Scalar(b)))'" : "unexpected byte 0x\(String(b, radix: 16))"
        case .invalidLiteral: what = "invalid literal (expected true, false or null)"
        case .expectedKey: what = "expected a quoted object key"
        case .expectedColon: what = "expected ':' after an object key"
        case .expectedCommaOrEnd: what = "expected ',' or the end of the object/array"
        case .duplicateKey(let k): what = "duplicate key \"\(TerminalSafe.quoted(k))\""
        case .unterminatedString: what = "unterminated string"
        case .controlCharacterInString: what = "unescaped control character in a string"
        case .invalidEscape: what = "invalid escape sequence in a string"
        case .invalidNumber: what = "invalid number"
        case .tooDeep: what = "nesting is too deep"
        case .trailingData: what = "unexpected data after the JSON value"
        }
        return "\(what) (at byte \(offset))"
    }
}
