import ServiceLifecycle
import SokuhoSystemd

/// Tells systemd `STOPPING=1` as soon as a graceful shutdown begins.
struct StoppingNotifierService: Service {
    let notifier: SystemdNotifier

    func run() async throws {
        try? await gracefulShutdown()
        notifier.stopping(status: "stopping: finishing requests in progress")
    }
}
