import Foundation
import SokuhoCore
import Yams

/// Typed access to configuration nodes, with errors that carry positions.
struct ConfigReader {
    let file: String
    let base: String

    func mapping(_ node: Node, key: String, allowed: [String]) throws(ConfigError) -> [String: Node] {
        guard case .mapping(let map) = node else {
            throw ConfigError(node: node, file: file, key: key.isEmpty ? nil : key, reason: "must be a mapping of keys")
        }
        var out: [String: Node] = [:]
        for (k, v) in map {
            guard case .scalar(let ks) = k else { throw ConfigError(node: k, file: file, key: key, reason: "keys must be strings") }
            let name = ks.string
            let full = key.isEmpty ? name : "\(key).\(name)"
            guard allowed.contains(name) else {
                var reason = "unknown key"
                if let s = Suggestion.closest(to: name, among: allowed) {
                    reason += "; did you mean \"\(s)\"?"
                } else {
                    reason += "; known keys here: \(allowed.joined(separator: ", "))"
                }
                throw ConfigError(node: k, file: file, key: full, reason: reason)
            }
            if out[name] != nil { throw ConfigError(node: k, file: file, key: full, reason: "duplicate key") }
            out[name] = v
        }
        return out
    }

    func string(_ node: Node, key: String) throws(ConfigError) -> String {
        guard case .scalar(let s) = node, node.tag.rawValue != Tag.Name.null.rawValue || s.style != .plain else {
            throw ConfigError(node: node, file: file, key: key, reason: "must be a string")
        }
        return s.string
    }

    func optionalString(_ node: Node, key: String) throws(ConfigError) -> String? {
        if case .scalar(let s) = node, s.style == .plain, node.tag.rawValue == Tag.Name.null.rawValue { return nil }
        let v = try string(node, key: key)
        return v.isEmpty ? nil : v
    }

    func path(_ node: Node, key: String) throws(ConfigError) -> String {
        let p = try string(node, key: key)
        if p.isEmpty { throw ConfigError(node: node, file: file, key: key, reason: "must not be empty") }
        if p.utf8.contains(0) { throw ConfigError(node: node, file: file, key: key, reason: "must not contain NUL") }
        let joined = p.hasPrefix("/") ? p : base + "/" + p
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    func mode(_ node: Node, key: String) throws(ConfigError) -> UInt16 {
        let v = try string(node, key: key)
        var digits = v
        if digits.hasPrefix("0o") { digits.removeFirst(2) }
        guard !digits.isEmpty, digits.count <= 4, let m = UInt16(digits, radix: 8), m <= 0o777 else {
            throw ConfigError(node: node, file: file, key: key, reason: "must be an octal permission such as \"0660\", not \"\(v)\"")
        }
        if m & 0o600 != 0o600 {
            throw ConfigError(
                node: node, file: file, key: key, reason: "must let the daemon's user read and write the socket (0600 at least)")
        }
        return m
    }

    func webhook(_ node: Node, key: String, name: String, allowName: Bool = false) throws(ConfigError) -> Configuration.Webhook {
        var allowed = ["url", "secret_file", "ca_file", "client_cert", "client_key", "proxy", "connect_timeout", "timeout"]
        if allowName { allowed.append("name") }
        let m = try mapping(node, key: key, allowed: allowed)
        var w = Configuration.Webhook()
        w.name = name
        if let u = m["url"], let url = try optionalString(u, key: key + ".url") {
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), ["https", "http"].contains(scheme),
                parsed.host != nil
            else {
                throw ConfigError(node: u, file: file, key: key + ".url", reason: "must be an http:// or https:// URL, not \"\(url)\"")
            }
            w.url = url
        }
        for (k, path) in [
            ("secret_file", \Configuration.Webhook.secretFile), ("ca_file", \.caFile),
            ("client_cert", \.clientCertificate), ("client_key", \.clientKey),
        ] {
            if let n = m[k], try optionalString(n, key: "\(key).\(k)") != nil { w[keyPath: path] = try self.path(n, key: "\(key).\(k)") }
        }
        if let p = m["proxy"] { w.proxy = try optionalString(p, key: key + ".proxy") }
        if let c = m["connect_timeout"] { w.connectTimeout = try duration(c, key: key + ".connect_timeout") }
        if let t = m["timeout"] { w.timeout = try duration(t, key: key + ".timeout") }
        return w
    }

    /// A duration: a number of seconds, or a number with ms, s, m, h, d; at most `max` seconds
    /// (a week unless said otherwise).
    func duration(_ node: Node, key: String, max: Double = 86400 * 7) throws(ConfigError) -> Double {
        let v = try string(node, key: key).trimmingWhitespace()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, factor) in units where v.hasSuffix(suffix) {
            if let n = Double(v.dropLast(suffix.count)), n > 0, n * factor <= max { return n * factor }
        }
        if let n = Double(v), n > 0, n <= max { return n }
        throw ConfigError(
            node: node, file: file, key: key,
            reason: "must be a duration such as 500ms, 5s, 5m, 2h or 3d (at most \(Int(max / 86400)) days), not \"\(v)\"")
    }

    /// A whole number within `range`.
    func count(_ node: Node, key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let v = try string(node, key: key).trimmingWhitespace()
        if let n = Int(v), range.contains(n) { return n }
        throw ConfigError(
            node: node, file: file, key: key,
            reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(v)\"")
    }

    /// A size in bytes: a number, or a number with B, KiB, MiB (also KB, MB, K, M as binary units).
    func size(_ node: Node, key: String) throws(ConfigError) -> Int {
        let v = try string(node, key: key).trimmingWhitespace()
        let units: [(String, Int)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("KB", 1 << 10), ("MB", 1 << 20), ("K", 1 << 10), ("M", 1 << 20), ("B", 1),
        ]
        var number = Substring(v)
        var factor = 1
        for (suffix, f) in units where v.hasSuffix(suffix) {
            number = v.dropLast(suffix.count)
            factor = f
            break
        }
        if let n = Int(String(number).trimmingWhitespace()), n > 0, n <= (64 << 20) / factor { return n * factor }
        throw ConfigError(
            node: node, file: file, key: key, reason: "must be a size from 1 B to 64 MiB such as 1MiB, 512KiB or 65536, not \"\(v)\"")
    }

    func members(_ node: Node, key: String) throws(ConfigError) -> RolePolicy.Members {
        let m = try mapping(node, key: key, allowed: ["users", "groups"])
        var result = RolePolicy.Members()
        if let u = m["users"] { result.users = try names(u, key: key + ".users") }
        if let g = m["groups"] { result.groups = try names(g, key: key + ".groups") }
        return result
    }

    func names(_ node: Node, key: String) throws(ConfigError) -> [String] {
        guard case .sequence(let seq) = node else {
            throw ConfigError(node: node, file: file, key: key, reason: "must be a list of names, e.g. [alice, bob]")
        }
        var out: [String] = []
        for item in seq {
            let n = try string(item, key: key)
            if n.isEmpty || n.contains(where: { $0 == " " || $0 == ":" }) {
                throw ConfigError(node: item, file: file, key: key, reason: "\"\(n)\" is not a valid Unix user or group name")
            }
            out.append(n)
        }
        return out
    }
}
