import Foundation
import Logging
import ServiceLifecycle
import SokuhoConfig
import SokuhoControl
import SokuhoCore
import SokuhoMetrics
import SokuhoSpool
import SokuhoStore
import SokuhoSystemd
import SokuhoWebhook
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Wires the store, the request desk and the control socket into one service group and runs
/// it until SIGTERM/SIGINT. SIGHUP reloads the configuration file.
public struct Daemon: Sendable {
    public let configuration: Configuration
    /// The file to re-read on SIGHUP; `nil` for the embedded default.
    public let configFile: String?
    public let logger: Logger

    public init(configuration: Configuration, configFile: String?, logger: Logger) {
        self.configuration = configuration
        self.configFile = configFile
        self.logger = logger
    }

    /// Raises the soft limit of open descriptors to the hard limit (at most 65,536): the
    /// connection caps (`socket.max_connections`) then bind long before descriptors run out.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let target = min(limit.rlim_max, 65_536)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    public func run() async throws {
        let config = configuration
        let notifier = SystemdNotifier()
        // Case data is confidential: nothing the daemon creates is readable by others.
        umask(0o027)
        Self.raiseDescriptorLimit()
        try Self.makeDirectory(config.stateDir, mode: 0o750)

        let endpoints = try Self.loadEndpoints(config)
        let store = try CaseStore(path: config.databasePath)
        if store.rederivedRows > 0 {
            logger.notice(
                "case and ledger rows derived again from their events (written by an earlier version)",
                metadata: ["rows": "\(store.rederivedRows)"])
        }
        let opened = try await store.stats()
        logger.info(
            "case store open", metadata: ["database": "\(config.databasePath)", "cases": "\(opened.cases)", "events": "\(opened.events)"])

        let inherited = ListenFDs.take()
        let endpoint: ControlServer.Endpoint
        let socketDescription: String
        if let fd = inherited.first(where: { ListenFDs.isUnixStreamListener($0.fd) }) {
            endpoint = .inherited(fd: fd.fd)
            socketDescription = "systemd socket activation (fd \(fd.fd), \(fd.name))"
        } else {
            if !inherited.isEmpty { throw ControlError.badInheritedSocket(fd: inherited[0].fd) }
            try Self.makeDirectory((config.socket.path as NSString).deletingLastPathComponent, mode: 0o755)
            endpoint = .path(config.socket.path, mode: config.socket.mode, group: config.socket.group)
            socketDescription = config.socket.path
        }

        let playbooks = try Self.loadPlaybooks(config, endpoints: endpoints.map(\.name))
        logger.info(
            "playbooks loaded",
            metadata: [
                "dir": "\(config.playbooksDir)", "playbooks": "\(playbooks.entries.map(\.playbook.id).joined(separator: ","))",
            ])
        if !playbooks.uncoveredKinds.isEmpty {
            logger.warning(
                "no playbook for some incident kinds; their cases get no checklist",
                metadata: ["kinds": "\(playbooks.uncoveredKinds.map(\.rawValue).joined(separator: ","))"])
        }
        // The one clock of the daemon: every component reads the time from it.
        let clock: any WallClock = SystemWallClock()
        let wakeup = Wakeup()
        let handoff = DeliveryHandoff(wakeup: wakeup)
        let playbookQueue = PlaybookQueue()
        // SQLite's caches and glibc's free pages go back to the system when the daemon falls quiet.
        let idleMemory = IdleMemory(logger: logger, release: { store.releaseMemory() })
        let fixedOffset = config.utcOffset
        var settings = DeskSettings(
            policy: config.roles, daemonUID: geteuid(),
            utcOffset: { date in fixedOffset ?? TimeZone.current.secondsFromGMT(for: date) })
        settings.configuredOffset = fixedOffset
        settings.escalation = endpoints.map(\.name)
        settings.cityEndpoint = endpoints.map(\.name).first { $0 == config.cityWebhook.name && config.cityWebhook.url != nil }
        settings.spool = SpoolLayout(root: config.spoolDir)
        settings.playbooks = playbooks
        settings.clockSettings = config.clocks
        settings.socketDescription = socketDescription
        let desk = CaseDesk(
            store: store, clock: clock, logger: logger, settings: settings,
            listeners: DeskListeners(
                wakeup: wakeup, handoff: handoff, playbookQueue: playbookQueue, idleMemory: idleMemory,
                onChange: { id in notifier.status("serving; last change \(id)") }))

        let hangups = await UnixSignalsSequence(trapping: .sighup)
        let log = logger
        let server = ControlServer(
            endpoint: endpoint, handler: desk, logger: logger, limits: config.socket.limits,
            onListening: {
                log.notice("sokuhod ready", metadata: ["socket": "\(socketDescription)", "pid": "\(getpid())"])
                notifier.ready(status: "serving; \(opened.cases) cases; socket \(socketDescription)")
            })
        let spool = SpoolService(
            layout: SpoolLayout(root: config.spoolDir), maxFileSize: config.spoolMaxFileSize, scanInterval: config.spoolScanInterval,
            handler: desk.spool, clock: clock, logger: logger)
        var services: [any Service] = [
            server, spool, ReloadService(daemon: self, desk: desk, notifier: notifier, signals: hangups),
            StoppingNotifierService(notifier: notifier), idleMemory,
        ]
        if !endpoints.isEmpty {
            logger.info(
                "escalation endpoints",
                metadata: ["endpoints": "\(endpoints.map { "\($0.name)=\(LogText.redactingUserinfo($0.url))" }.joined(separator: " "))"])
        }
        // The worker also runs without endpoints: messages queued under an earlier configuration still go out.
        services.append(
            DeliveryWorker(
                store: store, clock: clock, endpoints: endpoints,
                schedule: config.retrySchedule.map(RetrySchedule.init(delays:)) ?? .standard,
                wakeup: wakeup, logger: logger, handoff: handoff, idleMemory: idleMemory,
                onAnswer: { message, body in
                    // The city may answer a delivery with instructions, publication decisions
                    // (docs/escalation.md) and approvals of take-outs and disposals (docs/ledger.md).
                    await desk.takeAnswer(body, answering: message.caseID, endpoint: message.endpoint)
                }))
        services.append(
            PlaybookRunner(
                store: store, queue: playbookQueue, clock: clock, cityEndpoints: endpoints.map(\.name),
                notifyEndpoint: config.notifyEndpoint, remindEvery: config.remindEvery, clocks: config.clocks, deliveryWakeup: wakeup,
                logger: logger))
        if let every = config.pollEvery, let city = endpoints.first(where: { $0.name == settings.cityEndpoint }) {
            services.append(PollService(store: store, endpoint: city, every: every, clock: clock, desk: desk, logger: logger))
        }
        if let every = config.statusReportEvery {
            services.append(
                StatusReportService(
                    store: store, every: every, endpoints: endpoints.map(\.name), clock: clock,
                    deliveryWakeup: wakeup, logger: logger))
        }
        if let listen = config.metricsListen {
            let collector = MetricsCollector(store: store, endpoints: endpoints.map(\.name), now: { clock.now().timeIntervalSince1970 })
            services.append(MetricsServer(host: listen.host, port: listen.port, collector: collector, logger: logger))
        }
        if let interval = SystemdNotifier.watchdogInterval() {
            services.append(WatchdogService(interval: interval, store: store, notifier: notifier))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.notice("sokuhod stopped")
    }

    /// The configured endpoints with their secrets (secret_file, else systemd credentials),
    /// checked as a start checks them (also by `sokuhod --check-config`).
    ///
    /// - Parameters:
    ///   - owners: who else may own a secret file besides root and this process's user.
    ///   - skipping: endpoints left out (by name).
    public static func loadEndpoints(_ config: Configuration, owners: Set<UInt32> = [], skipping: Set<String> = []) throws -> [Endpoint] {
        try config.endpoints.filter { !skipping.contains($0.name) }.map { w in
            let file = w.secretFile ?? Endpoint.credentialFile(for: w.name)
            guard let file else { throw WebhookError.noSecret(endpoint: w.name) }
            return Endpoint(
                name: w.name, url: w.url ?? "", secrets: try Endpoint.loadSecrets(file: file, owners: owners), caFile: w.caFile,
                clientCertificate: w.clientCertificate, clientKey: w.clientKey, proxy: w.proxy,
                connectTimeout: w.connectTimeout, timeout: w.timeout)
        }
    }

    /// The playbooks of `playbooks.dir`, checked as a set and against the configured endpoints.
    static func loadPlaybooks(_ config: Configuration, endpoints: [String]) throws -> PlaybookSet {
        switch PlaybookLoader.loadDirectory(config.playbooksDir) {
        case .failure(let problems): throw DaemonError.playbooks(problems.description)
        case .success(let set):
            let known = Set(endpoints)
            for e in set.entries {
                for (i, s) in e.playbook.steps.enumerated() {
                    if case .notify(let name?)? = s.action, !known.contains(name) {
                        throw DaemonError.playbooks(
                            "\(e.file): steps[\(i)].action.endpoint: no endpoint is named \"\(name)\" (configured: \(endpoints.joined(separator: ", ")))"
                        )
                    }
                }
            }
            return set
        }
    }

    static func makeDirectory(_ path: String, mode: mode_t) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if !isDir.boolValue { throw DaemonError.notADirectory(path) }
            return
        }
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true,
                attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw DaemonError.cannotCreate(path, "\(error.localizedDescription)")
        }
    }
}

/// Errors of the daemon's wiring.
public enum DaemonError: Error, CustomStringConvertible {
    case notADirectory(String)
    case cannotCreate(String, String)
    /// The playbooks are broken; one line per problem.
    case playbooks(String)

    public var description: String {
        switch self {
        case .playbooks(let p): "playbooks refused:\n\(p)"
        case .notADirectory(let p): "\(p) exists but is not a directory"
        case .cannotCreate(let p, let reason): "cannot create directory \(p): \(reason)"
        }
    }
}
