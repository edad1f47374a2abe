import Foundation
import Logging
import ServiceLifecycle
import SokuhoCore
import SokuhoStore

/// Sends the handling-status report (Art. 16) to the city every `status_report.every`: the
/// cases reported in the period and those still open at its end, as a signed `status.report`
/// message. Periods follow each other without gaps — after a stop, the missed periods are sent
/// one by one; the first starts when the setting first takes effect; a period already sent is
/// never sent twice.
struct StatusReportService: Service {
    let store: CaseStore
    let every: Double
    let endpoints: [String]
    let clock: any WallClock
    let deliveryWakeup: Wakeup
    let logger: Logger

    func run() async throws {
        let wake = Wakeup()
        try await withGracefulShutdownHandler {
            var start =
                try await store.lastStatusReportEnd().flatMap(Timestamp.init(rfc3339:))?.epochSeconds
                ?? clock.now().timeIntervalSince1970
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let end = start + every
                let now = clock.now().timeIntervalSince1970
                if now < end {
                    await wake.wait(timeout: .milliseconds(Int(min(end - now, 3600) * 1000) + 1))
                    continue
                }
                let from = Timestamp.format(Date(timeIntervalSince1970: start))
                let to = Timestamp.format(Date(timeIntervalSince1970: end))
                do {
                    if let n = try await store.sendStatusReport(from: from, to: to, endpoints: endpoints, at: clock.now()) {
                        logger.notice("status report queued for the city", metadata: ["from": "\(from)", "to": "\(to)", "cases": "\(n)"])
                        deliveryWakeup.signal()
                    }
                    start = end
                } catch {
                    logger.error("status report not queued; trying again in a minute", metadata: ["error": "\(error)"])
                    await wake.wait(timeout: .seconds(60))
                }
            }
        } onGracefulShutdown: {
            wake.signal()
        }
    }
}
