import Foundation
import SokuhoCore
import Yams

extension Configuration {
    /// Loads and validates a configuration file. Unknown keys and bad values are refused with
    /// file, line and reason.
    public static func load(file: String) throws(ConfigError) -> Configuration {
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            guard let t = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: file, line: nil, column: nil, key: nil, reason: "the file is not valid UTF-8")
            }
            text = t
        } catch let e as ConfigError {
            throw e
        } catch {
            throw ConfigError(file: file, line: nil, column: nil, key: nil, reason: "cannot read the file: \((error as NSError).localizedDescription)")
        }
        let base = (URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path)
        return try parse(text, file: file, baseDirectory: base)
    }

    /// The embedded default, with paths relative to `workingDirectory`.
    public static func embeddedDefault(workingDirectory: String = FileManager.default.currentDirectoryPath) -> Configuration {
        // The embedded text is part of the program and tested; it cannot fail.
        try! parse(embeddedDefaultYAML, file: "(embedded default)", baseDirectory: workingDirectory)
    }

    /// Parses configuration text. Relative paths are resolved against `baseDirectory`.
    public static func parse(_ text: String, file: String, baseDirectory: String) throws(ConfigError) -> Configuration {
        let root = try YAMLDocument.parse(text, file: file)
        let reader = ConfigReader(file: file, base: baseDirectory)
        guard let root else { throw ConfigError(file: file, line: 1, column: 1, key: nil, reason: "the configuration is empty; state_dir is required") }
        let top = try reader.mapping(root, key: "", allowed: ["state_dir", "socket", "spool", "playbooks", "city", "roles", "log", "time_zone_offset", "escalation", "clocks", "status_report"])

        guard let stateNode = top["state_dir"] else {
            throw ConfigError(node: root, file: file, key: "state_dir", reason: "state_dir is required")
        }
        let stateDir = try reader.path(stateNode, key: "state_dir")

        var socketPath = stateDir + "/sokuhod.sock"
        var socketGroup: String?
        var socketMode: UInt16 = 0o660
        var limits = ConnectionLimits()
        if let s = top["socket"] {
            let m = try reader.mapping(s, key: "socket", allowed: ["path", "group", "mode", "max_connections", "max_connections_per_user",
                                                                "idle_timeout", "line_timeout", "max_buffered"])
            if let n = m["max_connections"] { limits.maxConnections = try reader.count(n, key: "socket.max_connections", in: 1...100_000) }
            if let n = m["max_connections_per_user"] {
                limits.maxConnectionsPerUser = try reader.count(n, key: "socket.max_connections_per_user", in: 1...100_000)
            }
            if let n = m["idle_timeout"] { limits.idleTimeout = try reader.duration(n, key: "socket.idle_timeout", max: 86400) }
            if let n = m["line_timeout"] { limits.lineTimeout = try reader.duration(n, key: "socket.line_timeout", max: 3600) }
            if let n = m["max_buffered"] { limits.maxBuffered = try reader.size(n, key: "socket.max_buffered") }
            if let p = m["path"] { socketPath = try reader.path(p, key: "socket.path") }
            if let g = m["group"] { socketGroup = try reader.optionalString(g, key: "socket.group") }
            if let mo = m["mode"] { socketMode = try reader.mode(mo, key: "socket.mode") }
        }
        if socketPath.utf8.count >= 108 {
            throw ConfigError(node: top["socket"] ?? root, file: file, key: "socket.path",
                              reason: "the socket path is \(socketPath.utf8.count) bytes long; Unix sockets allow at most 107")
        }

        var spoolDir = stateDir + "/spool"
        var spoolMaxFileSize = Configuration.defaultSpoolMaxFileSize
        var spoolScanInterval = Configuration.defaultSpoolScanInterval
        if let s = top["spool"] {
            let m = try reader.mapping(s, key: "spool", allowed: ["dir", "max_file_size", "scan_interval"])
            if let d = m["dir"] { spoolDir = try reader.path(d, key: "spool.dir") }
            if let n = m["max_file_size"] { spoolMaxFileSize = try reader.size(n, key: "spool.max_file_size") }
            if let n = m["scan_interval"] {
                spoolScanInterval = try reader.duration(n, key: "spool.scan_interval")
                if spoolScanInterval < 1 {
                    throw ConfigError(node: n, file: file, key: "spool.scan_interval", reason: "must be at least 1s (the scan is a safety net; inotify picks files up at once)")
                }
            }
        }
        var playbooksDir = baseDirectory + "/playbooks"
        var remindEvery = Configuration.defaultRemindEvery
        var notifyEndpoint: String?
        var notifyNode: Node?
        if let s = top["playbooks"] {
            let m = try reader.mapping(s, key: "playbooks", allowed: ["dir", "remind_every", "notify"])
            if let d = m["dir"] { playbooksDir = try reader.path(d, key: "playbooks.dir") }
            if let r = m["remind_every"] {
                remindEvery = try reader.duration(r, key: "playbooks.remind_every")
                if remindEvery < 60 { throw ConfigError(node: r, file: file, key: "playbooks.remind_every", reason: "must be at least 1m") }
            }
            if let n = m["notify"] { notifyEndpoint = try reader.optionalString(n, key: "playbooks.notify"); notifyNode = n }
        }
        var webhook = Webhook()
        if let c = top["city"] {
            let m = try reader.mapping(c, key: "city", allowed: ["webhook"])
            if let w = m["webhook"] { webhook = try reader.webhook(w, key: "city.webhook", name: "city") }
        }
        var extra: [Webhook] = []
        var schedule: [Double]?
        if let e = top["escalation"] {
            let m = try reader.mapping(e, key: "escalation", allowed: ["endpoints", "retry_schedule"])
            if let list = m["endpoints"] {
                guard case .sequence(let seq) = list else {
                    throw ConfigError(node: list, file: file, key: "escalation.endpoints", reason: "must be a list of endpoints")
                }
                for (i, item) in seq.enumerated() {
                    let key = "escalation.endpoints[\(i)]"
                    guard case .mapping(let im) = item, let nameNode = im["name"] else {
                        throw ConfigError(node: item, file: file, key: key, reason: "each endpoint needs a name, a url and a secret_file")
                    }
                    let name = try reader.string(nameNode, key: key + ".name")
                    guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                        throw ConfigError(node: nameNode, file: file, key: key + ".name", reason: "use letters, digits, - and _ only")
                    }
                    if name == "city" || extra.contains(where: { $0.name == name }) {
                        throw ConfigError(node: nameNode, file: file, key: key + ".name", reason: "the name \"\(name)\" is already used")
                    }
                    let w = try reader.webhook(item, key: key, name: name, allowName: true)
                    if w.url == nil { throw ConfigError(node: item, file: file, key: key + ".url", reason: "url is required") }
                    extra.append(w)
                }
            }
            if let r = m["retry_schedule"] {
                guard case .sequence(let seq) = r, !seq.isEmpty else {
                    throw ConfigError(node: r, file: file, key: "escalation.retry_schedule", reason: "must be a non-empty list of durations such as [5s, 5m, 30m]")
                }
                schedule = try seq.map { n throws(ConfigError) in try reader.duration(n, key: "escalation.retry_schedule") }
            }
        }
        if let name = notifyEndpoint, let node = notifyNode {
            let names = (webhook.url != nil ? ["city"] : []) + extra.map(\.name)
            guard names.contains(name) else {
                throw ConfigError(node: node, file: file, key: "playbooks.notify",
                                  reason: "no endpoint is named \"\(name)\"; configured: \(names.isEmpty ? "none" : names.joined(separator: ", ")) (escalation.endpoints)")
            }
        }
        var clocks = ClockSettings()
        if let c = top["clocks"] {
            let m = try reader.mapping(c, key: "clocks", allowed: ["first_report", "preliminary", "confirmed", "confirmed_malicious", "gdpr", "persons_threshold"])
            if let n = m["first_report"] { clocks.firstReport = try reader.duration(n, key: "clocks.first_report", max: 366 * 86400) }
            if let n = m["preliminary"] { clocks.preliminary = try reader.duration(n, key: "clocks.preliminary", max: 366 * 86400) }
            if let n = m["confirmed"] { clocks.confirmed = try reader.duration(n, key: "clocks.confirmed", max: 366 * 86400) }
            if let n = m["confirmed_malicious"] { clocks.confirmedMalicious = try reader.duration(n, key: "clocks.confirmed_malicious", max: 366 * 86400) }
            if let n = m["gdpr"] {
                if try reader.optionalString(n, key: "clocks.gdpr").map({ ["off", "false", "no"].contains($0) }) ?? true {
                    clocks.gdpr = nil
                } else {
                    clocks.gdpr = try reader.duration(n, key: "clocks.gdpr", max: 366 * 86400)
                }
            }
            if let n = m["persons_threshold"] {
                let v = try reader.string(n, key: "clocks.persons_threshold")
                guard let t = Int64(v), t >= 0 else {
                    throw ConfigError(node: n, file: file, key: "clocks.persons_threshold", reason: "must be a whole number of persons, not \"\(v)\"")
                }
                clocks.personsThreshold = t
            }
        }
        var statusReportEvery: Double?
        if let r = top["status_report"] {
            let m = try reader.mapping(r, key: "status_report", allowed: ["every"])
            if let n = m["every"] {
                if try reader.optionalString(n, key: "status_report.every").map({ ["off", "false", "no"].contains($0) }) ?? true {
                    statusReportEvery = nil
                } else {
                    statusReportEvery = try reader.duration(n, key: "status_report.every", max: 366 * 86400)
                }
            }
        }
        var roles = RolePolicy()
        if let r = top["roles"] {
            let m = try reader.mapping(r, key: "roles", allowed: ["reporter", "lead", "auditor"])
            if let x = m["reporter"] { roles.reporter = try reader.members(x, key: "roles.reporter") }
            if let x = m["lead"] { roles.lead = try reader.members(x, key: "roles.lead") }
            if let x = m["auditor"] { roles.auditor = try reader.members(x, key: "roles.auditor") }
        }
        var logLevel = "info"
        if let l = top["log"] {
            let m = try reader.mapping(l, key: "log", allowed: ["level"])
            if let lv = m["level"] {
                let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
                let v = try reader.string(lv, key: "log.level")
                guard levels.contains(v) else {
                    throw ConfigError(node: lv, file: file, key: "log.level", reason: "must be one of \(levels.joined(separator: ", ")), not \"\(v)\"")
                }
                logLevel = v
            }
        }
        var utcOffset: Int?
        if let t = top["time_zone_offset"] {
            let v = try reader.string(t, key: "time_zone_offset")
            guard let seconds = Configuration.parseOffset(v) else {
                throw ConfigError(node: t, file: file, key: "time_zone_offset", reason: "must look like +09:00 or -05:30, not \"\(v)\"")
            }
            utcOffset = seconds
        }
        return Configuration(
            source: file, stateDir: stateDir, socket: Socket(path: socketPath, group: socketGroup, mode: socketMode, limits: limits),
            spoolDir: spoolDir, spoolMaxFileSize: spoolMaxFileSize, spoolScanInterval: spoolScanInterval, playbooksDir: playbooksDir,
            remindEvery: remindEvery, notifyEndpoint: notifyEndpoint, clocks: clocks, statusReportEvery: statusReportEvery, cityWebhook: webhook, extraEndpoints: extra,
            retrySchedule: schedule, roles: roles, logLevel: logLevel, utcOffset: utcOffset)
    }

    static func parseOffset(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
            let h = Int(String(decoding: b[1..<3], as: UTF8.self)), let m = Int(String(decoding: b[4..<6], as: UTF8.self)),
            h <= 14, m < 60
        else { return nil }
        return (h * 3600 + m * 60) * (b[0] == UInt8(ascii: "-") ? -1 : 1)
    }
}

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
                if let s = Suggestion.closest(to: name, among: allowed) { reason += "; did you mean \"\(s)\"?" } else {
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
            throw ConfigError(node: node, file: file, key: key, reason: "must let the daemon's user read and write the socket (0600 at least)")
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
        for (k, path) in [("secret_file", \Configuration.Webhook.secretFile), ("ca_file", \.caFile),
                          ("client_cert", \.clientCertificate), ("client_key", \.clientKey)] {
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
        throw ConfigError(node: node, file: file, key: key,
                          reason: "must be a duration such as 500ms, 5s, 5m, 2h or 3d (at most \(Int(max / 86400)) days), not \"\(v)\"")
    }

    /// A whole number within `range`.
    func count(_ node: Node, key: String, in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        let v = try string(node, key: key).trimmingWhitespace()
        if let n = Int(v), range.contains(n) { return n }
        throw ConfigError(node: node, file: file, key: key,
                          reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(v)\"")
    }

    /// A size in bytes: a number, or a number with B, KiB, MiB (also KB, MB, K, M as binary units).
    func size(_ node: Node, key: String) throws(ConfigError) -> Int {
        let v = try string(node, key: key).trimmingWhitespace()
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("KB", 1 << 10), ("MB", 1 << 20), ("K", 1 << 10), ("M", 1 << 20), ("B", 1)]
        var number = Substring(v)
        var factor = 1
        for (suffix, f) in units where v.hasSuffix(suffix) {
            number = v.dropLast(suffix.count)
            factor = f
            break
        }
        if let n = Int(String(number).trimmingWhitespace()), n > 0, n <= (64 << 20) / factor { return n * factor }
        throw ConfigError(node: node, file: file, key: key, reason: "must be a size from 1 B to 64 MiB such as 1MiB, 512KiB or 65536, not \"\(v)\"")
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
