/// The OAuth 2.0 authorization-code flow with PKCE through the person's browser
/// (RFC 6749 §4.1, RFC 7636, RFC 8252): listen, open the browser, wait for the redirect,
/// trade the code for tokens.
package struct BrowserSignIn: Sendable {
    package var endpoints: ProviderMetadata.Endpoints
    package var clientID: String
    package var scope: String
    package var http: HTTPClient
    package var browser: BrowserLauncher
    /// False with `--no-browser` or under SSH: print the URL instead of opening it.
    package var openBrowser: Bool
    /// Accept the redirect URL pasted on the terminal (headless sign-in).
    package var acceptPastedRedirect: Bool
    package var timeout: Duration
    package var ports: [UInt16]
    /// Send the browser on to the role picker (`BrowserTab.path`) after the redirect, when the
    /// browser was opened; the outcome then holds the tab.
    package var continueInBrowser = false
    package var diagnostics: Diagnostics

    package init(
        endpoints: ProviderMetadata.Endpoints, clientID: String, scope: String, http: HTTPClient,
        browser: BrowserLauncher, openBrowser: Bool, acceptPastedRedirect: Bool, timeout: Duration,
        ports: [UInt16] = LoopbackListener.registeredPorts, diagnostics: Diagnostics
    ) {
        self.endpoints = endpoints
        self.clientID = clientID
        self.scope = scope
        self.http = http
        self.browser = browser
        self.openBrowser = openBrowser
        self.acceptPastedRedirect = acceptPastedRedirect
        self.timeout = timeout
        self.ports = ports
        self.diagnostics = diagnostics
    }

    package struct Outcome: Sendable {
        package var tokens: TokenResponse
        /// The request the tokens answer; its nonce must be in the ID token.
        package var request: AuthorizationRequest
        /// The browser tab, sent on to the role picker and waiting for it (`continueInBrowser`).
        package var tab: BrowserTab?

        package init(tokens: TokenResponse, request: AuthorizationRequest, tab: BrowserTab? = nil) {
            self.tokens = tokens
            self.request = request
            self.tab = tab
        }
    }

    package func run() throws -> Outcome {
        // The listener is up before the browser starts, so the redirect cannot arrive too early.
        let listener = try LoopbackListener(ports: ports)
        diagnostics.debug("listening for the sign-in redirect on \(listener.addresses)")
        let request = try AuthorizationRequest.random(clientID: clientID, scope: scope, redirectURI: listener.redirectURI)
        let url = request.url(authorizationEndpoint: endpoints.authorization)
        // The browser's argument list is readable by every local user: it gets a one-time loopback
        // address that redirects to `url`, never `url` itself.
        let start = try OneTimeRedirect(to: url)

        var browserProcess: Int32?
        if openBrowser {
            browserProcess = browser.open(start.url(port: listener.port))
        }
        let pasted = browserProcess == nil && acceptPastedRedirect ? PastedRedirectInput() : nil
        if browserProcess != nil {
            diagnostics.info("maws: continue the sign-in in your browser (\(endpoints.authorization.host))")
        } else if pasted != nil {
            diagnostics.info("maws: to sign in, open this URL in a browser:")
            diagnostics.info(url)
            diagnostics.info(
                "maws: if that browser is on another machine, paste here the address it ends on (http://localhost:\(listener.port)/redirect_uri?...):"
            )
        } else {
            diagnostics.info("maws: to sign in, open this URL in a browser on this machine:")
            diagnostics.info(url)
        }
        defer { browserProcess.map(BrowserLauncher.reap) }

        let tab = continueInBrowser && browserProcess != nil ? try BrowserTab(server: listener.server) : nil
        switch try listener.waitForRedirect(
            state: request.state, timeout: timeout, pasted: pasted, start: start, onward: tab.map { _ in BrowserTab.path })
        {
        case .error(let code, let description):
            throw OIDCError.denied(error: code, description: description)
        case .code(let code):
            diagnostics.debug("received the authorization code; exchanging it at \(endpoints.token.host)")
            do {
                let tokens = try TokenResponse.request(endpoints.token, fields: request.tokenRequestFields(code: code), http: http)
                return Outcome(tokens: tokens, request: request, tab: tab)
            } catch {
                tab?.finish(failure: error)
                throw error
            }
        }
    }
}
