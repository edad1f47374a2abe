import ServiceLifecycle
import SokuhoStore
import SokuhoSystemd

/// Sends `WATCHDOG=1` at half the watchdog interval, but only while the store answers.
struct WatchdogService: Service {
    let interval: Duration
    let store: SokuhoStore.CaseStore
    let notifier: SystemdNotifier

    func run() async throws {
        // The first ping comes one interval after start: READY=1 must be the first message.
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isShuttingDownGracefully || Task.isCancelled { return }
            if await store.ping() { notifier.watchdog() }
        }
    }
}
