extension Condition {
    /// Parses a condition; errors give the 1-based column in `text` and name the problem.
    public init(parsing text: String) throws(PlaybookError) {
        var p = Parser(tokens: try Self.tokenize(text), text: text)
        let node = try p.expression()
        if let t = p.peek { throw PlaybookError(path: "", "unexpected \"\(t.text)\"; join conditions with and / or", offset: t.column) }
        source = text.trimmingWhitespace()
        root = node
    }

    struct Token {
        enum Kind { case word, string, number, op, open, close }
        var kind: Kind
        var text: String
        var column: Int
    }

    static func tokenize(_ text: String) throws(PlaybookError) -> [Token] {
        let chars = Array(text)
        var tokens: [Token] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            let column = i + 1
            if c == " " || c == "\t" { i += 1; continue }
            if c == "(" { tokens.append(Token(kind: .open, text: "(", column: column)); i += 1; continue }
            if c == ")" { tokens.append(Token(kind: .close, text: ")", column: column)); i += 1; continue }
            if "=!<>".contains(c) {
                var op = String(c)
                if i + 1 < chars.count, chars[i + 1] == "=" { op.append("="); i += 1 }
                i += 1
                guard Op(rawValue: op) != nil else {
                    throw PlaybookError(path: "", "unknown operator \"\(op)\"; use ==, !=, >, >=, <, <=", offset: column)
                }
                tokens.append(Token(kind: .op, text: op, column: column))
                continue
            }
            if c == "\"" || c == "'" {
                var j = i + 1
                var s = ""
                while j < chars.count, chars[j] != c { s.append(chars[j]); j += 1 }
                guard j < chars.count else { throw PlaybookError(path: "", "the quoted text is not closed", offset: column) }
                tokens.append(Token(kind: .string, text: s, column: column))
                i = j + 1
                continue
            }
            if c.isNumber || (c == "-" && i + 1 < chars.count && chars[i + 1].isNumber) {
                var j = i + 1
                while j < chars.count, chars[j].isNumber || chars[j] == "_" { j += 1 }
                tokens.append(Token(kind: .number, text: String(chars[i..<j]).replacingOccurrences(of: "_", with: ""), column: column))
                i = j
                continue
            }
            if c.isLetter || c == "_" {
                var j = i + 1
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "-" { j += 1 }
                tokens.append(Token(kind: .word, text: String(chars[i..<j]), column: column))
                i = j
                continue
            }
            throw PlaybookError(path: "", "unexpected character \"\(c)\"", offset: column)
        }
        if tokens.isEmpty { throw PlaybookError(path: "", "the condition is empty", offset: 1) }
        return tokens
    }

    struct Parser {
        var tokens: [Token]
        var text: String
        var i = 0

        var peek: Token? { i < tokens.count ? tokens[i] : nil }
        var end: Int { text.count + 1 }

        mutating func next() -> Token? {
            defer { i += 1 }
            return peek
        }

        mutating func expression() throws(PlaybookError) -> Node {
            var left = try conjunction()
            while let t = peek, t.kind == .word, t.text == "or" {
                i += 1
                left = .or(left, try conjunction())
            }
            return left
        }

        mutating func conjunction() throws(PlaybookError) -> Node {
            var left = try unary()
            while let t = peek, t.kind == .word, t.text == "and" {
                i += 1
                left = .and(left, try unary())
            }
            return left
        }

        mutating func unary() throws(PlaybookError) -> Node {
            guard let t = next() else { throw PlaybookError(path: "", "the condition ends too early", offset: end) }
            if t.kind == .word, t.text == "not" { return .not(try unary()) }
            if t.kind == .open {
                let inner = try expression()
                guard let c = next(), c.kind == .close else { throw PlaybookError(path: "", "\")\" expected", offset: peek?.column ?? end) }
                return inner
            }
            guard t.kind == .word, !["and", "or"].contains(t.text) else {
                throw PlaybookError(path: "", "a field name expected, not \"\(t.text)\"", offset: t.column)
            }
            guard let type = Condition.fields[t.text] else {
                var m = "unknown field \"\(t.text)\""
                if let s = Suggestion.closest(to: t.text, among: Array(Condition.fields.keys)) {
                    m += "; did you mean \"\(s)\"?"
                } else {
                    m += "; fields: \(Condition.fields.keys.sorted().joined(separator: ", "))"
                }
                throw PlaybookError(path: "", m, offset: t.column)
            }
            guard let opToken = peek, opToken.kind == .op, let op = Op(rawValue: opToken.text) else { return .truthy(t.text) }
            i += 1
            guard let v = next() else { throw PlaybookError(path: "", "a value expected after \(op.rawValue)", offset: end) }
            let value = try Self.value(v, field: t.text, type: type, op: op)
            return .compare(t.text, op, value)
        }

        static func value(_ v: Token, field: String, type: FieldType, op: Op) throws(PlaybookError) -> JSONValue {
            if v.kind == .word, v.text == "null" {
                guard op == .eq || op == .ne else {
                    throw PlaybookError(path: "", "null can only be compared with == or !=", offset: v.column)
                }
                return .null
            }
            let ordering = op != .eq && op != .ne
            switch type {
            case .number:
                guard v.kind == .number, let n = Int64(v.text) else {
                    throw PlaybookError(path: "", "\(field) is a number; \"\(v.text)\" is not", offset: v.column)
                }
                return .int(n)
            case .bool:
                guard v.kind == .word, v.text == "true" || v.text == "false", !ordering else {
                    throw PlaybookError(
                        path: "", "\(field) is true or false; compare it with == true / == false, or write \(field) / not \(field)",
                        offset: v.column)
                }
                return .bool(v.text == "true")
            case .choice(let options):
                guard !ordering else { throw PlaybookError(path: "", "\(field) can only be compared with == or !=", offset: v.column) }
                guard v.kind == .word || v.kind == .string, options.contains(v.text) else {
                    var m = "\(field) is one of \(options.joined(separator: ", ")), not \"\(v.text)\""
                    if let s = Suggestion.closest(to: v.text, among: options) {
                        m = "\(field) has no value \"\(v.text)\"; did you mean \"\(s)\"?"
                    }
                    throw PlaybookError(path: "", m, offset: v.column)
                }
                return .string(v.text)
            case .text:
                guard !ordering else { throw PlaybookError(path: "", "\(field) is text; compare it with == or !=", offset: v.column) }
                guard v.kind == .word || v.kind == .string else {
                    throw PlaybookError(path: "", "\(field) is text; quote the value", offset: v.column)
                }
                return .string(v.text)
            }
        }
    }
}
