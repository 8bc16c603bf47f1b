/// A browser tab that waits on maws's loopback server for its next page: the tab the sign-in ended
/// in (sent on to `path` after the redirect), or one maws opened for the picker alone.
///
/// It serves the role picker (`WebRolePage`) at `path` and takes the choice back as a form posted
/// there with this tab's token. The token is random for each tab and is only ever in the page, so a
/// page of another origin cannot post a choice; the `Host` header must name the loopback address,
/// so a web page that points its own host name at 127.0.0.1 (DNS rebinding) cannot read the token;
/// and, as for every loopback request, only the person's own processes are answered.
package final class BrowserTab: @unchecked Sendable {
    package static let path = "/pick"

    private let server: LoopbackHTTPServer
    private let token: String
    /// The one-time address a browser opened for the picker alone was given, redirecting here.
    private var start: OneTimeRedirect?

    package init(server: LoopbackHTTPServer) throws(CryptoError) {
        self.server = server
        self.token = try SecureRandom.token()
    }

    /// A tab for the picker alone, on a new loopback server: the address to open it at (a one-time
    /// address, as the browser's argument list is readable by every local user).
    package static func opening() throws -> (tab: BrowserTab, url: String) {
        let tab = try BrowserTab(server: LoopbackHTTPServer(ports: [0]))
        let start = try OneTimeRedirect(to: path)
        tab.start = start
        return (tab, start.url(port: tab.server.port))
    }

    /// Serves the picker until a role is chosen, then assumes it with `assume` and answers the
    /// choice with what happened. Throws what `assume` throws, `.cancelled` for the page's Cancel
    /// button, and a timeout after `timeout`.
    package func pick<Outcome>(
        _ menu: RoleMenu, timeout: Duration, assume: (RoleARN) throws -> Outcome, describe: (Outcome) -> String
    ) throws -> Outcome {
        let picker = WebRolePage.picker(menu, token: token, action: Self.path)
        let result: Result<Outcome, any Error> = try serve(timeout: timeout) { request in
            switch (request.method, String(request.path)) {
            case ("GET", Self.path):
                return (Self.page(picker), nil)
            case ("POST", Self.path):
                guard let form = Self.form(request), let sent = form["token"], LoopbackHTTPServer.constantTimeEquals(sent, token) else {
                    return (Self.page(WebRolePage.outcome(title: "Not this sign-in", message: Self.stale), status: "403 Forbidden"), nil)
                }
                if form["action"] == "cancel" {
                    return (
                        Self.page(WebRolePage.outcome(title: "Cancelled", message: "No role was assumed.")), .failure(RolesError.cancelled)
                    )
                }
                guard let chosen = form["role"], let role = menu.items.first(where: { $0.role.description == chosen })?.role else {
                    return (Self.page(picker, status: "400 Bad Request"), nil)
                }
                do {
                    let outcome = try assume(role)
                    return (Self.page(WebRolePage.outcome(title: "Role assumed", message: describe(outcome))), .success(outcome))
                } catch {
                    return (Self.failurePage(error), .failure(error))
                }
            default:
                return (Self.notFound, nil)
            }
        }
        return try result.get()
    }

    /// Answers the tab's next request for `path` with a last page: `title` and `message`. Waits at
    /// most `patience`: a tab that never asks (closed by the person) must not hold maws up.
    package func finish(title: String, message: String, patience: Duration = .seconds(5)) {
        finish(with: Self.page(WebRolePage.outcome(title: title, message: message)), patience: patience)
    }

    /// Answers the tab's next request with what went wrong.
    package func finish(failure: any Error) {
        finish(with: Self.failurePage(failure), patience: .seconds(5))
    }

    private func finish(with answer: LoopbackHTTPServer.Response, patience: Duration) {
        _ = try? serve(timeout: patience) { request in
            request.path == Self.path ? (answer, true) : (Self.notFound, nil)
        }
    }

    // MARK: Serving

    private func serve<Value>(
        timeout: Duration, handle: (LoopbackHTTPServer.Request) -> (LoopbackHTTPServer.Response, Value?)
    ) throws(LoopbackServerError) -> Value {
        try server.serve(timeout: timeout) { request in
            if let answer = start?.answer(request) { return (answer, nil) }
            guard Self.isLoopbackHost(request.headers["host"], port: server.port) else {
                return (Self.misdirected, nil)
            }
            return handle(request)
        }
    }

    /// Whether `host` (the request's `Host` header) names this server on a loopback address.
    static func isLoopbackHost(_ host: String?, port: UInt16) -> Bool {
        guard let host else { return false }
        return ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)"].contains(host.lowercased())
    }

    /// The fields of a form the page posted; nil for any other body.
    private static func form(_ request: LoopbackHTTPServer.Request) -> [String: String]? {
        guard request.headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true,
            let fields = FormEncoding.decode(Substring(String(decoding: request.body, as: UTF8.self)))
        else { return nil }
        return Dictionary(fields, uniquingKeysWith: { first, _ in first })
    }

    private static let stale = "This page does not belong to the sign-in maws is waiting for. Start again from the terminal."

    private static func page(_ html: String, status: String = "200 OK") -> LoopbackHTTPServer.Response {
        .init(
            status: status, contentType: "text/html; charset=utf-8", body: Array(html.utf8),
            contentSecurityPolicy: WebRolePage.contentSecurityPolicy)
    }

    private static func failurePage(_ error: any Error) -> LoopbackHTTPServer.Response {
        page(WebRolePage.outcome(title: "maws could not get credentials", message: "\(error)"))
    }

    private static let notFound = LoopbackHTTPServer.Response(
        status: "404 Not Found", contentType: "text/plain; charset=utf-8", body: Array("Not found.\n".utf8))

    private static let misdirected = LoopbackHTTPServer.Response(
        status: "421 Misdirected Request", contentType: "text/plain; charset=utf-8",
        body: Array("maws answers only requests for its loopback address.\n".utf8))
}
