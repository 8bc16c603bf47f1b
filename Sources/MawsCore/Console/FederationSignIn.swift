#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// AWS console sign-in through the federation endpoint: trade temporary credentials for a sign-in
/// token (`getSigninToken`), then build the `login` URL that opens the console.
/// The credentials travel only in the POST body; the resulting URL holds a short-lived token.
package struct FederationSignIn: Sendable {
    package var federationURL: EndpointURL
    package var destination: String
    /// Where the console sends a person whose session ended: the IdP.
    package var issuer: String
    /// Sign out of the console first (its `oauth?Action=logout` on the federation endpoint's
    /// host), so that a browser signed in to another account switches without a private window.
    package var logoutFirst: Bool
    package var http: HTTPClient

    package init(federationURL: EndpointURL, destination: String, issuer: String, logoutFirst: Bool = false, http: HTTPClient) {
        self.federationURL = federationURL
        self.destination = destination
        self.issuer = issuer
        self.logoutFirst = logoutFirst
        self.http = http
    }

    /// The console session length: the credentials' remaining life, within AWS's 900 to 43200 s.
    package static func sessionDuration(for credentials: AWSCredentials, now: Date = Date()) -> Int {
        // Bounded before the conversion to Int, which traps past Int64: cached credentials can
        // hold any expiration a JSON number can.
        let remaining = credentials.expiration.timeIntervalSince(now)
        return Int(remaining.isNaN ? 900 : min(43200, max(900, remaining)))
    }

    package func loginURL(for credentials: AWSCredentials) throws -> String {
        // The federation endpoint signs in only with temporary credentials of a role or federated user.
        guard let sessionToken = credentials.sessionToken else { throw ConsoleError.noSessionToken }
        struct FederationCredentials: Encodable {
            var sessionId: String
            var sessionKey: String
            var sessionToken: String
        }
        let session = String(
            decoding: try JSONWriter.encode(
                FederationCredentials(
                    sessionId: credentials.accessKeyID, sessionKey: credentials.secretAccessKey, sessionToken: sessionToken)),
            as: UTF8.self)
        let response = try http.send(
            .postForm(
                federationURL,
                [
                    ("Action", "getSigninToken"),
                    ("SessionDuration", String(Self.sessionDuration(for: credentials))),
                    ("Session", session),
                ]))
        struct Answer: Decodable { var SigninToken: String }
        guard response.isSuccess else {
            throw ConsoleError.federation(url: federationURL.string, status: response.status, snippet: response.bodySnippet)
        }
        guard let answer = try? JSONReader.decode(Answer.self, from: response.body), !answer.SigninToken.isEmpty else {
            throw ConsoleError.invalidAnswer(url: federationURL.string)
        }
        let base = federationURL.string
        let login =
            base + (base.contains("?") ? "&" : "?")
            + FormEncoding.encode([
                ("Action", "login"),
                ("Issuer", issuer),
                ("Destination", destination),
                ("SigninToken", answer.SigninToken),
            ])
        guard logoutFirst else { return login }
        return ConsoleDestination.origin(of: base) + "/oauth?" + FormEncoding.encode([("Action", "logout"), ("redirect_uri", login)])
    }
}

package enum ConsoleError: MawsError, Equatable {
    case federation(url: String, status: Int, snippet: String)
    case invalidAnswer(url: String)
    case noBrowser
    case noSessionToken

    package var description: String {
        switch self {
        case .federation(let url, let status, let snippet):
            return
                "the AWS federation endpoint \(url) answered HTTP \(status)\(snippet.isEmpty ? "" : ": \(snippet)"); check federation_url"
        case .invalidAnswer(let url):
            return "the AWS federation endpoint \(url) sent no SigninToken; check federation_url"
        case .noBrowser:
            return
                "no browser opened the AWS console (none found, or it did not load the address within 60 s); use --print-url and open the URL yourself"
        case .noSessionToken:
            return "the AWS console sign-in needs temporary credentials with a session token, and these are an IAM user's keys"
        }
    }
}
