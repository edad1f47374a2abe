import SokuhoConfig
import SokuhoCore

/// Turns the bytes of a spool file into report fields: the text encoding (`SpoolText`), then
/// the format by the file's extension, then the one JSON object a report is. Field rules are
/// `Report.validate`'s, exactly as on the socket.
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
            return .failure(ValidationError(
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
                let (line, column) = position(in: trimmed, byteOffset: error.offset)
                return .failure(ValidationError(
                    .invalidJSON, field: nil, "invalid JSON at line \(line), column \(column): \(error)",
                    ja: "JSON の誤り（\(line) 行 \(column) 桁）: \(error)"))
            }
        } else {
            do {
                guard let node = try YAMLDocument.parse(text, file: name) else { return .failure(empty) }
                value = try YAMLDocument.json(node, file: name)
            } catch {
                var at = ""
                if let l = error.line { at = " at line \(l)" + (error.column.map { ", column \($0)" } ?? "") }
                return .failure(ValidationError(
                    .invalidYAML, field: error.key, "invalid YAML\(at): \(error.reason)",
                    ja: "YAML の誤り\(error.line.map { "（\($0) 行）" } ?? ""): \(error.reason)"))
            }
        }
        guard case .object = value else {
            return .failure(ValidationError(
                .wrongType, field: nil, "the file must hold one report, an object of fields such as {\"kind\": \"leak\", …}, not \(value.typeName)",
                ja: "ファイルには報告を 1 件、項目のオブジェクトとして書いてください（\(value.typeName) ではなく）"))
        }
        return .success(Content(fields: value, format: isJSON ? "json" : "yaml", encoding: decoded.encoding))
    }

    static let empty = ValidationError(.emptyFile, field: nil, "the file is empty; write the report into it before renaming it into incoming/",
                                       ja: "ファイルが空です。報告を書き込んでから incoming/ に移してください")

    /// The lower-cased extension, without the dot; "" for none.
    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    /// 1-based line and column (in characters) of a byte offset.
    static func position(in text: String, byteOffset: Int) -> (Int, Int) {
        var line = 1, column = 1, seen = 0
        for ch in text {
            if seen >= byteOffset { break }
            seen += ch.utf8.count
            if ch == "\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}
