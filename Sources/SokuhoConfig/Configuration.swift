import SokuhoCore

/// The daemon's configuration. Keys and defaults: `docs/configuration.md` (README reference).
///
/// Paths in a file are relative to the directory of that file; paths of the embedded default
/// are relative to the working directory.
public struct Configuration: Sendable, Equatable {
    public struct Socket: Sendable, Equatable {
        public var path: String
        /// Group that owns the socket file; `nil` keeps the daemon's group.
        public var group: String?
        /// Permission bits of the socket file.
        public var mode: UInt16
        /// Connection caps, timeouts and the buffer budget.
        public var limits = ConnectionLimits()
    }

    public struct Webhook: Sendable, Equatable {
        /// `city` for `city.webhook`; the configured name for `escalation.endpoints`.
        public var name: String = "city"
        public var url: String?
        public var secretFile: String?
        public var caFile: String?
        public var clientCertificate: String?
        public var clientKey: String?
        public var proxy: String?
        /// Seconds.
        public var connectTimeout: Double = 5
        /// Seconds for the whole request.
        public var timeout: Double = 20
    }

    /// Where the configuration came from (a file path, or "(embedded default)").
    public var source: String
    public var stateDir: String
    public var socket: Socket
    public var spoolDir: String
    /// Spool files larger than this many bytes are rejected unread (`spool.max_file_size`).
    public var spoolMaxFileSize: Int = Configuration.defaultSpoolMaxFileSize
    /// Seconds between full scans of `incoming/` (`spool.scan_interval`); inotify is the fast path.
    public var spoolScanInterval: Double = Configuration.defaultSpoolScanInterval
    public static let defaultSpoolMaxFileSize = 1 << 20
    public static let defaultSpoolScanInterval: Double = 30
    public var playbooksDir: String
    /// How often an overdue step is reminded about again (`playbooks.remind_every`).
    public var remindEvery: Double = Configuration.defaultRemindEvery
    /// The endpoint that receives step notices and reminders (`playbooks.notify`), e.g. the
    /// security lead's chat webhook; nil: reminders are logged only.
    public var notifyEndpoint: String?
    public static let defaultRemindEvery: Double = 3600
    /// Deadlines per case (`clocks.*`): defaults, not hard-coded law.
    public var clocks = ClockSettings()
    /// Seconds between handling-status reports sent to the city (`status_report.every`); nil: none.
    public var statusReportEvery: Double?
    /// Seconds between `instructions.poll` messages to the city (`city.poll_every`, default 5m),
    /// so its instructions and decisions arrive when nothing else is sent; nil: off.
    public var pollEvery: Double? = Configuration.defaultPollEvery
    public static let defaultPollEvery: Double = 300
    public var cityWebhook: Webhook
    /// Further endpoints (e.g. the security lead's chat webhook), from `escalation.endpoints`.
    public var extraEndpoints: [Webhook] = []
    /// Seconds between attempts, from `escalation.retry_schedule`; nil = the standard schedule.
    public var retrySchedule: [Double]?

    /// Every endpoint that receives escalations: the city (when its URL is set) and the others.
    public var endpoints: [Webhook] { (cityWebhook.url != nil ? [cityWebhook] : []) + extraEndpoints }
    public var roles: RolePolicy
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    public var logLevel: String
    /// Seconds east of UTC used for the year in case ids; default: the system's time zone.
    public var utcOffset: Int?
    /// Where `/metrics` listens (`metrics.listen`, Configuration+Metrics.swift); nil: off.
    public var metricsListen: MetricsListen?

    /// The SQLite database inside `state_dir`.
    public var databasePath: String { stateDir + "/sokuho.db" }

    /// The settings that `SIGHUP` can change without a restart.
    public func reloadable(from new: Configuration) -> (changed: [String], needsRestart: [String]) {
        var changed: [String] = []
        var restart: [String] = []
        if new.roles != roles { changed.append("roles") }
        if new.clocks != clocks { restart.append("clocks") }
        if new.statusReportEvery != statusReportEvery { restart.append("status_report") }
        if new.playbooksDir != playbooksDir || new.remindEvery != remindEvery || new.notifyEndpoint != notifyEndpoint {
            restart.append("playbooks settings (the playbooks themselves are reloaded)")
        }
        if new.logLevel != logLevel { restart.append("log.level") }
        if new.cityWebhook != cityWebhook { restart.append("city.webhook") }
        if new.extraEndpoints != extraEndpoints || new.retrySchedule != retrySchedule { restart.append("escalation") }
        if new.spoolDir != spoolDir || new.spoolMaxFileSize != spoolMaxFileSize || new.spoolScanInterval != spoolScanInterval {
            restart.append("spool")
        }
        if new.stateDir != stateDir { restart.append("state_dir") }
        if new.socket != socket { restart.append("socket") }
        if new.utcOffset != utcOffset { restart.append("time_zone_offset") }
        if new.metricsListen != metricsListen { restart.append("metrics.listen") }
        return (changed, restart)
    }

    /// The configuration used when `sokuhod` runs without `--config`: everything under
    /// `./.sokuho-dev` in the working directory, every local user may report, and escalations go
    /// to a local stand-in for the city (`sokuho receive` on 127.0.0.1:8428) signed with
    /// `.sokuho-dev/city.secret`, which sokuhod creates when missing.
    public static let embeddedDefaultYAML = """
        # Embedded default: a self-contained development setup in ./.sokuho-dev
        state_dir: .sokuho-dev
        socket:
          path: .sokuho-dev/sokuhod.sock
          mode: "0660"
        spool:
          dir: .sokuho-dev/spool
        playbooks:
          dir: playbooks
        city:
          webhook:
            # A stand-in for the city on this machine: run `sokuho receive` (scripts/run does).
            url: http://127.0.0.1:8428/sokuho
            secret_file: .sokuho-dev/city.secret
        roles:
          reporter:
            users: ["*"]
        log:
          level: info
        """
}
