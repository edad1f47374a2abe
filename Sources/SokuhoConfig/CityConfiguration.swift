import Foundation
import SokuhoCore
import Yams

/// The configuration of `sokuho-city`, the city's daemon (docs/city.md):
///
/// ```yaml
/// state_dir: /var/lib/sokuho-city
/// listen: "127.0.0.1:8780"
/// contractors:
///   - name: acme
///     secret_files: [/etc/sokuho-city/acme.secret]   # two during a key rotation
/// users_file: /var/lib/sokuho-city/users             # the inbox's staff (default <state_dir>/users)
/// inbox:
///   secure_cookies: true                             # behind TLS: cookies marked Secure
/// ```
public struct CityConfiguration: Sendable, Equatable {
    public struct Contractor: Sendable, Equatable {
        /// Lower-case letters, digits, `-` and `_`, 1 to 40: it names the contractor everywhere.
        public var name: String
        public var secretFiles: [String]
    }

    public var source: String
    public var stateDir: String
    public var host: String
    public var port: Int
    public var contractors: [Contractor]
    /// The inbox's users, `name:bcrypt-hash` lines (`sokuho-city user add`); nil: `<state_dir>/users`.
    public var usersFileSetting: String? = nil
    /// The inbox is served behind TLS: its session cookie is marked `Secure`.
    public var secureCookies = false

    public var databasePath: String { stateDir + "/sokuho-city.db" }
    public var usersFile: String { usersFileSetting ?? stateDir + "/users" }

    /// The default file.
    public static let defaultPath = "/etc/sokuho-city/sokuho-city.yaml"

    public static func load(file: String) throws(ConfigError) -> CityConfiguration {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, line: nil, column: nil, key: nil, reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: nil, column: nil, key: nil, reason: "the file is not valid UTF-8")
        }
        let base = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        return try parse(text, file: file, baseDirectory: base)
    }

    public static func parse(_ text: String, file: String, baseDirectory: String) throws(ConfigError) -> CityConfiguration {
        guard let root = try YAMLDocument.parse(text, file: file) else {
            throw ConfigError(file: file, line: 1, column: 1, key: nil, reason: "the configuration is empty; state_dir is required")
        }
        let reader = ConfigReader(file: file, base: baseDirectory)
        let top = try reader.mapping(root, key: "", allowed: ["state_dir", "listen", "contractors", "users_file", "inbox"])
        guard let s = top["state_dir"] else { throw ConfigError(node: root, file: file, key: "state_dir", reason: "state_dir is required") }
        let stateDir = try reader.path(s, key: "state_dir")
        var host = "127.0.0.1"
        var port = 8780
        if let l = top["listen"] {
            let v = try reader.string(l, key: "listen")
            guard let colon = v.lastIndex(of: ":"), let p = Int(v[v.index(after: colon)...]), (0...65535).contains(p), colon > v.startIndex
            else { throw ConfigError(node: l, file: file, key: "listen", reason: "must be HOST:PORT such as 127.0.0.1:8780, not \"\(v)\"") }
            host = String(v[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = p
        }
        var contractors: [Contractor] = []
        if let c = top["contractors"] {
            guard case .sequence(let items) = c else {
                throw ConfigError(node: c, file: file, key: "contractors", reason: "must be a list of {name, secret_files}")
            }
            for (i, item) in items.enumerated() {
                let key = "contractors[\(i)]"
                let m = try reader.mapping(item, key: key, allowed: ["name", "secret_file", "secret_files"])
                guard let n = m["name"] else { throw ConfigError(node: item, file: file, key: key + ".name", reason: "name is required") }
                let name = try reader.string(n, key: key + ".name")
                guard (1...40).contains(name.utf8.count),
                    name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F })
                else {
                    throw ConfigError(
                        node: n, file: file, key: key + ".name",
                        reason: "must be 1 to 40 lower-case letters, digits, - or _, not \"\(name)\"")
                }
                if contractors.contains(where: { $0.name == name }) {
                    throw ConfigError(node: n, file: file, key: key + ".name", reason: "the name \"\(name)\" is already used")
                }
                var files: [String] = []
                if let f = m["secret_file"] { files.append(try reader.path(f, key: key + ".secret_file")) }
                if let list = m["secret_files"] {
                    guard case .sequence(let paths) = list, !paths.isEmpty, paths.count <= 2 else {
                        throw ConfigError(
                            node: list, file: file, key: key + ".secret_files", reason: "must list one or two files (two during a rotation)"
                        )
                    }
                    for p in paths { files.append(try reader.path(p, key: key + ".secret_files")) }
                }
                if files.isEmpty || files.count > 2 {
                    throw ConfigError(node: item, file: file, key: key, reason: "needs secret_file, or secret_files with one or two files")
                }
                contractors.append(Contractor(name: name, secretFiles: files))
            }
        }
        var config = CityConfiguration(source: file, stateDir: stateDir, host: host, port: port, contractors: contractors)
        if let u = top["users_file"] { config.usersFileSetting = try reader.path(u, key: "users_file") }
        if let i = top["inbox"] {
            let m = try reader.mapping(i, key: "inbox", allowed: ["secure_cookies"])
            if let b = m["secure_cookies"] {
                switch try reader.string(b, key: "inbox.secure_cookies") {
                case "true": config.secureCookies = true
                case "false": config.secureCookies = false
                case let v:
                    throw ConfigError(node: b, file: file, key: "inbox.secure_cookies", reason: "must be true or false, not \"\(v)\"")
                }
            }
        }
        return config
    }
}
