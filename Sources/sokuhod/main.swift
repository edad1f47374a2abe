import ArgumentParser
import Foundation
import Logging
import SokuhoConfig
import SokuhoControl
import SokuhoCore
import SokuhoDaemon
import SokuhoStore
import SokuhoSystemd
import SokuhoWebhook

/// sokuhod: the Sokuho daemon. Only wiring: parse arguments, load the configuration, run.
@main
struct Sokuhod: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sokuhod",
        abstract: "Sokuho incident report daemon (速報): opens Article 18 cases from a local socket.",
        discussion: """
            Runs in the foreground and logs to standard error (journald under systemd). \
            Without --config it runs on the embedded default: state, socket and spool under \
            ./.sokuho-dev in the working directory, every local user may report.

            Signals: SIGTERM/SIGINT finish the requests in progress and exit; SIGHUP re-reads \
            the configuration (roles); a broken file is refused and the running one stays.

            Exit status: 0 clean stop; 69 another sokuhod listens on the socket; 73 the state \
            directory or database cannot be created; 74 the database is damaged or unreadable; \
            78 the configuration is invalid.
            """,
        version: SokuhoVersion.current)

    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", valueName: "FILE"))
    var config: String?

    @Flag(name: .long, help: "Check the configuration, print the resolved settings and exit.")
    var checkConfig = false

    func run() async throws {
        // Before the daemon's threads start: each would otherwise get a malloc arena of its own.
        ProcessMemory.limitArenas()
        let configuration: Configuration
        do {
            configuration = try config.map { try Configuration.load(file: $0) } ?? Configuration.embeddedDefault()
        } catch {
            FileHandle.standardError.write(Data("sokuhod: configuration refused: \(error)\n".utf8))
            throw ExitCode(78)
        }
        if config == nil, let secretFile = configuration.cityWebhook.secretFile {
            // The embedded default's local city needs a secret: create one on first run.
            do { try DevSecret.ensure(at: secretFile, directory: configuration.stateDir) } catch {
                FileHandle.standardError.write(Data("sokuhod: cannot create \(secretFile): \(error)\n".utf8))
                throw ExitCode(73)
            }
        }
        if checkConfig {
            print("configuration OK: \(configuration.source)")
            print("  state_dir:      \(configuration.stateDir)")
            print("  database:       \(configuration.databasePath)")
            print(
                "  socket.path:    \(configuration.socket.path) (mode \(String(configuration.socket.mode, radix: 8)), group \(configuration.socket.group ?? "-"))"
            )
            print(
                "  spool.dir:      \(configuration.spoolDir) (files up to \(configuration.spoolMaxFileSize) bytes, full scan every \(configuration.spoolScanInterval) s)"
            )
            print("  playbooks.dir:  \(configuration.playbooksDir)")
            switch PlaybookLoader.loadDirectory(configuration.playbooksDir) {
            case .success(let set):
                for e in set.entries {
                    print(
                        "    \(e.playbook.id): \(e.playbook.kinds.map(\.rawValue).joined(separator: ","))\(e.playbook.when.map { " when " + $0.source } ?? ""), \(e.playbook.steps.count) steps (\((e.file as NSString).lastPathComponent))"
                    )
                }
                if !set.uncoveredKinds.isEmpty {
                    print("    (no playbook for: \(set.uncoveredKinds.map(\.rawValue).joined(separator: ", ")))")
                }
            case .failure(let problems):
                FileHandle.standardError.write(Data("sokuhod: playbooks refused:\n\(problems)\n".utf8))
                throw ExitCode(78)
            }
            let k = configuration.clocks
            print(
                "  clocks:         first report \(Int(k.firstReport))s, preliminary \(Int(k.preliminary / 3600))h, confirmed \(Int(k.confirmed / 86400))d (\(Int(k.confirmedMalicious / 86400))d malicious), GDPR \(k.gdpr.map { "\(Int($0 / 3600))h" } ?? "off"), persons threshold \(k.personsThreshold)"
            )
            print("  city.webhook:   \(configuration.cityWebhook.url.map(LogText.redactingUserinfo) ?? "(none)")")
            for e in configuration.extraEndpoints { print("  endpoint \(e.name): \(LogText.redactingUserinfo(e.url ?? ""))") }
            // The secrets are checked as a start checks them: a file others may read is refused
            // here too, not only at the next restart. The daemon's user (the owner of state_dir,
            // when it exists) may own them; secrets from systemd credentials exist only in the
            // service's own environment and are checked when it starts.
            var stateOwner = stat()
            let owners: Set<UInt32> = stat(configuration.stateDir, &stateOwner) == 0 ? [stateOwner.st_uid] : []
            let fromCredentials = configuration.endpoints.filter { $0.secretFile == nil && Endpoint.credentialFile(for: $0.name) == nil }
            for e in fromCredentials {
                print("  secret \(e.name):   from systemd credentials (sokuho-\(e.name).secret), checked when the service starts")
            }
            do {
                for e in try Daemon.loadEndpoints(configuration, owners: owners, skipping: Set(fromCredentials.map(\.name))) {
                    print("  secret \(e.name):   \(e.secrets.count) key(s), file mode and owner OK")
                }
            } catch {
                FileHandle.standardError.write(Data("sokuhod: configuration refused: \(error)\n".utf8))
                throw ExitCode(78)
            }
            return
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "sokuhod")
        logger.info("starting sokuhod \(SokuhoVersion.current)", metadata: ["config": "\(configuration.source)"])
        do {
            try await Daemon(configuration: configuration, configFile: config, logger: logger).run()
        } catch let e as ControlError {
            logger.critical("cannot start: \(e)")
            if case .alreadyRunning = e { throw ExitCode(69) }
            throw ExitCode(73)
        } catch let e as StoreError {
            logger.critical("cannot start: \(e)")
            if case .corrupt = e { throw ExitCode(74) }
            throw ExitCode(73)
        } catch let e as WebhookError {
            logger.critical("cannot start: \(e)")
            throw ExitCode(78)
        } catch let e as DaemonError {
            logger.critical("cannot start: \(e)")
            if case .playbooks = e { throw ExitCode(78) }
            throw ExitCode(73)
        }
    }
}

/// Creates the embedded default's webhook secret (mode 0600) when it does not exist yet.
enum DevSecret {
    static func ensure(at path: String, directory: String) throws {
        if FileManager.default.fileExists(atPath: path) { return }
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        var bytes = [UInt8](repeating: 0, count: 32)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let text = "whsec_" + Data(bytes).base64EncodedString() + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }
}
