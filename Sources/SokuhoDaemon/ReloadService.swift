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

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        var current = daemon.configuration
        for await _ in signals.cancelOnGracefulShutdown() {
            guard let file = daemon.configFile else {
                daemon.logger.notice("SIGHUP: running on the embedded default; nothing to reload")
                continue
            }
            notifier.reloading()
            do {
                let next = try Configuration.load(file: file)
                let diff = current.reloadable(from: next)
                if diff.changed.contains("roles") { desk.replacePolicy(next.roles) }
                current.roles = next.roles
                daemon.logger.notice("configuration reloaded", metadata: [
                    "file": "\(file)", "changed": "\(diff.changed.joined(separator: ","))",
                ])
                if !diff.needsRestart.isEmpty {
                    daemon.logger.warning("changed settings take effect only after a restart",
                                          metadata: ["settings": "\(diff.needsRestart.joined(separator: ","))"])
                }
                notifier.reloaded(status: "serving; configuration reloaded")
            } catch {
                daemon.logger.error("configuration NOT reloaded; the previous one stays active", metadata: ["error": "\(error)"])
                notifier.reloaded(status: "serving; reload refused: \(error)")
            }
        }
    }
}
