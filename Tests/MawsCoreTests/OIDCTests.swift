import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct PKCETests {
    @Test func matchesRFC7636AppendixB() throws {
        let pkce = try PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        #expect(pkce.method == "S256")
    }

    @Test func generatedVerifiersAreLongAndFresh() throws {
        let first = try PKCE.generate()
        let second = try PKCE.generate()
        #expect(first.verifier.count >= 43 && first.verifier.count <= 128)
        #expect(first.verifier != second.verifier)
        #expect(first.verifier.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test func authorizationURLCarriesTheChallengeNeverTheVerifier() throws {
        let request = try AuthorizationRequest.random(
            clientID: "client id", scope: "openid email",
            redirectURI: "http://localhost:10800/redirect_uri")
        let url = request.url(authorizationEndpoint: try EndpointURL(validating: "https://idp.example.com/authorize"))
        #expect(url.hasPrefix("https://idp.example.com/authorize?response_type=code&client_id=client%20id&"))
        #expect(url.contains("redirect_uri=http%3A%2F%2Flocalhost%3A10800%2Fredirect_uri"))
        #expect(url.contains("code_challenge=\(request.pkce.challenge)&code_challenge_method=S256"))
        #expect(url.contains("state=\(request.state)") && url.contains("nonce=\(request.nonce)"))
        #expect(!url.contains(request.pkce.verifier))
        #expect(request.state != request.nonce)
        let fields = Dictionary(uniqueKeysWithValues: request.tokenRequestFields(code: "abc"))
        #expect(
            fields == [
                "grant_type": "authorization_code", "code": "abc", "client_id": "client id",
                "redirect_uri": "http://localhost:10800/redirect_uri", "code_verifier": request.pkce.verifier,
            ])
    }
}

@Suite struct LoopbackRouteTests {
    let state = "s-123"

    func route(_ target: String, method: String = "GET") -> (String, AuthorizationResponse?) {
        let request = LoopbackHTTPServer.parse(head: "\(method) \(target) HTTP/1.1\r\nHost: localhost:10800")
        #expect(request.headers["host"] == "localhost:10800")
        let (status, _, result) = LoopbackListener.route(method: request.method, target: request.target, state: state)
        return (status, result)
    }

    @Test func acceptsTheCodeWithOurState() {
        #expect(route("/redirect_uri?code=c0de&state=s-123") == ("200 OK", .code("c0de")))
    }

    @Test func reportsAnIdPErrorWithOurState() {
        #expect(
            route("/redirect_uri?error=access_denied&error_description=User+said+no&state=s-123")
                == ("200 OK", .error(code: "access_denied", description: "User said no")))
    }

    @Test func ignoresEverythingElse() {
        #expect(route("/favicon.ico") == ("404 Not Found", nil))
        #expect(route("/redirect_uri?code=c0de&state=other") == ("400 Bad Request", nil))
        #expect(route("/redirect_uri?code=c0de") == ("400 Bad Request", nil))
        #expect(route("/redirect_uri?error=access_denied") == ("400 Bad Request", nil))
        #expect(route("/redirect_uri?state=s-123") == ("400 Bad Request", nil))
        #expect(route("/redirect_uri?code=c0de&state=s-123", method: "POST") == ("405 Method Not Allowed", nil))
    }

    @Test func separatorsFollowedByCombiningMarksStillSeparate() {
        let fields = FormEncoding.decode("a=1&\u{301}b=2=3")
        #expect(fields?.map { "\($0.0)|\($0.1)" } == ["a|1", "\u{301}b|2=3"])
        #expect(route("/redirect_uri?\u{301}x=1&code=c0de&state=s-123") == ("200 OK", .code("c0de")))
        #expect(LoopbackHTTPServer.parse(head: "GET /a?\u{301}b HTTP/1.1").path == "/a")
        #expect(LoopbackHTTPServer.requestHead(Array("GET / HTTP/1.1\r\n".utf8), searchingFrom: 100) == nil)
    }

    @Test func escapesTheIdPsTextInThePage() {
        #expect(RedirectPage.failure(error: "x", description: "<script>alert(1)</script>").html.contains("&lt;script&gt;"))
    }

    /// Found by fuzzing (Tests/Fuzz/http/crash-escape-combining-mark): "<" followed by a combining
    /// mark (here U+074A) is one Character, which the escaping compared with "<" and let through.
    @Test func escapesMarkupCharactersFollowedByCombiningMarks() throws {
        let (_, page, _) = LoopbackListener.route(method: "GET", target: "/redirect_uri?error=%3c%DD%8A&state=s-123", state: state)
        #expect(page.html.contains("&lt;\u{74A}"))
        #expect(RedirectPage.escape("<\u{338}b>'\u{301}\"\u{301}&\u{301}") == "&lt;\u{338}b&gt;&#39;\u{301}&quot;\u{301}&amp;\u{301}")
    }

    @Test func bindsTheFirstFreePortOnLoopbackOnly() throws {
        let first = try LoopbackListener(ports: [0])
        #expect(first.redirectURI.hasPrefix("http://localhost:"))
        let holder = try LoopbackListener(ports: [47_811])
        let next = try LoopbackListener(ports: [47_811, 47_812])
        #expect(holder.port == 47_811 && next.port == 47_812)
        #expect(throws: OIDCError.noFreePort(ports: [47_811])) { try LoopbackListener(ports: [47_811]) }
    }

    @Test func aBrowsersOneTimeAddressRedirectsOnceThenAnswers404() throws {
        var redirect = try OneTimeRedirect(to: "https://idp.example.com/authorize?state=secret")
        let url = redirect.url(port: 10800)
        #expect(url.hasPrefix("http://127.0.0.1:10800/go/") && url.count == "http://127.0.0.1:10800/go/".count + 43)
        #expect(!url.contains("secret"))
        let request = LoopbackHTTPServer.parse(head: "GET \(redirect.path) HTTP/1.1\r\nHost: 127.0.0.1:10800")
        let answer = redirect.answer(request)
        let first = try #require(answer)
        #expect(first.status == "303 See Other")
        #expect(first.headers.first { $0.0 == "Location" }?.1 == "https://idp.example.com/authorize?state=secret")
        #expect(redirect.answer(request)?.status == "404 Not Found")
        #expect(redirect.answer(LoopbackHTTPServer.parse(head: "GET /go/other HTTP/1.1")) == nil)
    }

    @Test func timesOutWithAClearError() throws {
        let listener = try LoopbackListener(ports: [0])
        #expect(throws: OIDCError.timedOut(seconds: 0)) { try listener.waitForRedirect(state: "x", timeout: .milliseconds(50)) }
    }

    @Test func pastedURLsYieldTheirRequestTarget() {
        #expect(
            PastedRedirectInput.requestTarget(of: "  http://localhost:10800/redirect_uri?code=c&state=s \r")
                == "/redirect_uri?code=c&state=s")
        #expect(PastedRedirectInput.requestTarget(of: "/redirect_uri?code=c") == "/redirect_uri?code=c")
        #expect(PastedRedirectInput.requestTarget(of: "hello") == nil)
    }
}

@Suite struct DiscoveryTests {
    func metadata(issuer: String, endpoint: String = "https://idp.example.com/authorize", methods: [String]? = nil) -> ProviderMetadata {
        ProviderMetadata(
            issuer: issuer, authorizationEndpoint: endpoint, tokenEndpoint: "https://idp.example.com/token",
            jwksURI: "https://idp.example.com/jwks", codeChallengeMethodsSupported: methods)
    }

    let wellKnown = try! EndpointURL(validating: "https://idp.example.com/.well-known/openid-configuration")

    @Test func issuerMustMatchTheWellKnownURL() throws {
        try metadata(issuer: "https://idp.example.com").validate(against: wellKnown)
        try metadata(issuer: "https://idp.example.com/").validate(against: wellKnown)
        #expect(throws: OIDCError.self) { try metadata(issuer: "https://evil.example.com").validate(against: wellKnown) }
    }

    @Test func endpointsMustBeHTTPS() {
        #expect(throws: OIDCError.self) {
            try metadata(issuer: "https://idp.example.com", endpoint: "http://idp.example.com/authorize").validate(against: wellKnown)
        }
    }

    @Test func anIdPWithoutS256IsRefused() {
        #expect(throws: OIDCError.pkceUnsupported(methods: ["plain"])) {
            try metadata(issuer: "https://idp.example.com", methods: ["plain"]).validate(against: wellKnown)
        }
    }
}

@Suite struct BrowserLauncherTests {
    @Test func browserVariableIsACommandListWithOptionalPlaceholder() {
        let url = "https://idp.example.com/a?b=c"
        #expect(
            BrowserLauncher(environment: Environment(["BROWSER": "firefox --new-tab"])).candidates(for: url)
                == [["firefox", "--new-tab", url]])
        #expect(
            BrowserLauncher(environment: Environment(["BROWSER": "w3m %s:lynx"])).candidates(for: url)
                == [["w3m", url], ["lynx", url]])
        #expect(BrowserLauncher(environment: Environment(["DISPLAY": ":0"]), underWSL: false).candidates(for: url) == [["xdg-open", url]])
        #expect(BrowserLauncher(environment: Environment([:]), underWSL: false).candidates(for: url).isEmpty)
    }

    /// Under WSL without $BROWSER, the Windows browser: wslview, else cmd.exe's start with the
    /// characters cmd.exe would read itself escaped. $BROWSER still comes first.
    @Test func underWSLTheWindowsBrowserOpens() {
        let url = "https://idp.example.com/authorize?a=1&b=(2)"
        #expect(
            BrowserLauncher(environment: Environment([:]), underWSL: true).candidates(for: url)
                == [["wslview", url], ["cmd.exe", "/c", "start", "", "https://idp.example.com/authorize?a=1^&b=^(2^)"]])
        #expect(
            BrowserLauncher(environment: Environment(["BROWSER": "firefox"]), underWSL: true).candidates(for: url) == [["firefox", url]])
    }

    @Test func wslIsDetectedByItsVariablesOrItsKernel() {
        #expect(BrowserLauncher.isWSL(environment: Environment(["WSL_DISTRO_NAME": "Debian"]), kernelRelease: "6.1.0-13-amd64"))
        #expect(BrowserLauncher.isWSL(environment: Environment(["WSL_INTEROP": "/run/WSL/1_interop"]), kernelRelease: nil))
        #expect(BrowserLauncher.isWSL(environment: Environment([:]), kernelRelease: "5.15.153.1-microsoft-standard-WSL2\n"))
        #expect(BrowserLauncher.isWSL(environment: Environment([:]), kernelRelease: "4.4.0-19041-Microsoft"))
        #expect(!BrowserLauncher.isWSL(environment: Environment([:]), kernelRelease: "6.1.0-13-amd64"))
        #expect(!BrowserLauncher.isWSL(environment: Environment([:]), kernelRelease: nil))
    }

    @Test func aMissingBrowserCommandIsNotLaunched() {
        let launcher = BrowserLauncher(environment: Environment(["BROWSER": "/nonexistent/browser", "PATH": "/usr/bin"]))
        #expect(launcher.open("https://example.com") == nil)
    }
}

@Suite struct HTTPDateTests {
    @Test func parsesIMFFixdate() {
        #expect(HTTPDate.parse("Sat, 21 Nov 2026 17:25:33 GMT")?.timeIntervalSince1970 == 1_795_281_933)
        #expect(HTTPDate.parse("Sat, 21 Nov 2026 17:25:33 PST") == nil)
        #expect(HTTPDate.parse("yesterday") == nil)
    }
}
