/// The redirect target of the sign-in (RFC 8252 §7.3), on the loopback addresses only (127.0.0.1
/// and [::1], since browsers try [::1] first for `localhost`).
///
/// It serves exactly one useful request, `GET /redirect_uri` carrying this sign-in's `state`, and
/// the one-time address the browser was started with. Anything else (favicon fetches, a stale
/// tab, a request with someone else's state) gets a 404 or 400 and the wait goes on.
package final class LoopbackListener: @unchecked Sendable {  // used by one thread at a time
    /// The ports registered with the IdP application, tried in order (README, "Setting up your
    /// organisation": one callback URL each).
    package static let registeredPorts: [UInt16] = [10800, 10801, 20800, 20801, 30800, 30801, 40800, 40801, 50800, 50801, 60800, 60801]
    package static let redirectPath = "/redirect_uri"

    /// The server, which goes on serving the tab after the redirect (`BrowserTab`).
    package let server: LoopbackHTTPServer
    package var port: UInt16 { server.port }
    package var addresses: String { server.addresses }
    package var redirectURI: String { "http://localhost:\(port)\(Self.redirectPath)" }

    /// Binds the first port of `ports` free on both loopback addresses.
    package init(ports: [UInt16] = LoopbackListener.registeredPorts) throws(OIDCError) {
        do {
            server = try LoopbackHTTPServer(ports: ports)
        } catch {
            throw Self.oidcError(error)
        }
    }

    /// Serves requests until one carries `state` with a code or an error, or `timeout` passes.
    /// With `pasted`, a redirect URL pasted on the terminal counts the same as one that arrives;
    /// `start` is the one-time address the browser was given for the authorization URL. With
    /// `onward`, a redirect carrying a code sends the browser on to that path (303) instead of
    /// showing the "signed in" page.
    package func waitForRedirect(
        state: String, timeout: Duration, pasted: PastedRedirectInput? = nil,
        start: OneTimeRedirect? = nil, onward: String? = nil
    ) throws(OIDCError) -> AuthorizationResponse {
        var start = start
        do {
            return try server.serve(
                timeout: timeout, lines: pasted,
                onLine: { line in
                    guard !line.trimmingLineWhitespace().isEmpty else { return nil }
                    if let target = PastedRedirectInput.requestTarget(of: line),
                        case (_, _, let result?) = Self.route(method: "GET", target: target, state: state)
                    {
                        return result
                    }
                    pasted?.say("maws: that is not the address of this sign-in's redirect; paste the whole URL the browser ended on\r\n")
                    return nil
                },
                handle: { request in
                    if let answer = start?.answer(request) { return (answer, nil) }
                    let (status, page, result) = Self.route(method: request.method, target: request.target, state: state)
                    if let onward, case .code = result {
                        return (
                            .init(
                                status: "303 See Other", contentType: "text/plain; charset=utf-8", body: [], headers: [("Location", onward)]
                            ), result
                        )
                    }
                    return (.init(status: status, contentType: "text/html; charset=utf-8", body: Array(page.html.utf8)), result)
                })
        } catch {
            throw Self.oidcError(error)
        }
    }

    /// Decides the answer for a request: the HTTP status, the page, and the sign-in result if any.
    static func route(method: String, target: String, state: String) -> (String, RedirectPage, AuthorizationResponse?) {
        guard method == "GET" else { return ("405 Method Not Allowed", .notFound, nil) }
        let request = LoopbackHTTPServer.Request(method: method, target: target, headers: [:])
        guard request.path == redirectPath else { return ("404 Not Found", .notFound, nil) }
        guard let fields = FormEncoding.decode(request.query) else { return ("400 Bad Request", .wrongState, nil) }
        let parameters = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        guard let returnedState = parameters["state"], LoopbackHTTPServer.constantTimeEquals(returnedState, state) else {
            return ("400 Bad Request", .wrongState, nil)
        }
        if let error = parameters["error"] {
            let description = parameters["error_description"]
            return ("200 OK", .failure(error: error, description: description), .error(code: error, description: description))
        }
        guard let code = parameters["code"], !code.isEmpty else { return ("400 Bad Request", .wrongState, nil) }
        return ("200 OK", .success, .code(code))
    }

    private static func oidcError(_ error: LoopbackServerError) -> OIDCError {
        switch error {
        case .noFreePort(let ports): return .noFreePort(ports: ports)
        case .system(let reason): return .listener(reason)
        case .timedOut(let timeout): return .timedOut(seconds: Int(timeout.components.seconds))
        }
    }
}
