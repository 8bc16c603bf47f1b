/// A loopback address to hand a browser instead of a URL that carries a secret.
///
/// A program's arguments are readable by every local user (`/proc/PID/cmdline`), and the URLs
/// maws opens carry bearer values: the sign-in URL its state, nonce and PKCE challenge, the AWS
/// console URL a sign-in token. The browser is given `http://127.0.0.1:PORT/go/RANDOM` instead;
/// maws answers the first request for it with a redirect to the real URL, and any later one with a
/// 404 while it still listens. Only the person's own processes are answered at all
/// (`LoopbackPeer`), so another user who reads the address off the argument list gets a 403.
package struct OneTimeRedirect: Sendable {
    /// `/go/` and 43 random characters.
    package let path: String
    private let target: String
    package private(set) var used = false

    package init(to target: String) throws(CryptoError) {
        path = "/go/" + (try SecureRandom.token())
        self.target = target
    }

    package func url(port: UInt16) -> String {
        "http://127.0.0.1:\(port)\(path)"
    }

    /// The answer to `request` when it asks for this address: the redirect the first time, 404
    /// afterwards. Nil for any other path.
    package mutating func answer(_ request: LoopbackHTTPServer.Request) -> LoopbackHTTPServer.Response? {
        guard LoopbackHTTPServer.constantTimeEquals(String(request.path), path) else { return nil }
        guard request.method == "GET", !used else {
            return .init(
                status: "404 Not Found", contentType: "text/plain; charset=utf-8",
                body: Array("This address has been used already. Start again from the terminal.\n".utf8))
        }
        used = true
        return .init(status: "303 See Other", contentType: "text/plain; charset=utf-8", body: [], headers: [("Location", target)])
    }
}
