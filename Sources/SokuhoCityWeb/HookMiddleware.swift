import HTTPTypes
import Hummingbird
import NIOCore
import SokuhoCity
import SokuhoCore

extension HTTPField.Name {
    static let webhookID = Self("webhook-id")!
    static let webhookTimestamp = Self("webhook-timestamp")!
    static let webhookSignature = Self("webhook-signature")!
}

/// The contractors' webhooks on the inbox's listener: `POST /hook`, and a POST to any other
/// path that carries `webhook-*` headers (contractors configured with another path keep
/// working). Such a request never reaches the inbox's routes: it is verified and stored by
/// `CityIntake` and answered with JSON. Before its body is read, a request is refused unread
/// when its headers cannot verify (401), when it declares a body over 1 MiB (413), or when the
/// bodies being read already hold the `BodyBudget` and all arrive fast (503, `Retry-After`).
struct HookMiddleware: RouterMiddleware {
    typealias Context = CityRequestContext
    let intake: CityIntake
    let budget: BodyBudget

    static func isHook(_ request: Request) -> Bool {
        request.uri.path == "/hook" || request.headers[.webhookID] != nil || request.headers[.webhookTimestamp] != nil
            || request.headers[.webhookSignature] != nil
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isHook(request) else { return try await next(request, context) }
        guard request.method == .post else { return Self.json(405, ["ok": false, "error": "POST only"]) }
        let max = CityIntake.maxBodyBytes
        let tooLarge: JSONValue = ["ok": false, "error": .string("body over \(max) bytes")]
        if let declared = request.headers[.contentLength], Int(declared).map({ $0 > max }) ?? true {
            return Self.json(413, tooLarge, close: true)
        }
        let (id, ts, sig) = (
            request.headers[.webhookID] ?? "", request.headers[.webhookTimestamp] ?? "", request.headers[.webhookSignature] ?? ""
        )
        if let (status, answer) = intake.refusalBeforeBody(id: id, timestamp: ts, signature: sig) {
            return Self.json(status, answer, close: true)
        }
        let size = request.headers[.contentLength].flatMap { Int($0) } ?? max
        guard let ticket = budget.reserve(size, channel: context.channel) else {
            var r = Self.json(503, ["ok": false, "error": "busy: too many bodies being received; retry"], close: true)
            r.headers[.retryAfter] = "2"
            return r
        }
        defer { budget.release(ticket) }
        var body = ByteBuffer()
        do {
            for try await chunk in request.body {
                guard body.readableBytes + chunk.readableBytes <= max else { return Self.json(413, tooLarge, close: true) }
                body.writeImmutableBuffer(chunk)
                budget.progress(ticket, received: body.readableBytes)
            }
        } catch {
            // Cut off (too slow while others waited), or the client went away.
            return Self.json(400, ["ok": false, "error": "the body did not arrive"], close: true)
        }
        let (status, answer) = await intake.receive(id: id, timestamp: ts, signature: sig, body: Array(body.readableBytesView))
        return Self.json(status, answer)
    }

    static func json(_ status: Int, _ answer: JSONValue, close: Bool = false) -> Response {
        var bytes = answer.canonicalBytes
        bytes.append(0x0A)
        var headers: HTTPFields = [.contentType: "application/json"]
        if close { headers[.connection] = "close" }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
