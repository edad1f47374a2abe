import Logging
import ServiceLifecycle
import SokuhoConfig
import SokuhoSystemd
import UnixSignals

/// Re-reads the configuration on SIGHUP. A broken file is refused with its error and the running
/// configuration stays; settings that need a restart are named in the log.
struct ReloadService: Service {
    let daemon: Daemon
    let desk: CaseDesk
    let notifier: SystemdNotifier
    /// Trapped before the socket listens: a SIGHUP that comes as soon as the daemon answers is
    /// a reload, never the default action (the end of the process).
    let signals: UnixSignalsSequence

    func run() async throws {
        var current = daemon.configuration
        for await _ in signals.cancelOnGracefulShutdown() {
            notifier.reloading()
            let playbooks = reloadPlaybooks(current)
            guard let file = daemon.configFile else {
                daemon.logger.notice("SIGHUP: running on the embedded default; only the playbooks are reloaded")
                notifier.reloaded(status: "serving; \(playbooks)")
                continue
            }
            do {
                let next = try Configuration.load(file: file)
                let diff = current.reloadable(from: next)
                if diff.changed.contains("roles") { desk.replacePolicy(next.roles) }
                current.roles = next.roles
                daemon.logger.notice(
                    "configuration reloaded",
                    metadata: [
                        "file": "\(file)", "changed": "\(diff.changed.joined(separator: ","))",
                    ])
                if !diff.needsRestart.isEmpty {
                    daemon.logger.warning(
                        "changed settings take effect only after a restart",
                        metadata: ["settings": "\(diff.needsRestart.joined(separator: ","))"])
                }
                notifier.reloaded(status: "serving; configuration reloaded; \(playbooks)")
            } catch {
                daemon.logger.error("configuration NOT reloaded; the previous one stays active", metadata: ["error": "\(error)"])
                notifier.reloaded(status: "serving; reload refused: \(error)")
            }
        }
    }

    /// Re-reads `playbooks.dir`. A broken set is refused with every problem in the log, and the
    /// previous set stays in force. Running cases keep their own version either way.
    func reloadPlaybooks(_ config: Configuration) -> String {
        do {
            let set = try Daemon.loadPlaybooks(config, endpoints: config.endpoints.map(\.name))
            desk.replacePlaybooks(set)
            daemon.logger.notice(
                "playbooks reloaded",
                metadata: [
                    "dir": "\(config.playbooksDir)",
                    "playbooks": "\(set.entries.map { "\($0.playbook.id)@\($0.playbook.hash.prefix(12))" }.joined(separator: ","))",
                ])
            return "playbooks reloaded"
        } catch {
            daemon.logger.error("playbooks NOT reloaded; the previous set stays in force", metadata: ["error": "\(error)"])
            return "playbooks refused"
        }
    }
}
