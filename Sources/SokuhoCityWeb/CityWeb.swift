import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import SokuhoCity
import SokuhoCore

/// The city's one HTTP listener (Hummingbird): the contractors' webhooks (`HookMiddleware`,
/// through `CityIntake`) and the staff's inbox.
///
/// Contract of the inbox:
/// - every page but `/login` and `/style.css` needs a session (`sokuho_city_session` cookie,
///   `HttpOnly; SameSite=Strict; Path=/`, `Secure` when `secureCookies`); without one a GET is
///   sent to `/login` (303) and a POST is refused with 403;
/// - every POST carries the session's CSRF token (`csrf` form field) or is refused with 403 and
///   changes nothing; the login form's token is a double-submit cookie (`sokuho_city_login`);
/// - a wrong name or password is answered 401 and opens no session; passwords are checked
///   one at a time (bcrypt on one serial queue), as slowly for unknown names; `LoginGate`
///   bounds how many wait, per user and for names that are not users;
/// - a form that changes something answers 303 back to the case page;
/// - every response carries `PageHeaders`; every text from the store is escaped (`InboxPage`).
public struct CityWeb: Sendable {
    public let intake: CityIntake
    public let users: InboxUserFile
    public let secureCookies: Bool
    public let sessions = InboxSessions()
    let loginGate = LoginGate()
    let bodyBudget = BodyBudget()
    let connectionGuard = ConnectionGuard()
    let log: @Sendable (String) -> Void

    static let sessionCookie = "sokuho_city_session"
    static let loginCookie = "sokuho_city_login"
    /// An instruction of 10,000 characters percent-encoded takes up to 90 KB (9 bytes for each
    /// character outside ASCII).
    static let formLimit = 128 * 1024
    static let bcryptQueue = DispatchQueue(label: "sokuho-city.bcrypt")

    public init(intake: CityIntake, users: InboxUserFile, secureCookies: Bool, log: @escaping @Sendable (String) -> Void) {
        (self.intake, self.users, self.secureCookies, self.log) = (intake, users, secureCookies, log)
    }

    /// The application listening on `host:port`; `onListening` gets the bound port.
    public func application(host: String, port: Int, onListening: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router(context: CityRequestContext.self)
        router.add(middleware: HookMiddleware(intake: intake, budget: bodyBudget))
        router.add(middleware: PageHeaders())
        router.get("/style.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: InboxStyle.css)))
        }
        router.get("/login") { request, _ in try await self.loginForm(request) }
        router.post("/login") { request, _ in try await self.login(request) }
        router.post("/logout") { request, _ in try await self.logout(request) }
        router.get("/") { request, _ in try await self.list(request) }
        router.get("/case/:contractor/:case") { request, context in
            try await self.casePage(
                request, contractor: context.parameters.get("contractor") ?? "", caseID: context.parameters.get("case") ?? "")
        }
        router.post("/case/:contractor/:case/instruct") { request, context in
            try await self.instruct(
                request, contractor: context.parameters.get("contractor") ?? "", caseID: context.parameters.get("case") ?? "")
        }
        router.post("/case/:contractor/:case/publish") { request, context in
            try await self.publish(
                request, contractor: context.parameters.get("contractor") ?? "", caseID: context.parameters.get("case") ?? "")
        }
        var logger = Logger(label: "sokuho-city")
        logger.logLevel = .warning
        return Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [connectionGuard.handler()], idleTimeout: .seconds(30))),
            // The guard keeps 512 connections at most by closing silent ones; this is the hard
            // ceiling of descriptors should they not close fast enough (LimitNOFILE=4096).
            configuration: .init(
                address: .hostname(host, port: port), serverName: nil, availableConnectionsDelegate: MaximumAvailableConnections(1024)),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    // MARK: Helpers

    /// `?lang=ja|en`, else the first language of Accept-Language.
    func page(_ request: Request, session: InboxSessions.Session? = nil) -> InboxPage {
        switch request.uri.queryParameters.get("lang") {
        case "ja": return InboxPage(japanese: true, chosen: true, user: session?.user, csrf: session?.csrf)
        case "en": return InboxPage(japanese: false, chosen: true, user: session?.user, csrf: session?.csrf)
        default:
            let first = (request.headers[.acceptLanguage] ?? "").split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
            return InboxPage(japanese: first?.lowercased().hasPrefix("ja") == true, chosen: false, user: session?.user, csrf: session?.csrf)
        }
    }

    func html(_ s: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    func redirect(_ location: String) -> Response { Response(status: .seeOther, headers: [.location: location]) }

    func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int? = nil) -> String {
        var c = "\(name)=\(value); HttpOnly; SameSite=Strict; Path=\(path)"
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        if secureCookies { c += "; Secure" }
        return c
    }

    func session(_ request: Request) async -> (id: String, session: InboxSessions.Session)? {
        guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty, let s = await sessions.session(id: id) else { return nil }
        // A user removed from the users file (or a file made unsafe) ends the session here.
        guard users.current().hashes[s.user] != nil else {
            await sessions.end(id: id)
            log("sokuho-city: inbox: ended a session of \(s.user): no longer in the users file")
            return nil
        }
        return (id, s)
    }

    /// The form's fields; a form over `formLimit` is answered 413.
    func form(_ request: Request) async throws -> InboxForm {
        do {
            return InboxForm(Array(try await request.body.collect(upTo: Self.formLimit).readableBytesView))
        } catch {
            throw HTTPError(.contentTooLarge, message: "The form is larger than \(Self.formLimit / 1024) KiB.")
        }
    }

    func forbidden(_ request: Request) -> Response {
        let p = page(request)
        return html(
            p.message(
                title: p.t("Refused", "拒否しました"),
                text: p.t(
                    "This form was not sent from a page of this inbox in your session (missing or wrong CSRF token). Nothing was changed.",
                    "このフォームは、このセッションの受信箱のページから送信されていません（CSRF トークンがないか違います）。何も変更していません。")),
            status: .forbidden)
    }

    /// The session and the form of a POST whose CSRF token is the session's; nil: refuse with 403.
    func checkedPost(_ request: Request) async throws -> (InboxSessions.Session, InboxForm)? {
        guard let (_, s) = await session(request) else { return nil }
        let f = try await form(request)
        guard let token = f["csrf"], InboxSessions.sameToken(token, s.csrf) else { return nil }
        return (s, f)
    }

    // MARK: Login and logout

    func loginForm(_ request: Request, failed: Bool = false) async throws -> Response {
        if !failed, await session(request) != nil { return redirect("/" + page(request).langQuery) }
        let token =
            request.cookies[Self.loginCookie].map { InboxSessions.isToken($0.value) } == true && failed
            ? request.cookies[Self.loginCookie]!.value : InboxSessions.randomToken()
        var r = html(page(request).login(token: token, failed: failed), status: failed ? .unauthorized : .ok)
        r.headers.append(HTTPField(name: .setCookie, value: cookie(Self.loginCookie, token, path: "/login", maxAge: 3600)))
        return r
    }

    func login(_ request: Request) async throws -> Response {
        let f = try await form(request)
        guard let cookieToken = request.cookies[Self.loginCookie]?.value, let token = f["csrf"], InboxSessions.sameToken(token, cookieToken)
        else { return forbidden(request) }
        let name = f["name"] ?? ""
        let password = f["password"] ?? ""
        let users = self.users.current()
        let isUser = users.hashes[name] != nil
        let ok: Bool
        switch loginGate.enter(name: name, isUser: isUser) {
        case .busy:
            if loginGate.countRefusal() {
                log("sokuho-city: inbox: logins refused (503): too many at once for one user (logged once per 1,000)")
            }
            let p = page(request)
            var r = html(
                p.message(
                    title: p.t("Busy", "混雑しています"),
                    text: p.t("Too many logins at once. Try again in a few seconds.", "ログインが集中しています。数秒後にもう一度お試しください。")),
                status: .serviceUnavailable)
            r.headers[.retryAfter] = "5"
            return r
        case .refuse:
            // Not a user, during a flood of such names: a wrong password, without a check or a log line.
            _ = loginGate.countRefusal()
            return try await loginForm(request, failed: true)
        case .check:
            ok = await withCheckedContinuation { c in
                Self.bcryptQueue.async { c.resume(returning: users.verify(name: name, password: password)) }
            }
            loginGate.leave(name: name, isUser: isUser)
        }
        guard ok else {
            log("sokuho-city: inbox: failed login as \"\(TerminalSafe.quoted(name))\"")
            return try await loginForm(request, failed: true)
        }
        let id = await sessions.open(user: name)
        log("sokuho-city: inbox: \(name) logged in")
        var r = redirect("/" + page(request).langQuery)
        r.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, id)))
        r.headers.append(HTTPField(name: .setCookie, value: cookie(Self.loginCookie, "", path: "/login", maxAge: 0)))
        return r
    }

    func logout(_ request: Request) async throws -> Response {
        guard let (s, _) = try await checkedPost(request), let id = request.cookies[Self.sessionCookie]?.value else {
            return forbidden(request)
        }
        await sessions.end(id: id)
        log("sokuho-city: inbox: \(s.user) logged out")
        var r = redirect("/login" + page(request).langQuery)
        r.headers.append(HTTPField(name: .setCookie, value: cookie(Self.sessionCookie, "", maxAge: 0)))
        return r
    }

    // MARK: Pages

    func list(_ request: Request) async throws -> Response {
        guard let (_, s) = await session(request) else { return redirect("/login" + page(request).langQuery) }
        let q = request.uri.queryParameters
        let names = intake.contractors.map(\.name)
        let contractor = q.get("contractor").flatMap { names.contains($0) ? $0 : nil }
        let state = q.get("state").flatMap { ["open", "contained", "resolved", "closed"].contains($0) ? $0 : nil }
        let requested = q.get("page").flatMap { Int($0) }.map { min(max($0, 1), 1_000_000) } ?? 1
        var filter = InboxPage.Filter(contractor: contractor, state: state, attention: q.get("attention") == "1", page: requested)
        let store = intake.store
        let size = InboxPage.pageSize
        var rows: [CityStore.CaseRow]
        let total: Int
        do {
            if filter.attention {
                // "Needs attention" is decided per case from its facts: among the 10,000 newest.
                let all = try await store.cases(contractor: contractor, state: state, limit: 10_000, summary: true)
                    .filter(InboxPage.needsAttention)
                total = all.count
                filter.page = min(filter.page, max(1, (total + size - 1) / size))
                rows = Array(all.dropFirst((filter.page - 1) * size).prefix(size))
            } else {
                total = try await store.caseCount(contractor: contractor, state: state)
                filter.page = min(filter.page, max(1, (total + size - 1) / size))
                rows = try await store.cases(
                    contractor: contractor, state: state, limit: size, offset: (filter.page - 1) * size, summary: true)
            }
        } catch {
            log("sokuho-city: inbox: \(error)")
            throw HTTPError(.internalServerError, message: "cannot read the store")
        }
        return html(page(request, session: s).list(rows: rows, contractors: names, filter: filter, total: total))
    }

    func casePage(_ request: Request, contractor: String, caseID: String, notice: String? = nil) async throws -> Response {
        guard let (_, s) = await session(request) else { return redirect("/login" + page(request).langQuery) }
        return try await caseResponse(request, session: s, contractor: contractor, caseID: caseID, notice: notice)
    }

    func caseResponse(_ request: Request, session s: InboxSessions.Session, contractor: String, caseID: String, notice: String?)
        async throws
        -> Response
    {
        let p = page(request, session: s)
        do {
            let d = try await intake.store.caseDetail(contractor: contractor, caseID: caseID)
            return html(p.casePage(d, notice: notice), status: notice == nil ? .ok : .unprocessableContent)
        } catch {
            if case .notFound = error {
                return html(p.message(title: p.t("No such case", "事案が見つかりません"), text: "\(contractor) \(caseID)"), status: .notFound)
            }
            log("sokuho-city: inbox: \(error)")
            throw HTTPError(.internalServerError, message: "cannot read the store")
        }
    }

    func back(_ request: Request, contractor: String, caseID: String) -> Response {
        redirect(InboxPage.casePath(contractor: contractor, caseID: caseID) + page(request).langQuery)
    }

    // MARK: Forms

    func instruct(_ request: Request, contractor: String, caseID: String) async throws -> Response {
        guard let (s, f) = try await checkedPost(request) else { return forbidden(request) }
        let p = page(request, session: s)
        guard let text = f.text("text"), text.count <= 10_000 else {
            return try await caseResponse(
                request, session: s, contractor: contractor, caseID: caseID,
                notice: p.t("The instruction must hold 1 to 10,000 characters.", "指示内容は 1〜10,000 文字で入力してください。"))
        }
        let from = f.text("from").map { String($0.prefix(200)) }
        do {
            let id = try await intake.store.instruct(
                contractor: contractor, caseID: caseID, text: text, from: from, by: s.user, at: Timestamp.format(Date()))
            log("sokuho-city: inbox: \(s.user) issued instruction \(id) for \(contractor) \(caseID)")
        } catch {
            return try await caseResponse(request, session: s, contractor: contractor, caseID: caseID, notice: error.description)
        }
        return back(request, contractor: contractor, caseID: caseID)
    }

    func publish(_ request: Request, contractor: String, caseID: String) async throws -> Response {
        guard let (s, f) = try await checkedPost(request) else { return forbidden(request) }
        let p = page(request, session: s)
        var o: [String: JSONValue] = [:]
        for k in ["decision", "date", "url", "note"] { if let v = f.text(k) { o[k] = .string(v) } }
        let decision: PublicationDecision
        do { decision = try Publication.request(o) } catch {
            return try await caseResponse(
                request, session: s, contractor: contractor, caseID: caseID, notice: p.t(error.message, error.messageJa))
        }
        do {
            let published = try await intake.store.publish(
                contractor: contractor, caseID: caseID, decision: decision, by: s.user, at: Timestamp.format(Date()))
            log("sokuho-city: inbox: \(s.user) recorded publication decision \(published.id) for \(contractor) \(caseID)")
        } catch {
            return try await caseResponse(request, session: s, contractor: contractor, caseID: caseID, notice: error.description)
        }
        return back(request, contractor: contractor, caseID: caseID)
    }
}
