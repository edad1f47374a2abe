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
/// `CityIntake` and answered with JSON. Bodies over 1 MiB are refused with 413 unread.
struct HookMiddleware<Context: RequestContext>: RouterMiddleware {
    let intake: CityIntake

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
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: max) } catch { return Self.json(413, tooLarge, close: true) }
        let (status, answer) = await intake.receive(
            id: request.headers[.webhookID] ?? "", timestamp: request.headers[.webhookTimestamp] ?? "",
            signature: request.headers[.webhookSignature] ?? "", body: Array(body.readableBytesView))
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
