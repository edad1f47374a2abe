import SokuhoConfig
import SokuhoCore

/// Turns the bytes of a report file into report fields: the text encoding (`SpoolText`), then
/// the format by the file's extension, then the one JSON object a report is. Field rules are
/// `Report.validate`'s, exactly as on the socket.
///
/// The one decoder for report files: the spool uses it for dropped files and `sokuho report
/// --file` for files and standard input (name `-`, no extension: sniffed), so a file is accepted
/// or refused the same way by both. Problems of the text carry their `line` and `column`.
public enum SpoolDecoder {
    /// What a file holds, before field validation.
    public struct Content: Sendable, Equatable {
        /// The report object.
        public var fields: JSONValue
        /// `json` or `yaml`.
        public var format: String
        /// See `SpoolText.Decoded.encoding`.
        public var encoding: String
    }

    /// The extensions taken, lower-cased. `.txt` and files without an extension are read as JSON
    /// when they start with `{`, else as YAML.
    public static let extensions = ["json", "yaml", "yml", "txt", ""]

    public static func decode(_ bytes: [UInt8], name: String) -> Result<Content, ValidationError> {
        let ext = fileExtension(name)
        guard extensions.contains(ext) else {
            return .failure(
                ValidationError(
                    .unsupportedFormat, field: nil,
                    "spool files must be .json, .yaml or .yml (this one is .\(ext)); save the report as JSON or YAML text",
                    ja: "置けるファイルは .json・.yaml・.yml です（このファイルは .\(ext)）。JSON または YAML のテキストで保存してください"))
        }
        if bytes.isEmpty { return .failure(empty) }
        let decoded: SpoolText.Decoded
        switch SpoolText.decode(bytes) {
        case .success(let d): decoded = d
        case .failure(let e): return .failure(e)
        }
        let text = decoded.text
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty { return .failure(empty) }
        let isJSON = ext == "json" || ((ext == "txt" || ext.isEmpty) && trimmed.hasPrefix("{"))
        let value: JSONValue
        if isJSON {
            do {
                value = try JSONParser.parse(Array(trimmed.utf8))
            } catch {
                // Offsets are in the trimmed text; positions are in the file as the user sees it.
                let lead = text.unicodeScalars.firstIndex { !$0.properties.isWhitespace } ?? text.endIndex
                let leadBytes = text.utf8.distance(from: text.startIndex, to: lead)
                let (line, column) = position(in: text, byteOffset: leadBytes + error.offset)
                return .failure(
                    ValidationError(
                        .invalidJSON, field: nil, "invalid JSON at line \(line), column \(column): \(error)",
                        ja: "JSON の誤り（\(line) 行 \(column) 桁）: \(error)", line: line, column: column))
            }
        } else {
            do {
                guard let node = try YAMLDocument.parse(text, file: name) else { return .failure(empty) }
                value = try YAMLDocument.json(node, file: name)
            } catch {
                // YAMLDocument's reasons already say "invalid YAML: ".
                let reason =
                    error.reason.hasPrefix("invalid YAML: ") ? String(error.reason.dropFirst("invalid YAML: ".count)) : error.reason
                var at = "", atJa = ""
                if let l = error.line {
                    at = " at line \(l)" + (error.column.map { ", column \($0)" } ?? "")
                    atJa = "（\(l) 行" + (error.column.map { " \($0) 桁" } ?? "") + "）"
                }
                return .failure(
                    ValidationError(
                        .invalidYAML, field: error.key, "invalid YAML\(at): \(reason)",
                        ja: "YAML の誤り\(atJa): \(reason)", line: error.line, column: error.line == nil ? nil : error.column))
            }
        }
        guard case .object = value else {
            return .failure(
                ValidationError(
                    .wrongType, field: nil,
                    "the file must hold one report, an object of fields such as {\"kind\": \"leak\", …}, not \(value.typeName)",
                    ja: "ファイルには報告を 1 件、項目のオブジェクトとして書いてください（\(value.typeName) ではなく）"))
        }
        return .success(Content(fields: value, format: isJSON ? "json" : "yaml", encoding: decoded.encoding))
    }

    static let empty = ValidationError(
        .emptyFile, field: nil, "the file is empty; write the report into it before renaming it into incoming/",
        ja: "ファイルが空です。報告を書き込んでから incoming/ に移してください")

    /// The lower-cased extension, without the dot; "" for none.
    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    /// 1-based line and column (in characters) of a UTF-8 byte offset into `text`. A line ends
    /// at LF, CRLF or CR.
    public static func position(in text: String, byteOffset: Int) -> (line: Int, column: Int) {
        var line = 1, column = 1, seen = 0
        for ch in text {
            if seen >= byteOffset { break }
            seen += ch.utf8.count
            if ch == "\n" || ch == "\r\n" || ch == "\r" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
