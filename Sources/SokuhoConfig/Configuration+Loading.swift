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
            throw ConfigError(
                file: file, line: nil, column: nil, key: nil, reason: "cannot read the file: \((error as NSError).localizedDescription)")
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
        guard let root else {
            throw ConfigError(file: file, line: 1, column: 1, key: nil, reason: "the configuration is empty; state_dir is required")
        }
        let top = try reader.mapping(
            root, key: "",
            allowed: [
                "state_dir", "socket", "spool", "playbooks", "city", "roles", "log", "time_zone_offset", "escalation", "clocks",
                "status_report", "metrics",
            ])

        guard let stateNode = top["state_dir"] else {
            throw ConfigError(node: root, file: file, key: "state_dir", reason: "state_dir is required")
        }
        let stateDir = try reader.path(stateNode, key: "state_dir")

        var socketPath = stateDir + "/sokuhod.sock"
        var socketGroup: String?
        var socketMode: UInt16 = 0o660
        var limits = ConnectionLimits()
        if let s = top["socket"] {
            let m = try reader.mapping(
                s, key: "socket",
                allowed: [
                    "path", "group", "mode", "max_connections", "max_connections_per_user",
                    "idle_timeout", "line_timeout", "max_buffered",
                ])
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
            throw ConfigError(
                node: top["socket"] ?? root, file: file, key: "socket.path",
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
                    throw ConfigError(
                        node: n, file: file, key: "spool.scan_interval",
                        reason: "must be at least 1s (the scan is a safety net; inotify picks files up at once)")
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
        var pollEvery: Double? = Configuration.defaultPollEvery
        if let c = top["city"] {
            let m = try reader.mapping(c, key: "city", allowed: ["webhook", "poll_every"])
            if let w = m["webhook"] { webhook = try reader.webhook(w, key: "city.webhook", name: "city") }
            if let n = m["poll_every"] {
                if try reader.optionalString(n, key: "city.poll_every").map({ ["off", "false", "no"].contains($0) }) ?? true {
                    pollEvery = nil
                } else {
                    pollEvery = try reader.duration(n, key: "city.poll_every", max: 86400)
                }
            }
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
                    throw ConfigError(
                        node: r, file: file, key: "escalation.retry_schedule",
                        reason: "must be a non-empty list of durations such as [5s, 5m, 30m]")
                }
                schedule = try seq.map { n throws(ConfigError) in try reader.duration(n, key: "escalation.retry_schedule") }
            }
        }
        if let name = notifyEndpoint, let node = notifyNode {
            let names = (webhook.url != nil ? ["city"] : []) + extra.map(\.name)
            guard names.contains(name) else {
                throw ConfigError(
                    node: node, file: file, key: "playbooks.notify",
                    reason:
                        "no endpoint is named \"\(name)\"; configured: \(names.isEmpty ? "none" : names.joined(separator: ", ")) (escalation.endpoints)"
                )
            }
        }
        var clocks = ClockSettings()
        if let c = top["clocks"] {
            let m = try reader.mapping(
                c, key: "clocks", allowed: ["first_report", "preliminary", "confirmed", "confirmed_malicious", "gdpr", "persons_threshold"])
            if let n = m["first_report"] { clocks.firstReport = try reader.duration(n, key: "clocks.first_report", max: 366 * 86400) }
            if let n = m["preliminary"] { clocks.preliminary = try reader.duration(n, key: "clocks.preliminary", max: 366 * 86400) }
            if let n = m["confirmed"] { clocks.confirmed = try reader.duration(n, key: "clocks.confirmed", max: 366 * 86400) }
            if let n = m["confirmed_malicious"] {
                clocks.confirmedMalicious = try reader.duration(n, key: "clocks.confirmed_malicious", max: 366 * 86400)
            }
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
                    throw ConfigError(
                        node: n, file: file, key: "clocks.persons_threshold", reason: "must be a whole number of persons, not \"\(v)\"")
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
                    throw ConfigError(
                        node: lv, file: file, key: "log.level", reason: "must be one of \(levels.joined(separator: ", ")), not \"\(v)\"")
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
            remindEvery: remindEvery, notifyEndpoint: notifyEndpoint, clocks: clocks, statusReportEvery: statusReportEvery,
            pollEvery: pollEvery, cityWebhook: webhook, extraEndpoints: extra,
            retrySchedule: schedule, roles: roles, logLevel: logLevel, utcOffset: utcOffset,
            metricsListen: try parseMetrics(top["metrics"], reader: reader, file: file))
    }

    /// `+HH:MM` or `-HH:MM` (two ASCII digits each, at most 14 hours) in seconds east of UTC.
    static func parseOffset(_ s: String) -> Int? {
        let b = Array(s.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            b[r].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ? Int(String(decoding: b[r], as: UTF8.self)) : nil
        }
        guard b.count == 6, b[0] == UInt8(ascii: "+") || b[0] == UInt8(ascii: "-"), b[3] == UInt8(ascii: ":"),
            let h = digits(1..<3), let m = digits(4..<6), h <= 14, m < 60
        else { return nil }
        return (h * 3600 + m * 60) * (b[0] == UInt8(ascii: "-") ? -1 : 1)
    }
}
