import HTTPTypes
import Hummingbird
import NIOCore

/// The headers every inbox response carries: a CSP that allows nothing but the inbox's own
/// stylesheet and images and its own forms (no script at all, no framing), no MIME sniffing,
/// no referrer, no caching. Errors thrown by a route (404 for an unknown path, 413 for a body
/// too large…) are answered here as a short text with the same headers.
struct PageHeaders<Context: RequestContext>: RouterMiddleware {
    static var csp: String { "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as HTTPError {
            response = Self.text(e.status, e.body ?? e.status.reasonPhrase)
        } catch {
            response = Self.text(.internalServerError, "internal error")
        }
        response.headers[.contentSecurityPolicy] = Self.csp
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func text(_ status: HTTPResponse.Status, _ s: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: s + "\n")))
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
}
