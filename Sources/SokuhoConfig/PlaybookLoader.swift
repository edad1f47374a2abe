import Foundation
import SokuhoCore
import Yams

/// Reads playbooks from YAML files and reports every problem as `file:line:column: path: reason`.
public enum PlaybookLoader {
    /// Parses one playbook file's text.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Playbook {
        guard let root = try YAMLDocument.parse(text, file: file) else {
            throw ConfigError(
                file: file, line: 1, column: 1, key: nil,
                reason: "the file is empty; a playbook needs playbook, title, applies_to and steps")
        }
        let json = try YAMLDocument.json(root, file: file)
        do {
            return try Playbook.parse(json)
        } catch {
            let positions = YAMLDocument.positions(root)
            var path = error.path
            var mark = positions[path]
            while mark == nil, !path.isEmpty {
                path = parent(of: path)
                mark = positions[path]
            }
            if let offset = error.offset, let value = positions.values[error.path] {
                // A condition: point at the character within the value.
                throw ConfigError(
                    file: file, line: value.line, column: value.column + offset - 1 + (value.quoted ? 1 : 0),
                    key: error.path, reason: error.message)
            }
            throw ConfigError(
                file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, key: error.path.isEmpty ? nil : error.path,
                reason: error.message)
        }
    }

    /// Reads and parses one file.
    public static func load(file: String) throws(ConfigError) -> Playbook {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw ConfigError(
                file: file, line: nil, column: nil, key: nil, reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        return try parse(text, file: file)
    }

    /// The `.yaml` / `.yml` files of a directory, sorted; none when it does not exist.
    public static func files(in directory: String) throws(ConfigError) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else {
            throw ConfigError(file: directory, line: nil, column: nil, key: "playbooks.dir", reason: "is not a directory")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ConfigError(
                file: directory, line: nil, column: nil, key: "playbooks.dir",
                reason: "cannot read: \((error as NSError).localizedDescription)")
        }
        return names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted().map { directory + "/" + $0 }
    }

    /// Loads every file and checks the set; returns every problem found, not just the first.
    public static func loadSet(files: [String]) -> Result<PlaybookSet, PlaybookProblems> {
        var entries: [PlaybookSet.Entry] = []
        var errors: [ConfigError] = []
        for f in files {
            do { entries.append(PlaybookSet.Entry(file: f, playbook: try load(file: f))) } catch { errors.append(error) }
        }
        if !errors.isEmpty { return .failure(PlaybookProblems(errors: errors)) }
        let set: PlaybookSet
        do throws(PlaybookSetError) { set = try PlaybookSet(entries) } catch {
            return .failure(
                PlaybookProblems(errors: [ConfigError(file: error.file, line: nil, column: nil, key: nil, reason: error.message)]))
        }
        return .success(set)
    }

    /// Loads the directory's playbooks (an empty set when it does not exist).
    public static func loadDirectory(_ directory: String) -> Result<PlaybookSet, PlaybookProblems> {
        let list: [String]
        do throws(ConfigError) { list = try files(in: directory) } catch { return .failure(PlaybookProblems(errors: [error])) }
        return loadSet(files: list)
    }

    static func parent(of path: String) -> String {
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") { return String(path[..<open]) }
        if let dot = path.lastIndex(of: ".") { return String(path[..<dot]) }
        return ""
    }
}

/// Every problem found in a set of playbooks, one per line.
public struct PlaybookProblems: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
