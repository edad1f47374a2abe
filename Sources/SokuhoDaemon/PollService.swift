import Foundation
import Logging
import ServiceLifecycle
import SokuhoCore
import SokuhoStore
import SokuhoWebhook

/// Asks the city every `city.poll_every` for what it has for this contractor: a signed
/// `instructions.poll` message (not queued in the outbox: it carries nothing to keep) with the
/// open cases and the city's instructions and decisions already recorded on them. The city's
/// answer is taken like any answer (`CaseDesk.takeAnswer`), so instructions and publication
/// decisions arrive within one interval even when no case changes. A failed poll is logged and
/// the next one comes on time.
struct PollService: Service {
    let store: CaseStore
    let endpoint: Endpoint
    let every: Double
    let clock: any WallClock
    let desk: CaseDesk
    let logger: Logger

    /// The message type (docs/city.md).
    static let type = "instructions.poll"

    func run() async throws {
        let wake = Wakeup()
        try await withGracefulShutdownHandler {
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                await wake.wait(timeout: .milliseconds(Int(every * 1000)))
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                await poll()
            }
        } onGracefulShutdown: {
            wake.signal()
        }
    }

    func poll() async {
        do {
            let installation = try await store.installation()
            let recorded = try await store.cityRecorded()
            let now = clock.now()
            let payload: JSONValue = [
                "type": .string(Self.type), "timestamp": .string(Timestamp.format(now)),
                "data": [
                    "installation": .string(installation), "open_cases": .array(recorded.openCases.map { .string($0) }),
                    "recorded": [
                        "instructions": .array(recorded.instructions.map { .string($0) }),
                        "publications": .array(recorded.publications.map { .string($0) }),
                    ],
                ],
            ]
            let body = payload.canonicalBytes
            let seconds = Int64(now.timeIntervalSince1970)
            let id = "poll_\(installation)_\(seconds)_\(Int64(now.timeIntervalSince1970 * 1000) % 1000)"
            let headers = endpoint.signedHeaders(messageID: id, timestamp: seconds, body: body)
            let target = endpoint
            let result = await Blocking.run { HTTPPoster.post(to: target, headers: headers, body: body) }
            guard let status = result.status, (200..<300).contains(status) else {
                logger.warning(
                    "poll of the city failed; next one on time",
                    metadata: ["status": "\(result.status.map(String.init) ?? "-")", "error": "\(result.error ?? "")"])
                return
            }
            await desk.takeAnswer(result.body, answering: "", endpoint: endpoint.name)
        } catch {
            logger.warning("poll of the city not sent", metadata: ["error": "\(error)"])
        }
    }
}
